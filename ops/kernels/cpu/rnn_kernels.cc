// CPU kernels of the GRU and LSTM steps and the additive attention scores. The products
// go to oneDNN (Gemm) and the transcendental functions to oneDNN's vectorised
// eltwise (UnaryForward, in place); what remains are single passes over
// (B, n) or (B, Tx, n') that the compiler vectorises.
#include "ops/kernels/cpu/rnn_kernels.h"

#include "base/check.h"
#include "ops/kernels/cpu/math_kernels.h"
#include "ops/kernels/cpu/parallel.h"

namespace nmt::cpu {
namespace {

// c (rows×cols, dense) = x's columns [begin, begin + cols) of a row-major (rows×x_cols) matrix.
void CopyBlock(const float* x, int64_t x_cols, int64_t begin, int64_t rows, int64_t cols, float* c) {
#pragma omp parallel for if (rows * cols >= kMinParallelFloats)
  for (int64_t i = 0; i < rows; ++i) {
    const float* from = x + i * x_cols + begin;
    float* to = c + i * cols;
    for (int64_t j = 0; j < cols; ++j) to[j] = from[j];
  }
}

// x · y with eight partial sums, so that the compiler vectorises it without -ffast-math.
float Dot(const float* x, const float* y, int64_t n) {
  float partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    for (int i = 0; i < 8; ++i) partial[i] += x[k + i] * y[k + i];
  }
  float sum = 0.0f;
  for (; k < n; ++k) sum += x[k] * y[k];
  for (float p : partial) sum += p;
  return sum;
}

}  // namespace

void GruStepForward(DeviceContext& context, GruStepTensors& t, Tensor& y) {
  const int64_t batch = t.h.dim(0), n = t.h.dim(1);
  NMT_CHECK(t.x_proj.shape() == (Shape{batch, 3 * n}) && t.u_zr.shape() == (Shape{2 * n, n}) &&
            t.u.shape() == (Shape{n, n}) && (!t.mask.defined() || t.mask.size() == batch))
      << "GruStep: x_proj " << t.x_proj.ShapeString() << ", h " << t.h.ShapeString() << ", U_zr "
      << t.u_zr.ShapeString() << ", U " << t.u.ShapeString();
  NMT_CHECK(!t.recurrent_mask.defined() ||
            (t.recurrent_mask.shape() == t.h.shape() && t.h_dropped.shape() == t.h.shape()))
      << "GruStep: recurrent mask " << t.recurrent_mask.ShapeString() << " for h " << t.h.ShapeString();
  const float* x = t.x_proj.data();
  const float* h = t.h.data();
  // hu: the h the U products read (h ∘ recurrent_mask under variational dropout).
  const float* hu = h;
  if (t.recurrent_mask.defined()) {
    const float* m = t.recurrent_mask.data();
    float* dropped = t.h_dropped.data();
#pragma omp parallel for if (batch * n >= kMinParallelFloats)
    for (int64_t i = 0; i < batch * n; ++i) dropped[i] = h[i] * m[i];
    hu = dropped;
  }
  float* gates = t.gates.data();
  float* cand = t.candidate.data();
  float* rec = t.recurrent.data();
  // gates = σ(x_zr + h [U_z; U_r]ᵀ)
  CopyBlock(x, 3 * n, 0, batch, 2 * n, gates);
  Gemm(context, {.m = batch,
                 .n = 2 * n,
                 .k = n,
                 .trans_b = true,
                 .accumulate = true,
                 .b_is_parameter = t.u_is_parameter,
                 .a = hu,
                 .b = t.u_zr.data(),
                 .c = gates});
  UnaryForward(context, UnaryOp::kSigmoid, t.gates, t.gates);
  if (!t.linear_before_reset) {  // h̃ = tanh(x_h + U (r ∘ h))
#pragma omp parallel for if (batch * n >= kMinParallelFloats)
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t k = 0; k < n; ++k) rec[b * n + k] = gates[b * 2 * n + n + k] * hu[b * n + k];
    }
    CopyBlock(x, 3 * n, 2 * n, batch, n, cand);
    Gemm(context, {.m = batch,
                   .n = n,
                   .k = n,
                   .trans_b = true,
                   .accumulate = true,
                   .b_is_parameter = t.u_is_parameter,
                   .a = rec,
                   .b = t.u.data(),
                   .c = cand});
  } else {  // h̃ = tanh(x_h + r ∘ (U h))
    Gemm(context, {.m = batch,
                   .n = n,
                   .k = n,
                   .trans_b = true,
                   .b_is_parameter = t.u_is_parameter,
                   .a = hu,
                   .b = t.u.data(),
                   .c = rec});
#pragma omp parallel for if (batch * n >= kMinParallelFloats)
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t k = 0; k < n; ++k) {
        cand[b * n + k] = x[b * 3 * n + 2 * n + k] + gates[b * 2 * n + n + k] * rec[b * n + k];
      }
    }
  }
  UnaryForward(context, UnaryOp::kTanh, t.candidate, t.candidate);
  const float* mask = t.mask.defined() ? t.mask.data() : nullptr;
  float* py = y.data();
