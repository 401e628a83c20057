// Adapts the kernel table's tensors to the launchers of launch.h and to cuBLAS. Shapes
// are checked here, on the host, with the CPU backend's messages; the device never sees
// an inconsistent shape.
#include "ops/kernels/cuda/cuda_kernels.h"

#include <algorithm>
#include <initializer_list>
#include <limits>

#include "base/check.h"
#include "ops/kernels/cuda/broadcast_plan.h"
#include "ops/kernels/cuda/cuda_check.h"
#include "ops/kernels/cuda/cuda_context.h"
#include "ops/kernels/cuda/launch.h"

namespace nmt {
namespace {

// cuBLAS takes int sizes.
int Int(int64_t v, const char* what) {
  NMT_CHECK(v >= 0 && v <= std::numeric_limits<int>::max())
      << "Gemm: " << what << " = " << v << " exceeds cuBLAS's int";
  return static_cast<int>(v);
}

// One row-major product C (m×n, row stride ldc) = op(A) op(B) + beta C, batched with the
// given element strides. cuBLAS is column-major: a row-major matrix read column-major is
// its transpose, so row-major C = op(A) op(B) is column-major Cᵀ = op(B)ᵀ op(A)ᵀ, the
// same call with the operands swapped and m, n exchanged. A row-major matrix's row
// stride is its column-major leading dimension.
struct RowMajorGemm {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  const float* a = nullptr;
  int64_t lda = 0, stride_a = 0;  // lda: row stride of A as stored (k, or m when trans_a)
  const float* b = nullptr;
  int64_t ldb = 0, stride_b = 0;  // ldb: n, or k when trans_b
  float beta = 0.0f;
  float* c = nullptr;
  int64_t ldc = 0, stride_c = 0;
};

void RunGemm(CudaContext& cuda, const RowMajorGemm& g) {
  if (g.batch == 0 || g.m == 0 || g.n == 0) return;
  if (g.k == 0) {  // an empty sum: C = beta C
    if (g.beta == 0.0f) {
      NMT_CHECK(g.batch == 1 || g.stride_c == g.m * g.ldc) << "Gemm: k = 0 on a strided batch";
      NMT_CUDA_CHECK(cudaMemset2DAsync(g.c, g.ldc * sizeof(float), 0, g.n * sizeof(float),
                                       static_cast<size_t>(g.batch * g.m), cuda.stream()))
          << "Gemm with k = 0";
    }
    return;
  }
  const float alpha = 1.0f;
  const cublasOperation_t op_a = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_b = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int m = Int(g.m, "m"), n = Int(g.n, "n"), k = Int(g.k, "k");
  if (g.batch == 1) {
    NMT_CUBLAS_CHECK(cublasSgemm(cuda.cublas(), op_b, op_a, n, m, k, &alpha, g.b, Int(g.ldb, "ldb"), g.a,
                                 Int(g.lda, "lda"), &g.beta, g.c, Int(g.ldc, "ldc")))
        << "Gemm " << g.m << "x" << g.n << "x" << g.k;
    return;
  }
  NMT_CUBLAS_CHECK(cublasSgemmStridedBatched(cuda.cublas(), op_b, op_a, n, m, k, &alpha, g.b, Int(g.ldb, "ldb"),
                                             g.stride_b, g.a, Int(g.lda, "lda"), g.stride_a, &g.beta, g.c,
                                             Int(g.ldc, "ldc"), g.stride_c, Int(g.batch, "batch")))
      << "batched Gemm " << g.batch << " x " << g.m << "x" << g.n << "x" << g.k;
}

// A dense product of the kernel table's GemmArgs convention.
RowMajorGemm Dense(int64_t m, int64_t n, int64_t k, bool trans_a, bool trans_b, const float* a, const float* b,
                   bool accumulate, float* c) {
  RowMajorGemm g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.trans_a = trans_a;
  g.trans_b = trans_b;
  g.a = a;
  g.lda = trans_a ? m : k;
  g.stride_a = m * k;
  g.b = b;
  g.ldb = trans_b ? k : n;
  g.stride_b = k * n;
  g.beta = accumulate ? 1.0f : 0.0f;
  g.c = c;
  g.ldc = n;
  g.stride_c = m * n;
  return g;
}

void Gemm(DeviceContext& context, const GemmArgs& args) {
  CudaContext& cuda = AsCuda(context, "Gemm");
  RowMajorGemm g = Dense(args.m, args.n, args.k, args.trans_a, args.trans_b, args.a, args.b, args.accumulate, args.c);
  g.batch = args.batch;
  if (!args.batch_b) g.stride_b = 0;  // one b for every product of the batch
  RunGemm(cuda, g);
  if (args.bias != nullptr) cuda::AddBias(cuda.stream(), args.batch * args.m, args.n, args.bias, args.c);
}

void Scale(DeviceContext& context, float alpha, const Tensor& x, Tensor& y) {
  CudaContext& cuda = AsCuda(context, "Scale");
  NMT_CHECK(x.size() == y.size()) << "Scale: " << x.ShapeString() << " into " << y.ShapeString();
  cuda::Scale(cuda.stream(), x.size(), alpha, x.data(), y.data());
}

void Axpy(DeviceContext& context, float alpha, const Tensor& x, Tensor& y) {
  CudaContext& cuda = AsCuda(context, "Axpy");
  NMT_CHECK(x.size() == y.size()) << "Axpy: " << x.ShapeString() << " into " << y.ShapeString();
  cuda::Axpy(cuda.stream(), x.size(), alpha, x.data(), y.data());
}

void UnaryForward(DeviceContext& context, UnaryOp op, const Tensor& x, Tensor& y) {
  CudaContext& cuda = AsCuda(context, UnaryOpName(op));
  cuda::UnaryForward(cuda.stream(), static_cast<int>(op), x.size(), x.data(), y.data());
}

void UnaryBackward(DeviceContext& context, UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& dy, Tensor& dx) {
  CudaContext& cuda = AsCuda(context, UnaryOpName(op));
  cuda::UnaryBackward(cuda.stream(), static_cast<int>(op), x.size(), x.data(), y.data(), dy.data(), dx.data());
}

// The UnaryOp and BinaryOp values are launch.h's ints.
static_assert(static_cast<int>(UnaryOp::kSigmoid) == cuda::kSigmoid && static_cast<int>(UnaryOp::kRelu) == cuda::kRelu);
static_assert(static_cast<int>(BinaryOp::kAdd) == cuda::kAdd && static_cast<int>(BinaryOp::kDiv) == cuda::kDiv);

void BinaryForward(DeviceContext& context, BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y) {
  CudaContext& cuda = AsCuda(context, BinaryOpName(op));
  if (y.size() == 0) return;
  cuda::BinaryForward(cuda.stream(), static_cast<int>(op),
                      cuda::IndexOver(BinaryOpName(op), y.shape(), a.shape(), b.shape()), a.data(), b.data(), y.data());
}

void BinaryBackward(DeviceContext& context, BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& dy, Tensor* da,
                    Tensor* db) {
  CudaContext& cuda = AsCuda(context, BinaryOpName(op));
  if (dy.size() == 0) return;
  static constexpr int kTermA[] = {cuda::kPlain, cuda::kPlain, cuda::kMulDa, cuda::kDivDa};
  static constexpr int kTermB[] = {cuda::kPlain, cuda::kNegate, cuda::kMulDb, cuda::kDivDb};
  const int i = static_cast<int>(op);
  if (da != nullptr) {
    const cuda::ReducePlan plan = cuda::PlanReduction(BinaryOpName(op), dy.shape(), a.shape(), a.shape(), b.shape());
    cuda::ReduceInto(cuda.stream(), plan, cuda::ReduceWithWarps(plan), kTermA[i], 1.0f, /*accumulate=*/true, dy.data(),
                     a.data(), b.data(), da->data());
  }
  if (db != nullptr) {
    const cuda::ReducePlan plan = cuda::PlanReduction(BinaryOpName(op), dy.shape(), b.shape(), a.shape(), b.shape());
    cuda::ReduceInto(cuda.stream(), plan, cuda::ReduceWithWarps(plan), kTermB[i], 1.0f, /*accumulate=*/true, dy.data(),
                     a.data(), b.data(), db->data());
  }
}

void ReduceSum(DeviceContext& context, const Tensor& x, Tensor& y) {
  CudaContext& cuda = AsCuda(context, "ReduceSum");
  NMT_CHECK(x.rank() == y.rank()) << "ReduceSum: " << x.ShapeString() << " to " << y.ShapeString();
  const cuda::ReducePlan plan = cuda::PlanReduction("ReduceSum", x.shape(), y.shape(), x.shape(), x.shape());
  cuda::ReduceInto(cuda.stream(), plan, cuda::ReduceWithWarps(plan), cuda::kPlain, 1.0f, /*accumulate=*/false, x.data(),
                   x.data(), x.data(), y.data());
}

void BroadcastAccumulate(DeviceContext& context, float alpha, const Tensor& dy, Tensor& dx) {
  CudaContext& cuda = AsCuda(context, "BroadcastAccumulate");
  cuda::BroadcastAccumulate(cuda.stream(), cuda::IndexOver("BroadcastAccumulate", dx.shape(), dy.shape(), dy.shape()),
                            alpha, dy.data(), dx.data());
}

// x viewed as [outer, axis, inner].
struct AxisView {
  int64_t outer = 1, axis = 1, inner = 1;
};

AxisView ViewAround(const Shape& shape, int axis) {
  AxisView v;
  for (int i = 0; i < static_cast<int>(shape.size()); ++i) {
    if (i < axis) v.outer *= shape[i];
    if (i == axis) v.axis = shape[i];
    if (i > axis) v.inner *= shape[i];
  }
  return v;
}

void SoftmaxForward(DeviceContext& context, const Tensor& x, const Tensor* mask, int axis, bool log, Tensor& y) {
  CudaContext& cuda = AsCuda(context, log ? "LogSoftmax" : "Softmax");
  const AxisView v = ViewAround(x.shape(), axis);
  cuda::SoftmaxForward(cuda.stream(), v.outer, v.axis, v.inner, x.data(), mask ? mask->data() : nullptr, log, y.data());
}

void SoftmaxBackward(DeviceContext& context, const Tensor& y, const Tensor* mask, const Tensor& dy, int axis, bool log,
                     Tensor& dx) {
  CudaContext& cuda = AsCuda(context, log ? "LogSoftmax" : "Softmax");
  const AxisView v = ViewAround(y.shape(), axis);
  cuda::SoftmaxBackward(cuda.stream(), v.outer, v.axis, v.inner, y.data(), mask ? mask->data() : nullptr, dy.data(),
                        log, dx.data());
}

void Permute(DeviceContext& context, const Tensor& x, absl::Span<const int> perm, bool accumulate, Tensor& y) {
  CudaContext& cuda = AsCuda(context, "Transpose");
  if (x.size() == 0) return;
  cuda::Permute(cuda.stream(), cuda::PermuteIndex(x.shape(), perm), x.data(), accumulate, y.data());
}

void CopyColumns(DeviceContext& context, const Tensor& x, int64_t x_begin, Tensor& y, int64_t y_begin, int64_t outer,
                 int64_t cols, bool accumulate) {
  CudaContext& cuda = AsCuda(context, "CopyColumns");
  if (outer == 0) return;
  cuda::CopyColumns(cuda.stream(), x.data(), x.size() / outer, x_begin, y.data(), y.size() / outer, y_begin, outer,
                    cols, accumulate);
}

void MaxoutForward(DeviceContext& context, const Tensor& x, Tensor& y) {
  CudaContext& cuda = AsCuda(context, "Maxout");
  cuda::MaxoutForward(cuda.stream(), y.size(), x.data(), y.data());
}

void MaxoutBackward(DeviceContext& context, const Tensor& x, const Tensor& dy, Tensor& dx) {
  CudaContext& cuda = AsCuda(context, "Maxout");
  cuda::MaxoutBackward(cuda.stream(), dy.size(), x.data(), dy.data(), dx.data());
}

void DropoutMask(DeviceContext& context, float p, uint64_t seed, int64_t first_row, Tensor& mask) {
  CudaContext& cuda = AsCuda(context, "Dropout");
  NMT_CHECK(p >= 0.0f && p < 1.0f) << "Dropout: probability " << p << " outside [0, 1)";
  NMT_CHECK(mask.rank() >= 1 && first_row >= 0)
      << "Dropout: mask " << mask.ShapeString() << ", first row " << first_row;
  const float keep_scale = 1.0f / (1.0f - p);  // the CPU's expression, so the same float
  const int64_t rows = mask.dim(0);
  const int64_t width = rows > 0 ? mask.size() / rows : 0;
  cuda::DropoutMaskRows(cuda.stream(), rows, width, p, keep_scale, seed, first_row, mask.data());
}

void GruStepForward(DeviceContext& context, GruStepTensors& t, Tensor& y) {
  CudaContext& cuda = AsCuda(context, "GruStep");
  const int64_t batch = t.h.dim(0), n = t.h.dim(1);
  NMT_CHECK(t.x_proj.shape() == (Shape{batch, 3 * n}) && t.u_zr.shape() == (Shape{2 * n, n}) &&
            t.u.shape() == (Shape{n, n}) && (!t.mask.defined() || t.mask.size() == batch))
      << "GruStep: x_proj " << t.x_proj.ShapeString() << ", h " << t.h.ShapeString() << ", U_zr "
      << t.u_zr.ShapeString() << ", U " << t.u.ShapeString();
  NMT_CHECK(!t.recurrent_mask.defined() ||
            (t.recurrent_mask.shape() == t.h.shape() && t.h_dropped.shape() == t.h.shape()))
      << "GruStep: recurrent mask " << t.recurrent_mask.ShapeString() << " for h " << t.h.ShapeString();
  const float* mask = t.mask.defined() ? t.mask.data() : nullptr;
  // hu: the h the U products read (h ∘ recurrent_mask under variational dropout).
  const float* hu = t.h.data();
  if (t.recurrent_mask.defined()) {
    cuda::Multiply(cuda.stream(), batch * n, t.h.data(), t.recurrent_mask.data(), t.h_dropped.data());
    hu = t.h_dropped.data();
  }
  // gates = hu [U_z; U_r]ᵀ, then σ(x_zr + ·) in the pointwise kernels.
  RunGemm(cuda, Dense(batch, 2 * n, n, false, true, hu, t.u_zr.data(), false, t.gates.data()));
  if (!t.linear_before_reset) {  // h̃ = tanh(x_h + U (r ∘ hu))
    cuda::GruGatesResetBeforeU(cuda.stream(), batch, n, t.x_proj.data(), hu, t.gates.data(), t.recurrent.data());
    RunGemm(cuda, Dense(batch, n, n, false, true, t.recurrent.data(), t.u.data(), false, t.candidate.data()));
    cuda::GruCandidateResetBeforeU(cuda.stream(), batch, n, t.x_proj.data(), t.h.data(), mask, t.gates.data(),
                                   t.candidate.data(), y.data());
  } else {  // h̃ = tanh(x_h + r ∘ (U hu))
    RunGemm(cuda, Dense(batch, n, n, false, true, hu, t.u.data(), false, t.recurrent.data()));
    cuda::GruStepLinearBeforeReset(cuda.stream(), batch, n, t.x_proj.data(), t.h.data(), mask, t.gates.data(),
                                   t.recurrent.data(), t.candidate.data(), y.data());
  }
}

void GruStepBackward(DeviceContext& context, const GruStepTensors& t, const Tensor& dy, GruStepGrads& grads) {
  CudaContext& cuda = AsCuda(context, "GruStep");
  const int64_t batch = t.h.dim(0), n = t.h.dim(1);
  const bool lbr = t.linear_before_reset;
  const float* mask = t.mask.defined() ? t.mask.data() : nullptr;
  const float* rmask = t.recurrent_mask.defined() ? t.recurrent_mask.data() : nullptr;
  const float* hu = rmask ? t.h_dropped.data() : t.h.data();  // what the U products read
  Tensor da_zr = context.Allocate({batch, 2 * n});            // gradients of the gate pre-activations
  Tensor da_h = context.Allocate({batch, n});
  Tensor ds = context.Allocate({batch, n});  // d(r ∘ hu), or d(U hu)
  float* dh = grads.dh.defined() ? grads.dh.data() : nullptr;
  // The U products' share of dh goes through d(hu), which the recurrent mask scales;
  // without one, hu is h and it accumulates into dh directly.
  Tensor dhu_t = rmask && dh ? context.Allocate({batch, n}) : Tensor();
  float* dhu = rmask ? (dh ? dhu_t.data() : nullptr) : dh;
  cuda::GruBackwardGates(cuda.stream(), batch, n, lbr, t.h.data(), t.gates.data(), t.candidate.data(),
                         t.recurrent.data(), mask, dy.data(), da_zr.data(), da_h.data(), ds.data(), dh);
  // Under a recurrent mask dhu starts from the reset gate's share (reset before U) or
  // from nothing (linear before reset: the first product overwrites it).
  bool dhu_started = !rmask;
  if (!lbr) {  // ds = d(r ∘ hu) = da_h U, then the reset gate's gradient through it
    RunGemm(cuda, Dense(batch, n, n, false, false, da_h.data(), t.u.data(), false, ds.data()));
    cuda::GruBackwardReset(cuda.stream(), batch, n, hu, t.gates.data(), mask, dy.data(), ds.data(), da_zr.data(), dh,
                           rmask ? dhu : nullptr);
    dhu_started = true;
  }
  if (dhu != nullptr) {
    RunGemm(cuda, Dense(batch, n, 2 * n, false, false, da_zr.data(), t.u_zr.data(), dhu_started, dhu));
    if (lbr) RunGemm(cuda, Dense(batch, n, n, false, false, ds.data(), t.u.data(), true, dhu));
    if (rmask) cuda::AccumulateMasked(cuda.stream(), batch, n, dhu, rmask, dh, n);
  }
  if (grads.dx_proj.defined()) {
    cuda::GruAccumulateDxProj(cuda.stream(), batch, n, da_zr.data(), da_h.data(), grads.dx_proj.data());
  }
  if (grads.du_zr.defined()) {  // dU_zr += da_zrᵀ hu
    RunGemm(cuda, Dense(2 * n, n, batch, true, false, da_zr.data(), hu, true, grads.du_zr.data()));
  }
  if (grads.du.defined()) {  // dU += da_hᵀ (r ∘ hu), or d(U hu)ᵀ hu
    RunGemm(cuda, Dense(n, n, batch, true, false, lbr ? ds.data() : da_h.data(), lbr ? hu : t.recurrent.data(), true,
                        grads.du.data()));
  }
}

void LstmStepForward(DeviceContext& context, LstmStepTensors& t, Tensor& y) {
  CudaContext& cuda = AsCuda(context, "LstmStep");
  const int64_t batch = t.state.dim(0), n = t.state.dim(1) / 2;
  NMT_CHECK(t.x_proj.shape() == (Shape{batch, 4 * n}) && t.u.shape() == (Shape{4 * n, n}) &&
            (!t.mask.defined() || t.mask.size() == batch))
      << "LstmStep: x_proj " << t.x_proj.ShapeString() << ", state " << t.state.ShapeString() << ", U "
      << t.u.ShapeString();
  if (batch * n == 0) return;
  // h = state's first half, contiguous (saved for the backward's dU), ∘ recurrent_mask
  // when there is one: what the U products read.
  NMT_CUDA_CHECK(cudaMemcpy2DAsync(t.h.data(), n * sizeof(float), t.state.data(), 2 * n * sizeof(float),
                                   n * sizeof(float), batch, cudaMemcpyDeviceToDevice, cuda.stream()));
  if (t.recurrent_mask.defined()) {
    NMT_CHECK(t.recurrent_mask.shape() == (Shape{batch, n}))
        << "LstmStep: recurrent mask " << t.recurrent_mask.ShapeString() << " for state " << t.state.ShapeString();
    cuda::Multiply(cuda.stream(), batch * n, t.h.data(), t.recurrent_mask.data(), t.h.data());
  }
  Tensor pre = context.Allocate({batch, 4 * n});  // h [U_i; U_f; U_o; U_c]ᵀ
  RunGemm(cuda, Dense(batch, 4 * n, n, false, true, t.h.data(), t.u.data(), false, pre.data()));
  cuda::LstmStepPointwise(cuda.stream(), batch, n, t.x_proj.data(), t.state.data(),
                          t.mask.defined() ? t.mask.data() : nullptr, pre.data(), t.gates.data(), t.candidate.data(),
                          t.cell_tanh.data(), y.data());
}

void LstmStepBackward(DeviceContext& context, const LstmStepTensors& t, const Tensor& dy, LstmStepGrads& grads) {
  CudaContext& cuda = AsCuda(context, "LstmStep");
  const int64_t batch = t.state.dim(0), n = t.state.dim(1) / 2;
  if (batch * n == 0) return;
  Tensor da = context.Allocate({batch, 4 * n});  // gradients of the pre-activations, order i, f, o, c̃
  float* dstate = grads.dstate.defined() ? grads.dstate.data() : nullptr;
  cuda::LstmBackwardPointwise(cuda.stream(), batch, n, t.state.data(), t.gates.data(), t.candidate.data(),
                              t.cell_tanh.data(), t.mask.defined() ? t.mask.data() : nullptr, dy.data(), da.data(),
                              dstate, grads.dx_proj.defined() ? grads.dx_proj.data() : nullptr);
  if (dstate != nullptr) {  // dstate's h half (row stride 2n) += da U (∘ recurrent_mask)
    if (t.recurrent_mask.defined()) {
      Tensor dh = context.Allocate({batch, n});
      RunGemm(cuda, Dense(batch, n, 4 * n, false, false, da.data(), t.u.data(), false, dh.data()));
      cuda::AccumulateMasked(cuda.stream(), batch, n, dh.data(), t.recurrent_mask.data(), dstate, 2 * n);
    } else {
      RowMajorGemm g = Dense(batch, n, 4 * n, false, false, da.data(), t.u.data(), true, dstate);
      g.ldc = 2 * n;
      RunGemm(cuda, g);
    }
  }
  if (grads.du.defined()) {  // dU += daᵀ h
    RunGemm(cuda, Dense(4 * n, n, batch, true, false, da.data(), t.h.data(), true, grads.du.data()));
  }
}

void AdditiveScoresForward(DeviceContext& context, const Tensor& q, const Tensor& keys, const Tensor& v,
                           Tensor& tanh_out, Tensor& e) {
  CudaContext& cuda = AsCuda(context, "AdditiveScores");
  const int64_t batch = keys.dim(0), length = keys.dim(1), width = keys.dim(2);
  NMT_CHECK(q.shape() == (Shape{batch, width}) && v.shape() == (Shape{width}))
      << "AdditiveScores: query " << q.ShapeString() << ", keys " << keys.ShapeString() << ", v " << v.ShapeString();
  cuda::AdditiveScoresForward(cuda.stream(), batch, length, width, q.data(), keys.data(), v.data(), tanh_out.data(),
                              e.data());
}

void AdditiveScoresBackward(DeviceContext& context, const Tensor& tanh_out, const Tensor& v, const Tensor& de,
                            Tensor* dq, Tensor* dkeys, Tensor* dv) {
  CudaContext& cuda = AsCuda(context, "AdditiveScores");
  const int64_t batch = tanh_out.dim(0), length = tanh_out.dim(1), width = tanh_out.dim(2);
  cuda::AdditiveScoresBackward(cuda.stream(), batch, length, width, tanh_out.data(), v.data(), de.data(),
                               dq ? dq->data() : nullptr, dkeys ? dkeys->data() : nullptr);
  if (dv != nullptr) {  // dv (1 × n') += deᵀ (1 × B·Tx) · tanh (B·Tx × n')
    RunGemm(cuda, Dense(1, width, batch * length, false, false, de.data(), tanh_out.data(), true, dv->data()));
  }
}

void AttentionContextForward(DeviceContext& context, const Tensor& alpha, const Tensor& h, Tensor& c) {
  CudaContext& cuda = AsCuda(context, "AttentionContext");
  const int64_t batch = h.dim(0), length = h.dim(1), width = h.dim(2);
  NMT_CHECK(alpha.shape() == (Shape{batch, length}))
      << "AttentionContext: alpha " << alpha.ShapeString() << " for annotations " << h.ShapeString();
  cuda::AttentionContextForward(cuda.stream(), batch, length, width, alpha.data(), h.data(), c.data());
}

void AttentionContextBackward(DeviceContext& context, const Tensor& alpha, const Tensor& h, const Tensor& dc,
                              Tensor* dalpha, Tensor* dh) {
  CudaContext& cuda = AsCuda(context, "AttentionContext");
  const int64_t batch = h.dim(0), length = h.dim(1), width = h.dim(2);
  cuda::AttentionContextBackward(cuda.stream(), batch, length, width, alpha.data(), h.data(), dc.data(),
                                 dalpha ? dalpha->data() : nullptr, dh ? dh->data() : nullptr);
}

void EmbeddingForward(DeviceContext& context, const Tensor& table, const Tensor& ids, Tensor& y) {
  CudaContext& cuda = AsCuda(context, "EmbeddingLookup");
  NMT_CHECK(table.rank() == 2 && ids.dtype() == DType::kI32 && y.size() == ids.size() * table.dim(1))
      << "EmbeddingLookup: table " << table.ShapeString() << ", ids " << ids.ShapeString() << ", y " << y.ShapeString();
  cuda::EmbeddingForward(cuda.stream(), table.data(), table.dim(0), table.dim(1), ids.int32_data(), ids.size(),
                         y.data(), cuda.error_flags());
}

void EmbeddingBackward(DeviceContext& context, const Tensor& ids, const Tensor& dy, Tensor& dtable) {
  CudaContext& cuda = AsCuda(context, "EmbeddingLookup");
  cuda::EmbeddingBackward(cuda.stream(), ids.int32_data(), ids.size(), dtable.dim(0), dtable.dim(1), dy.data(),
                          dtable.data());
}

void GatherRows(DeviceContext& context, const Tensor& x, const Tensor& rows, Tensor& y) {
  CudaContext& cuda = AsCuda(context, "GatherRows");
  if (x.rank() == 0 || rows.size() == 0) return;
  const int64_t width = x.size() / std::max<int64_t>(1, x.dim(0));
  cuda::GatherRows(cuda.stream(), x.data(), x.dim(0), width, rows.int32_data(), rows.size(), y.data(),
                   cuda.error_flags());
}

void SoftmaxXentForward(DeviceContext& context, const Tensor& logits, const Tensor& targets, const Tensor& mask,
                        float label_smoothing, Tensor& log_probs, Tensor& nll) {
  CudaContext& cuda = AsCuda(context, "SoftmaxCrossEntropy");
  NMT_CHECK(label_smoothing >= 0.0f && label_smoothing < 1.0f)
      << "SoftmaxCrossEntropy: label smoothing " << label_smoothing << " outside [0, 1)";
  cuda::SoftmaxXentForward(cuda.stream(), logits.dim(0), logits.dim(1), logits.data(), targets.int32_data(),
                           mask.data(), label_smoothing, log_probs.data(), nll.data(), cuda.error_flags());
}

void SoftmaxXentBackward(DeviceContext& context, const Tensor& log_probs, const Tensor& targets, const Tensor& mask,
                         float label_smoothing, const Tensor& dnll, Tensor& dlogits) {
  CudaContext& cuda = AsCuda(context, "SoftmaxCrossEntropy");
  cuda::SoftmaxXentBackward(cuda.stream(), log_probs.dim(0), log_probs.dim(1), log_probs.data(), targets.int32_data(),
                            mask.data(), label_smoothing, dnll.data(), dlogits.data());
}

void CheckSameSize(const char* op, const Tensor& grad, std::initializer_list<const Tensor*> others) {
  for (const Tensor* t : others) {
    NMT_CHECK(t->size() == grad.size()) << op << ": grad " << grad.ShapeString() << " but " << t->ShapeString();
  }
}

void AdamUpdate(DeviceContext& context, const AdamStep& step, const Tensor& grad, Tensor& value, Tensor& exp_avg,
                Tensor& exp_avg_sq) {
  CudaContext& cuda = AsCuda(context, "Adam");
  CheckSameSize("Adam", grad, {&value, &exp_avg, &exp_avg_sq});
  cuda::AdamUpdate(cuda.stream(), grad.size(), step.beta1, step.one_minus_beta1, step.beta2, step.one_minus_beta2,
                   step.eps, step.neg_step_size, step.bias_correction2_sqrt, grad.data(), value.data(), exp_avg.data(),
                   exp_avg_sq.data());
}

void AdadeltaUpdate(DeviceContext& context, const AdadeltaStep& step, const Tensor& grad, Tensor& value,
                    Tensor& square_avg, Tensor& acc_delta) {
  CudaContext& cuda = AsCuda(context, "Adadelta");
  CheckSameSize("Adadelta", grad, {&value, &square_avg, &acc_delta});
  cuda::AdadeltaUpdate(cuda.stream(), grad.size(), step.rho, step.one_minus_rho, step.eps, step.neg_lr, grad.data(),
                       value.data(), square_avg.data(), acc_delta.data());
}

void SgdUpdate(DeviceContext& context, float neg_lr, const Tensor& grad, Tensor& value) {
  CudaContext& cuda = AsCuda(context, "Sgd");
  CheckSameSize("Sgd", grad, {&value});
  cuda::SgdUpdate(cuda.stream(), grad.size(), neg_lr, grad.data(), value.data());
}

// The table's fixed order: chunk sums of every tensor, in order, then one sequential sum.
double SumOfSquares(DeviceContext& context, absl::Span<const Tensor> xs) {
  CudaContext& cuda = AsCuda(context, "SumOfSquares");
  int64_t chunks = 0;
  for (const Tensor& x : xs) chunks += (x.size() + kSumOfSquaresChunk - 1) / kSumOfSquaresChunk;
  // Doubles in pooled f32 storage (64-byte aligned): the partials, then the total.
  Tensor scratch = context.Allocate({2 * (chunks + 1)});
  double* partials = reinterpret_cast<double*>(scratch.data());
  int64_t offset = 0;
  for (const Tensor& x : xs) {
    cuda::ChunkSumsOfSquares(cuda.stream(), x.size(), kSumOfSquaresChunk, x.data(), partials + offset);
    offset += (x.size() + kSumOfSquaresChunk - 1) / kSumOfSquaresChunk;
  }
  cuda::SumInOrder(cuda.stream(), chunks, partials, partials + chunks);
  double total = 0.0;
  context.memory().Copy(&total, Device::kCPU, partials + chunks, Device::kCUDA, sizeof(double));  // waits
  return total;
}

}  // namespace

const Kernels& CudaKernels() {
  static const Kernels kernels = {
      .gemm = Gemm,
      .scale = Scale,
      .axpy = Axpy,
      .unary_forward = UnaryForward,
      .unary_backward = UnaryBackward,
      .binary_forward = BinaryForward,
      .binary_backward = BinaryBackward,
      .reduce_sum = ReduceSum,
      .broadcast_accumulate = BroadcastAccumulate,
      .softmax_forward = SoftmaxForward,
      .softmax_backward = SoftmaxBackward,
      .permute = Permute,
      .copy_columns = CopyColumns,
      .embedding_forward = EmbeddingForward,
      .embedding_backward = EmbeddingBackward,
      .gather_rows = GatherRows,
      .maxout_forward = MaxoutForward,
      .maxout_backward = MaxoutBackward,
      .softmax_xent_forward = SoftmaxXentForward,
      .softmax_xent_backward = SoftmaxXentBackward,
      .dropout_mask = DropoutMask,
      .gru_step_forward = GruStepForward,
      .gru_step_backward = GruStepBackward,
      .lstm_step_forward = LstmStepForward,
      .lstm_step_backward = LstmStepBackward,
      .additive_scores_forward = AdditiveScoresForward,
      .additive_scores_backward = AdditiveScoresBackward,
      .attention_context_forward = AttentionContextForward,
      .attention_context_backward = AttentionContextBackward,
      .adam_update = AdamUpdate,
      .adadelta_update = AdadeltaUpdate,
      .sgd_update = SgdUpdate,
      .sum_of_squares = SumOfSquares,
  };
  return kernels;
}

}  // namespace nmt
