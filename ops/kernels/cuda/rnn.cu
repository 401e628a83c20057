// The pointwise halves of the fused GRU and LSTM steps and the additive attention
// kernels. The recurrent products are cuBLAS calls between these launches
// (cuda_kernels.cc); everything else about a step is one or two passes over (B, n).
// The formulas are the CPU's (ops/kernels/cpu/rnn_kernels.cc), term for term.
#include "ops/kernels/cuda/device_util.cuh"

namespace nmt::cuda {
namespace {

__device__ __forceinline__ float Sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

__device__ __forceinline__ float Keep(const float* mask, int64_t b) { return mask == nullptr ? 1.0f : mask[b]; }

__global__ void GruGatesResetBeforeUKernel(int64_t batch, int64_t n, const float* x_proj, const float* hu, float* gates,
                                           float* recurrent) {
  NMT_GRID_STRIDE_LOOP(i, batch * 2 * n) {
    const int64_t b = i / (2 * n), k = i % (2 * n);
    const float g = Sigmoid(x_proj[b * 3 * n + k] + gates[i]);
    gates[i] = g;
    if (k >= n) recurrent[b * n + (k - n)] = g * hu[b * n + (k - n)];
  }
}

__global__ void GruCandidateResetBeforeUKernel(int64_t batch, int64_t n, const float* x_proj, const float* h,
                                               const float* mask, const float* gates, float* candidate, float* y) {
  NMT_GRID_STRIDE_LOOP(i, batch * n) {
    const int64_t b = i / n, k = i % n;
    const float c = tanhf(x_proj[b * 3 * n + 2 * n + k] + candidate[i]);
    candidate[i] = c;
    const float z = gates[b * 2 * n + k];
    y[i] = h[i] + Keep(mask, b) * z * (c - h[i]);
  }
}

__global__ void GruStepLinearBeforeResetKernel(int64_t batch, int64_t n, const float* x_proj, const float* h,
                                               const float* mask, float* gates, const float* recurrent,
                                               float* candidate, float* y) {
  NMT_GRID_STRIDE_LOOP(i, batch * n) {
    const int64_t b = i / n, k = i % n;
    const float* x = x_proj + b * 3 * n;
    float* g = gates + b * 2 * n;
    const float z = Sigmoid(x[k] + g[k]);
    const float r = Sigmoid(x[n + k] + g[n + k]);
    g[k] = z;
    g[n + k] = r;
    const float c = tanhf(x[2 * n + k] + r * recurrent[i]);
    candidate[i] = c;
    y[i] = h[i] + Keep(mask, b) * z * (c - h[i]);
  }
}

__global__ void GruBackwardGatesKernel(int64_t batch, int64_t n, bool linear_before_reset, const float* h,
                                       const float* gates, const float* candidate, const float* recurrent,
                                       const float* mask, const float* dy, float* da_zr, float* da_h, float* ds,
                                       float* dh) {
  NMT_GRID_STRIDE_LOOP(i, batch * n) {
    const int64_t b = i / n, k = i % n;
    const float keep = Keep(mask, b);
    const float z = gates[b * 2 * n + k], c = candidate[i], g = keep * dy[i];
    const float dah = g * z * (1.0f - c * c);
    da_h[i] = dah;
    da_zr[b * 2 * n + k] = g * (c - h[i]) * z * (1.0f - z);
    if (linear_before_reset) {  // h̃ = tanh(x_h + r ∘ (U h)): dr = da_h ∘ U h, d(U h) = da_h ∘ r
      const float r = gates[b * 2 * n + n + k];
      ds[i] = dah * r;
      const float dr = dah * recurrent[i];
      da_zr[b * 2 * n + n + k] = dr * r * (1.0f - r);
      if (dh != nullptr) dh[i] += dy[i] * (1.0f - keep * z);
    }
  }
}

__global__ void GruBackwardResetKernel(int64_t batch, int64_t n, const float* hu, const float* gates, const float* mask,
                                       const float* dy, const float* ds, float* da_zr, float* dh, float* dhu) {
  NMT_GRID_STRIDE_LOOP(i, batch * n) {
    const int64_t b = i / n, k = i % n;
    const float z = gates[b * 2 * n + k], r = gates[b * 2 * n + n + k];
    const float dr = ds[i] * hu[i];  // through r ∘ hu
    da_zr[b * 2 * n + n + k] = dr * r * (1.0f - r);
    if (dh != nullptr) {
      const float through_u = ds[i] * r;
      if (dhu != nullptr) {  // scaled by the recurrent mask later
        dh[i] += dy[i] * (1.0f - Keep(mask, b) * z);
        dhu[i] = through_u;
      } else {
        dh[i] += dy[i] * (1.0f - Keep(mask, b) * z) + through_u;
      }
    }
  }
}

__global__ void GruAccumulateDxProjKernel(int64_t batch, int64_t n, const float* da_zr, const float* da_h,
                                          float* dx_proj) {
  NMT_GRID_STRIDE_LOOP(i, batch * 3 * n) {
    const int64_t b = i / (3 * n), k = i % (3 * n);
    dx_proj[i] += k < 2 * n ? da_zr[b * 2 * n + k] : da_h[b * n + (k - 2 * n)];
  }
}

__global__ void LstmStepPointwiseKernel(int64_t batch, int64_t n, const float* x_proj, const float* state,
                                        const float* mask, const float* pre, float* gates, float* candidate,
                                        float* cell_tanh, float* y) {
  NMT_GRID_STRIDE_LOOP(i, batch * n) {
    const int64_t b = i / n, k = i % n;
    const float* x = x_proj + b * 4 * n;
    const float* p = pre + b * 4 * n;
    float* g = gates + b * 3 * n;
    const float in = Sigmoid(x[k] + p[k]);
    const float f = Sigmoid(x[n + k] + p[n + k]);
    const float o = Sigmoid(x[2 * n + k] + p[2 * n + k]);
    const float c_tilde = tanhf(x[3 * n + k] + p[3 * n + k]);
    g[k] = in;
    g[n + k] = f;
    g[2 * n + k] = o;
    candidate[i] = c_tilde;
    const float h_old = state[b * 2 * n + k], c_old = state[b * 2 * n + n + k];
    const float c_new = f * c_old + in * c_tilde;
    const float tc = tanhf(c_new);
    cell_tanh[i] = tc;
    const float keep = Keep(mask, b);
    y[b * 2 * n + k] = h_old + keep * (o * tc - h_old);
    y[b * 2 * n + n + k] = c_old + keep * (c_new - c_old);
  }
}

__global__ void LstmBackwardPointwiseKernel(int64_t batch, int64_t n, const float* state, const float* gates,
                                            const float* candidate, const float* cell_tanh, const float* mask,
                                            const float* dy, float* da, float* dstate, float* dx_proj) {
  NMT_GRID_STRIDE_LOOP(idx, batch * n) {
    const int64_t b = idx / n, k = idx % n;
    const float keep = Keep(mask, b);
    const float* g = gates + b * 3 * n;
    const float i = g[k], f = g[n + k], o = g[2 * n + k], c_tilde = candidate[idx], tc = cell_tanh[idx];
    const float dy_h = dy[b * 2 * n + k], dy_c = dy[b * 2 * n + n + k];
    const float dh = keep * dy_h;
    const float dc = keep * dy_c + dh * o * (1.0f - tc * tc);
    const float c_old = state[b * 2 * n + n + k];
    float* a = da + b * 4 * n;
    a[k] = dc * c_tilde * i * (1.0f - i);
    a[n + k] = dc * c_old * f * (1.0f - f);
    a[2 * n + k] = dh * tc * o * (1.0f - o);
    a[3 * n + k] = dc * i * (1.0f - c_tilde * c_tilde);
    if (dstate != nullptr) {
      dstate[b * 2 * n + k] += (1.0f - keep) * dy_h;
      dstate[b * 2 * n + n + k] += dc * f + (1.0f - keep) * dy_c;
    }
    if (dx_proj != nullptr) {
      float* dx = dx_proj + b * 4 * n;
      dx[k] += a[k];
      dx[n + k] += a[n + k];
      dx[2 * n + k] += a[2 * n + k];
      dx[3 * n + k] += a[3 * n + k];
    }
  }
}

// One warp per (b, j) row of the keys.
__global__ void AdditiveScoresForwardKernel(int64_t batch, int64_t length, int64_t width, const float* q,
                                            const float* keys, const float* v, float* tanh_out, float* e) {
  const int lane = threadIdx.x % kWarp;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * (blockDim.x / kWarp);
  for (int64_t row = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp; row < batch * length;
       row += warps) {
    const float* qb = q + (row / length) * width;
    const float* key = keys + row * width;
    float* t = tanh_out + row * width;
    float sum = 0.0f;
    for (int64_t k = lane; k < width; k += kWarp) {
      const float value = tanhf(key[k] + qb[k]);
      t[k] = value;
      sum += value * v[k];
    }
    sum = WarpSum(sum);
    if (lane == 0) e[row] = sum;
  }
}

// One thread per (b, k), walking j: dkeys[b, j, k] += d, dq[b, k] += Σ_j d.
__global__ void AdditiveScoresBackwardKernel(int64_t batch, int64_t length, int64_t width, const float* tanh_out,
                                             const float* v, const float* de, float* dq, float* dkeys) {
  NMT_GRID_STRIDE_LOOP(i, batch * width) {
    const int64_t b = i / width, k = i % width;
    float sum = 0.0f;
    for (int64_t j = 0; j < length; ++j) {
      const int64_t at = (b * length + j) * width + k;
      const float t = tanh_out[at];
      const float d = de[b * length + j] * v[k] * (1.0f - t * t);
      if (dkeys != nullptr) dkeys[at] += d;
      sum += d;
    }
    if (dq != nullptr) dq[i] += sum;
  }
}

__global__ void AttentionContextForwardKernel(int64_t batch, int64_t length, int64_t width, const float* alpha,
                                              const float* h, float* c) {
  NMT_GRID_STRIDE_LOOP(i, batch * width) {
    const int64_t b = i / width, k = i % width;
    float sum = 0.0f;
    for (int64_t j = 0; j < length; ++j) sum += alpha[b * length + j] * h[(b * length + j) * width + k];
    c[i] = sum;
  }
}

// dalpha[b, j] += dc[b] · h[b, j]: one warp per (b, j).
__global__ void AttentionDalphaKernel(int64_t batch, int64_t length, int64_t width, const float* h, const float* dc,
                                      float* dalpha) {
  const int lane = threadIdx.x % kWarp;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * (blockDim.x / kWarp);
  for (int64_t row = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp; row < batch * length;
       row += warps) {
    const float* dcb = dc + (row / length) * width;
    const float* hj = h + row * width;
    float sum = 0.0f;
    for (int64_t k = lane; k < width; k += kWarp) sum += dcb[k] * hj[k];
    sum = WarpSum(sum);
    if (lane == 0) dalpha[row] += sum;
  }
}

// dh[b, j, k] += alpha[b, j] dc[b, k].
__global__ void AttentionDhKernel(int64_t batch, int64_t length, int64_t width, const float* alpha, const float* dc,
                                  float* dh) {
  NMT_GRID_STRIDE_LOOP(i, batch * length * width) {
    const int64_t row = i / width, k = i % width;
    dh[i] += alpha[row] * dc[(row / length) * width + k];
  }
}

}  // namespace

void GruGatesResetBeforeU(cudaStream_t stream, int64_t batch, int64_t n, const float* x_proj, const float* hu,
                          float* gates, float* recurrent) {
  if (batch * n == 0) return;
  GruGatesResetBeforeUKernel<<<BlocksFor(batch * 2 * n), kThreads, 0, stream>>>(batch, n, x_proj, hu, gates, recurrent);
  CheckLaunch("GruGatesResetBeforeU");
}

void GruCandidateResetBeforeU(cudaStream_t stream, int64_t batch, int64_t n, const float* x_proj, const float* h,
                              const float* mask, const float* gates, float* candidate, float* y) {
  if (batch * n == 0) return;
  GruCandidateResetBeforeUKernel<<<BlocksFor(batch * n), kThreads, 0, stream>>>(batch, n, x_proj, h, mask, gates,
                                                                                candidate, y);
  CheckLaunch("GruCandidateResetBeforeU");
}

void GruStepLinearBeforeReset(cudaStream_t stream, int64_t batch, int64_t n, const float* x_proj, const float* h,
                              const float* mask, float* gates, const float* recurrent, float* candidate, float* y) {
  if (batch * n == 0) return;
  GruStepLinearBeforeResetKernel<<<BlocksFor(batch * n), kThreads, 0, stream>>>(batch, n, x_proj, h, mask, gates,
                                                                                recurrent, candidate, y);
  CheckLaunch("GruStepLinearBeforeReset");
}

void GruBackwardGates(cudaStream_t stream, int64_t batch, int64_t n, bool linear_before_reset, const float* h,
                      const float* gates, const float* candidate, const float* recurrent, const float* mask,
                      const float* dy, float* da_zr, float* da_h, float* ds, float* dh) {
  if (batch * n == 0) return;
  GruBackwardGatesKernel<<<BlocksFor(batch * n), kThreads, 0, stream>>>(
      batch, n, linear_before_reset, h, gates, candidate, recurrent, mask, dy, da_zr, da_h, ds, dh);
  CheckLaunch("GruBackwardGates");
}

void GruBackwardReset(cudaStream_t stream, int64_t batch, int64_t n, const float* hu, const float* gates,
                      const float* mask, const float* dy, const float* ds, float* da_zr, float* dh, float* dhu) {
  if (batch * n == 0) return;
  GruBackwardResetKernel<<<BlocksFor(batch * n), kThreads, 0, stream>>>(batch, n, hu, gates, mask, dy, ds, da_zr, dh,
                                                                        dhu);
  CheckLaunch("GruBackwardReset");
}

void GruAccumulateDxProj(cudaStream_t stream, int64_t batch, int64_t n, const float* da_zr, const float* da_h,
                         float* dx_proj) {
  if (batch * n == 0) return;
  GruAccumulateDxProjKernel<<<BlocksFor(batch * 3 * n), kThreads, 0, stream>>>(batch, n, da_zr, da_h, dx_proj);
  CheckLaunch("GruAccumulateDxProj");
}

void LstmStepPointwise(cudaStream_t stream, int64_t batch, int64_t n, const float* x_proj, const float* state,
                       const float* mask, const float* pre, float* gates, float* candidate, float* cell_tanh,
                       float* y) {
  if (batch * n == 0) return;
  LstmStepPointwiseKernel<<<BlocksFor(batch * n), kThreads, 0, stream>>>(batch, n, x_proj, state, mask, pre, gates,
                                                                         candidate, cell_tanh, y);
  CheckLaunch("LstmStepPointwise");
}

void LstmBackwardPointwise(cudaStream_t stream, int64_t batch, int64_t n, const float* state, const float* gates,
                           const float* candidate, const float* cell_tanh, const float* mask, const float* dy,
                           float* da, float* dstate, float* dx_proj) {
  if (batch * n == 0) return;
  LstmBackwardPointwiseKernel<<<BlocksFor(batch * n), kThreads, 0, stream>>>(batch, n, state, gates, candidate,
                                                                             cell_tanh, mask, dy, da, dstate, dx_proj);
  CheckLaunch("LstmBackwardPointwise");
}

void AdditiveScoresForward(cudaStream_t stream, int64_t batch, int64_t length, int64_t width, const float* q,
                           const float* keys, const float* v, float* tanh_out, float* e) {
  if (batch * length == 0) return;
  AdditiveScoresForwardKernel<<<BlocksFor(batch * length * kWarp), kThreads, 0, stream>>>(batch, length, width, q, keys,
                                                                                          v, tanh_out, e);
  CheckLaunch("AdditiveScoresForward");
}

void AdditiveScoresBackward(cudaStream_t stream, int64_t batch, int64_t length, int64_t width, const float* tanh_out,
                            const float* v, const float* de, float* dq, float* dkeys) {
  if (batch * width == 0 || (dq == nullptr && dkeys == nullptr)) return;
  AdditiveScoresBackwardKernel<<<BlocksFor(batch * width), kThreads, 0, stream>>>(batch, length, width, tanh_out, v, de,
                                                                                  dq, dkeys);
  CheckLaunch("AdditiveScoresBackward");
}

void AttentionContextForward(cudaStream_t stream, int64_t batch, int64_t length, int64_t width, const float* alpha,
                             const float* h, float* c) {
  if (batch * width == 0) return;
  AttentionContextForwardKernel<<<BlocksFor(batch * width), kThreads, 0, stream>>>(batch, length, width, alpha, h, c);
  CheckLaunch("AttentionContextForward");
}

void AttentionContextBackward(cudaStream_t stream, int64_t batch, int64_t length, int64_t width, const float* alpha,
                              const float* h, const float* dc, float* dalpha, float* dh) {
  if (batch * length == 0) return;
  if (dalpha != nullptr) {
    AttentionDalphaKernel<<<BlocksFor(batch * length * kWarp), kThreads, 0, stream>>>(batch, length, width, h, dc,
                                                                                      dalpha);
    CheckLaunch("AttentionContextBackward(dalpha)");
  }
  if (dh != nullptr && width > 0) {
    AttentionDhKernel<<<BlocksFor(batch * length * width), kThreads, 0, stream>>>(batch, length, width, alpha, dc, dh);
    CheckLaunch("AttentionContextBackward(dh)");
  }
}

}  // namespace nmt::cuda