#pragma omp parallel for if (batch * n >= kMinParallelFloats)
  for (int64_t b = 0; b < batch; ++b) {
    const float keep = mask ? mask[b] : 1.0f;
    for (int64_t k = 0; k < n; ++k) {  // h' = h + m z (h̃ − h): a padded row (m = 0) keeps h
      const float z = gates[b * 2 * n + k];
      py[b * n + k] = h[b * n + k] + keep * z * (cand[b * n + k] - h[b * n + k]);
    }
  }
}

void GruStepBackward(DeviceContext& context, const GruStepTensors& t, const Tensor& dy, GruStepGrads& grads) {
  const int64_t batch = t.h.dim(0), n = t.h.dim(1);
  const float* h = t.h.data();
  const float* rmask = t.recurrent_mask.defined() ? t.recurrent_mask.data() : nullptr;
  const float* hu = rmask ? t.h_dropped.data() : h;  // what the U products read
  const float* gates = t.gates.data();
  const float* cand = t.candidate.data();
  const float* rec = t.recurrent.data();
  const float* mask = t.mask.defined() ? t.mask.data() : nullptr;
  const float* pdy = dy.data();
  Tensor da_zr = context.Allocate({batch, 2 * n});  // gradients of the gate pre-activations
  Tensor da_h = context.Allocate({batch, n});
  Tensor scratch = context.Allocate({batch, n});  // d(r ∘ h), or d(U h)
  float* dzr = da_zr.data();
  float* dah = da_h.data();
  float* ds = scratch.data();
#pragma omp parallel for if (batch * n >= kMinParallelFloats)
  for (int64_t b = 0; b < batch; ++b) {
    const float keep = mask ? mask[b] : 1.0f;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t i = b * n + k;
      const float z = gates[b * 2 * n + k], c = cand[i], g = keep * pdy[i];
      dah[i] = g * z * (1.0f - c * c);
      dzr[b * 2 * n + k] = g * (c - h[i]) * z * (1.0f - z);
    }
  }
  if (!t.linear_before_reset) {  // ds = d(r ∘ h) = da_h U
    Gemm(context, {.m = batch, .n = n, .k = n, .b_is_parameter = t.u_is_parameter, .a = dah, .b = t.u.data(), .c = ds});
  } else {  // d(U h) = da_h ∘ r
#pragma omp parallel for if (batch * n >= kMinParallelFloats)
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t k = 0; k < n; ++k) ds[b * n + k] = dah[b * n + k] * gates[b * 2 * n + n + k];
    }
  }
  float* dh = grads.dh.defined() ? grads.dh.data() : nullptr;
  // The U products' share of dh goes through d(hu), which the recurrent mask scales;
  // without one, hu is h and it accumulates into dh directly.
  Tensor dhu_t = rmask && dh ? context.Allocate({batch, n}) : Tensor();
  float* dhu = rmask ? (dh ? dhu_t.data() : nullptr) : dh;
#pragma omp parallel for if (batch * n >= kMinParallelFloats)
  for (int64_t b = 0; b < batch; ++b) {
    const float keep = mask ? mask[b] : 1.0f;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t i = b * n + k;
      const float z = gates[b * 2 * n + k], r = gates[b * 2 * n + n + k];
      // dr: through r ∘ h (reset before U) or through r ∘ (U h) (after it).
      const float dr = t.linear_before_reset ? dah[i] * rec[i] : ds[i] * hu[i];
      dzr[b * 2 * n + n + k] = dr * r * (1.0f - r);
      if (dh) {
        const float through_u = t.linear_before_reset ? 0.0f : ds[i] * r;
        if (rmask) {
          dh[i] += pdy[i] * (1.0f - keep * z);
          dhu[i] = through_u;
        } else {
          dh[i] += pdy[i] * (1.0f - keep * z) + through_u;
        }
      }
    }
  }
  if (dhu) {
    Gemm(context, {.m = batch,
                   .n = n,
                   .k = 2 * n,
                   .accumulate = true,
                   .b_is_parameter = t.u_is_parameter,
                   .a = dzr,
                   .b = t.u_zr.data(),
                   .c = dhu});
    if (t.linear_before_reset) {
      Gemm(context, {.m = batch,
                     .n = n,
                     .k = n,
                     .accumulate = true,
                     .b_is_parameter = t.u_is_parameter,
                     .a = ds,
                     .b = t.u.data(),
                     .c = dhu});
    }
    if (rmask) {
#pragma omp parallel for if (batch * n >= kMinParallelFloats)
      for (int64_t i = 0; i < batch * n; ++i) dh[i] += dhu[i] * rmask[i];
    }
  }
  if (grads.dx_proj.defined()) {
    float* dx = grads.dx_proj.data();
#pragma omp parallel for if (batch * n >= kMinParallelFloats)
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t k = 0; k < 2 * n; ++k) dx[b * 3 * n + k] += dzr[b * 2 * n + k];
      for (int64_t k = 0; k < n; ++k) dx[b * 3 * n + 2 * n + k] += dah[b * n + k];
    }
  }
  if (grads.du_zr.defined()) {  // dU_zr += da_zrᵀ h
    Gemm(context, {.m = 2 * n,
                   .n = n,
                   .k = batch,
                   .trans_a = true,
                   .accumulate = true,
                   .a = dzr,
                   .b = hu,
                   .c = grads.du_zr.data()});
  }
  if (grads.du.defined()) {  // dU += da_hᵀ (r ∘ h), or d(U h)ᵀ h
    const bool lbr = t.linear_before_reset;
    Gemm(context, {.m = n,
                   .n = n,
                   .k = batch,
                   .trans_a = true,
                   .accumulate = true,
                   .a = lbr ? ds : dah,
                   .b = lbr ? hu : rec,
                   .c = grads.du.data()});
  }
}

// The gates i, f, o (sigmoids) and the candidate c̃ (tanh) sit in separate dense
// tensors, (B, 3n) and (B, n), so that each activation is one eltwise pass, and so are
// the two products: U's rows [0, 3n) and [3n, 4n) are contiguous blocks of it.
void LstmStepForward(DeviceContext& context, LstmStepTensors& t, Tensor& y) {
  const int64_t batch = t.state.dim(0), n = t.state.dim(1) / 2;
  NMT_CHECK(t.x_proj.shape() == (Shape{batch, 4 * n}) && t.u.shape() == (Shape{4 * n, n}) &&
            (!t.mask.defined() || t.mask.size() == batch))
      << "LstmStep: x_proj " << t.x_proj.ShapeString() << ", state " << t.state.ShapeString() << ", U "
      << t.u.ShapeString();
  const float* x = t.x_proj.data();
  const float* state = t.state.data();
  float* h = t.h.data();
  float* gates = t.gates.data();
  float* cand = t.candidate.data();
  float* cell = t.cell_tanh.data();
  CopyBlock(state, 2 * n, 0, batch, n, h);
  if (t.recurrent_mask.defined()) {  // the U products read h ∘ recurrent_mask
    NMT_CHECK(t.recurrent_mask.shape() == (Shape{batch, n}))
        << "LstmStep: recurrent mask " << t.recurrent_mask.ShapeString() << " for state " << t.state.ShapeString();
    const float* m = t.recurrent_mask.data();
    for (int64_t i = 0; i < batch * n; ++i) h[i] *= m[i];
  }
  CopyBlock(x, 4 * n, 0, batch, 3 * n, gates);
  CopyBlock(x, 4 * n, 3 * n, batch, n, cand);
  // [i f o] = σ(x_ifo + h U_ifoᵀ), c̃ = tanh(x_c + h U_cᵀ)
  Gemm(context, {.m = batch,
                 .n = 3 * n,
                 .k = n,
                 .trans_b = true,
                 .accumulate = true,
                 .b_is_parameter = t.u_is_parameter,
                 .a = h,
                 .b = t.u.data(),
                 .c = gates});
  Gemm(context, {.m = batch,
                 .n = n,
                 .k = n,
                 .trans_b = true,
                 .accumulate = true,
                 .b_is_parameter = t.u_is_parameter,
                 .a = h,
                 .b = t.u.data() + 3 * n * n,
                 .c = cand});
  UnaryForward(context, UnaryOp::kSigmoid, t.gates, t.gates);
  UnaryForward(context, UnaryOp::kTanh, t.candidate, t.candidate);
  float* py = y.data();
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t k = 0; k < n; ++k) {  // c' = f ∘ c + i ∘ c̃, into y's c half and (for the tanh) cell
      const float* g = gates + b * 3 * n;
      const float c_new = g[n + k] * state[b * 2 * n + n + k] + g[k] * cand[b * n + k];
      py[b * 2 * n + n + k] = c_new;
      cell[b * n + k] = c_new;
    }
  }
  UnaryForward(context, UnaryOp::kTanh, t.cell_tanh, t.cell_tanh);
  const float* mask = t.mask.defined() ? t.mask.data() : nullptr;
  for (int64_t b = 0; b < batch; ++b) {
    const float keep = mask ? mask[b] : 1.0f;
    for (int64_t k = 0; k < n; ++k) {  // h' = o ∘ tanh c'; a padded row (keep = 0) keeps [h; c]
      const float h_new = gates[b * 3 * n + 2 * n + k] * cell[b * n + k];
      const float h_old = state[b * 2 * n + k], c_old = state[b * 2 * n + n + k];
      py[b * 2 * n + k] = h_old + keep * (h_new - h_old);
      py[b * 2 * n + n + k] = c_old + keep * (py[b * 2 * n + n + k] - c_old);
    }
  }
}

void LstmStepBackward(DeviceContext& context, const LstmStepTensors& t, const Tensor& dy, LstmStepGrads& grads) {
  const int64_t batch = t.state.dim(0), n = t.state.dim(1) / 2;
  const float* state = t.state.data();
  const float* gates = t.gates.data();
  const float* cand = t.candidate.data();
  const float* cell = t.cell_tanh.data();
  const float* mask = t.mask.defined() ? t.mask.data() : nullptr;
  const float* pdy = dy.data();
  Tensor da_t = context.Allocate({batch, 4 * n});  // gradients of the pre-activations, order i, f, o, c̃
  float* da = da_t.data();
  float* dstate = grads.dstate.defined() ? grads.dstate.data() : nullptr;
  for (int64_t b = 0; b < batch; ++b) {
    const float keep = mask ? mask[b] : 1.0f;
    const float* g = gates + b * 3 * n;
    float* a = da + b * 4 * n;
    for (int64_t k = 0; k < n; ++k) {
      const float i = g[k], f = g[n + k], o = g[2 * n + k], c_tilde = cand[b * n + k], tc = cell[b * n + k];
      const float dh = keep * pdy[b * 2 * n + k];
      const float dc = keep * pdy[b * 2 * n + n + k] + dh * o * (1.0f - tc * tc);
      const float c_old = state[b * 2 * n + n + k];
      a[k] = dc * c_tilde * i * (1.0f - i);
      a[n + k] = dc * c_old * f * (1.0f - f);
      a[2 * n + k] = dh * tc * o * (1.0f - o);
      a[3 * n + k] = dc * i * (1.0f - c_tilde * c_tilde);
      if (dstate) {
        dstate[b * 2 * n + k] += (1.0f - keep) * pdy[b * 2 * n + k];
        dstate[b * 2 * n + n + k] += dc * f + (1.0f - keep) * pdy[b * 2 * n + n + k];
      }
    }
  }
  if (grads.dx_proj.defined()) {
    float* dx = grads.dx_proj.data();
    for (int64_t i = 0; i < batch * 4 * n; ++i) dx[i] += da[i];
  }
  if (dstate) {  // dh += da U, through a dense scratch: dstate's h half is strided
    Tensor dh_t = context.Allocate({batch, n});
    Gemm(context, {.m = batch,
                   .n = n,
                   .k = 4 * n,
                   .b_is_parameter = t.u_is_parameter,
                   .a = da,
                   .b = t.u.data(),
                   .c = dh_t.data()});
    const float* dh = dh_t.data();
    const float* rmask = t.recurrent_mask.defined() ? t.recurrent_mask.data() : nullptr;
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t k = 0; k < n; ++k) dstate[b * 2 * n + k] += rmask ? dh[b * n + k] * rmask[b * n + k] : dh[b * n + k];
    }
  }
  if (grads.du.defined()) {  // dU += daᵀ h (t.h: as the forward's products read it)
    Gemm(context, {.m = 4 * n,
                   .n = n,
                   .k = batch,
                   .trans_a = true,
                   .accumulate = true,
                   .a = da,
                   .b = t.h.data(),
                   .c = grads.du.data()});
  }
}

void AdditiveScoresForward(DeviceContext& context, const Tensor& q, const Tensor& keys, const Tensor& v,
                           Tensor& tanh_out, Tensor& e) {
  const int64_t batch = keys.dim(0), length = keys.dim(1), width = keys.dim(2);
  NMT_CHECK(q.shape() == (Shape{batch, width}) && v.shape() == (Shape{width}))
      << "AdditiveScores: query " << q.ShapeString() << ", keys " << keys.ShapeString() << ", v " << v.ShapeString();
  const float* pq = q.data();
  const float* pk = keys.data();
  float* pt = tanh_out.data();
#pragma omp parallel for if (batch * length * width >= kMinParallelFloats)
  for (int64_t bj = 0; bj < batch * length; ++bj) {
    const float* qb = pq + (bj / length) * width;
    for (int64_t k = 0; k < width; ++k) pt[bj * width + k] = pk[bj * width + k] + qb[k];
  }
  UnaryForward(context, UnaryOp::kTanh, tanh_out, tanh_out);
  // e (B·Tx × 1) = tanh (B·Tx × n') · v (n' × 1)
  Gemm(context, {.m = batch * length, .n = 1, .k = width, .a = pt, .b = v.data(), .c = e.data()});
}

void AdditiveScoresBackward(DeviceContext& context, const Tensor& tanh_out, const Tensor& v, const Tensor& de,
                            Tensor* dq, Tensor* dkeys, Tensor* dv) {
  const int64_t batch = tanh_out.dim(0), length = tanh_out.dim(1), width = tanh_out.dim(2);
  const float* pt = tanh_out.data();
  const float* pv = v.data();
  const float* pde = de.data();
  if (dq != nullptr || dkeys != nullptr) {
    float* pdq = dq ? dq->data() : nullptr;
    float* pdk = dkeys ? dkeys->data() : nullptr;
#pragma omp parallel for if (batch * length * width >= kMinParallelFloats)
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t j = 0; j < length; ++j) {
        const int64_t row = (b * length + j) * width;
        const float g = pde[b * length + j];
        for (int64_t k = 0; k < width; ++k) {
          const float t = pt[row + k];
          const float d = g * pv[k] * (1.0f - t * t);
          if (pdk) pdk[row + k] += d;
          if (pdq) pdq[b * width + k] += d;
        }
      }
    }
  }
  if (dv != nullptr) {  // dv (1 × n') += deᵀ (1 × B·Tx) · tanh (B·Tx × n')
    Gemm(context, {.m = 1, .n = width, .k = batch * length, .accumulate = true, .a = pde, .b = pt, .c = dv->data()});
  }
}

// A batch of (1 × Tx)(Tx × d) products is too thin for a GEMM primitive (3-7 GFLOP/s
// in oneDNN); as loops it is one pass over h each way.
void AttentionContextForward(DeviceContext&, const Tensor& alpha, const Tensor& h, Tensor& c) {
  const int64_t batch = h.dim(0), length = h.dim(1), width = h.dim(2);
  NMT_CHECK(alpha.shape() == (Shape{batch, length}))
      << "AttentionContext: alpha " << alpha.ShapeString() << " for annotations " << h.ShapeString();
  const float* pa = alpha.data();
  const float* ph = h.data();
  float* pc = c.data();
#pragma omp parallel for if (h.size() >= kMinParallelFloats)
  for (int64_t b = 0; b < batch; ++b) {
    float* cb = pc + b * width;
    for (int64_t k = 0; k < width; ++k) cb[k] = 0.0f;
    for (int64_t j = 0; j < length; ++j) {
      const float a = pa[b * length + j];
      const float* hj = ph + (b * length + j) * width;
      for (int64_t k = 0; k < width; ++k) cb[k] += a * hj[k];
    }
  }
}

void AttentionContextBackward(DeviceContext&, const Tensor& alpha, const Tensor& h, const Tensor& dc, Tensor* dalpha,
                              Tensor* dh) {
  const int64_t batch = h.dim(0), length = h.dim(1), width = h.dim(2);
  const float* pa = alpha.data();
  const float* ph = h.data();
  const float* pdc = dc.data();
  float* pda = dalpha ? dalpha->data() : nullptr;
  float* pdh = dh ? dh->data() : nullptr;
#pragma omp parallel for if (h.size() >= kMinParallelFloats)
  for (int64_t b = 0; b < batch; ++b) {
    const float* dcb = pdc + b * width;
    for (int64_t j = 0; j < length; ++j) {
      const int64_t row = (b * length + j) * width;
      if (pda) pda[b * length + j] += Dot(dcb, ph + row, width);
      if (pdh) {
        const float a = pa[b * length + j];
        for (int64_t k = 0; k < width; ++k) pdh[row + k] += a * dcb[k];
      }
    }
  }
}

}  // namespace nmt::cpu
