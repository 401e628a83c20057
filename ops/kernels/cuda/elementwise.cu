// Elementwise, broadcast, reduction and data-movement kernels, the dropout mask and the
// optimizer updates: one thread per output element in grid-stride loops, except the
// reductions (ReduceInto, ChunkSumsOfSquares), which give a target a thread, a warp or a block.
#include <cstdio>
#include <cstdlib>

#include "base/random.h"
#include "ops/kernels/cuda/device_util.cuh"

namespace nmt::cuda {

void CheckLaunch(const char* kernel) {
  const cudaError_t status = cudaGetLastError();
  if (status == cudaSuccess) return;
  std::fprintf(stderr, "CUDA kernel %s failed to launch: %s (%s)\n", kernel, cudaGetErrorString(status),
               cudaGetErrorName(status));
  std::abort();
}

namespace {

__global__ void ScaleKernel(int64_t n, float alpha, const float* x, float* y) {
  NMT_GRID_STRIDE_LOOP(i, n) y[i] = alpha * x[i];
}

__global__ void AxpyKernel(int64_t n, float alpha, const float* x, float* y) {
  NMT_GRID_STRIDE_LOOP(i, n) y[i] += alpha * x[i];
}

__global__ void Fill32Kernel(int64_t n, uint32_t bits, uint32_t* y) { NMT_GRID_STRIDE_LOOP(i, n) y[i] = bits; }

__device__ __forceinline__ float Sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

__global__ void UnaryForwardKernel(int op, int64_t n, const float* x, float* y) {
  NMT_GRID_STRIDE_LOOP(i, n) {
    const float v = x[i];
    switch (op) {
      case kSigmoid:
        y[i] = Sigmoid(v);
        break;
      case kTanh:
        y[i] = tanhf(v);
        break;
      case kExp:
        y[i] = expf(v);
        break;
      case kLog:
        y[i] = logf(v);
        break;
      default:  // kRelu
        y[i] = v > 0.0f ? v : 0.0f;
        break;
    }
  }
}

__global__ void UnaryBackwardKernel(int op, int64_t n, const float* x, const float* y, const float* dy, float* dx) {
  NMT_GRID_STRIDE_LOOP(i, n) {
    switch (op) {
      case kSigmoid:
        dx[i] += dy[i] * y[i] * (1.0f - y[i]);
        break;
      case kTanh:
        dx[i] += dy[i] * (1.0f - y[i] * y[i]);
        break;
      case kExp:
        dx[i] += dy[i] * y[i];
        break;
      case kLog:
        dx[i] += dy[i] / x[i];
        break;
      default:  // kRelu
        dx[i] += x[i] > 0.0f ? dy[i] : 0.0f;
        break;
    }
  }
}

__device__ __forceinline__ float Apply(int op, float a, float b) {
  switch (op) {
    case kAdd:
      return a + b;
    case kSub:
      return a - b;
    case kMul:
      return a * b;
    default:  // kDiv
      return a / b;
  }
}

__global__ void BinaryForwardKernel(int op, BroadcastIndex index, int64_t n, const float* a, const float* b, float* y) {
  NMT_GRID_STRIDE_LOOP(o, n) {
    int64_t ia, ib;
    BroadcastOffsets(index, o, &ia, &ib);
    y[o] = Apply(op, a[ia], b[ib]);
  }
}

// Same-shape operands (the common case): no index arithmetic.
__global__ void BinarySameShapeKernel(int op, int64_t n, const float* a, const float* b, float* y) {
  NMT_GRID_STRIDE_LOOP(o, n) y[o] = Apply(op, a[o], b[o]);
}

__global__ void BroadcastAccumulateKernel(BroadcastIndex index, int64_t n, float alpha, const float* dy, float* dx) {
  NMT_GRID_STRIDE_LOOP(o, n) {
    int64_t i, unused;
    BroadcastOffsets(index, o, &i, &unused);
    dx[o] += alpha * dy[i];
  }
}

// The contribution of reduced element r of target t.
__device__ __forceinline__ float PlanTerm(const ReducePlan& plan, int term, int64_t t, int64_t r, const float* dy,
                                          const float* a, const float* b) {
  int64_t o, ia, ib;
  PlanOffsets(plan, t, r, &o, &ia, &ib);
  const bool needs_operands = term >= kMulDa;
  return ReduceTermValue(term, dy[o], needs_operands ? a[ia] : 0.0f, needs_operands ? b[ib] : 0.0f);
}

// One thread per target element: neighbouring threads read neighbouring elements when
// the summed dims are outer ones (a bias gradient).
__global__ void ReduceThreadPerTarget(ReducePlan plan, int term, float alpha, bool accumulate, const float* dy,
                                      const float* a, const float* b, float* target) {
  NMT_GRID_STRIDE_LOOP(t, plan.target_size) {
    float sum = 0.0f;
    for (int64_t r = 0; r < plan.reduced_size; ++r) sum += PlanTerm(plan, term, t, r, dy, a, b);
    target[t] = (accumulate ? target[t] : 0.0f) + alpha * sum;
  }
}

// One warp per target element: the summed dims include the innermost, so lanes read
// neighbouring elements.
__global__ void ReduceWarpPerTarget(ReducePlan plan, int term, float alpha, bool accumulate, const float* dy,
                                    const float* a, const float* b, float* target) {
  const int lane = threadIdx.x % kWarp;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * (blockDim.x / kWarp);
  for (int64_t t = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp; t < plan.target_size;
       t += warps) {
    float sum = 0.0f;
    for (int64_t r = lane; r < plan.reduced_size; r += kWarp) sum += PlanTerm(plan, term, t, r, dy, a, b);
    sum = WarpSum(sum);
    if (lane == 0) target[t] = (accumulate ? target[t] : 0.0f) + alpha * sum;
  }
}

// A leading reduction: dy (rows × cols) summed down its columns. A block takes 32
// columns; its 8 rows of threads sum every 8th row (neighbouring threads read
// neighbouring columns), then one thread per column adds the 8 partials in order, so
// the result is the same on every run.
constexpr int kColumnTile = 32, kRowSlices = 8;

__global__ void ReduceLeadingKernel(int64_t rows, int64_t cols, float scale, bool accumulate, const float* dy,
                                    float* target) {
  __shared__ float partial[kRowSlices][kColumnTile + 1];
  const int64_t t = static_cast<int64_t>(blockIdx.x) * kColumnTile + threadIdx.x;
  float sum = 0.0f;
  if (t < cols) {
    for (int64_t r = threadIdx.y; r < rows; r += kRowSlices) sum += dy[r * cols + t];
  }
  partial[threadIdx.y][threadIdx.x] = sum;
  __syncthreads();
  if (threadIdx.y == 0 && t < cols) {
    float total = 0.0f;
    for (int y = 0; y < kRowSlices; ++y) total += partial[y][threadIdx.x];
    target[t] = (accumulate ? target[t] : 0.0f) + scale * total;
  }
}

__global__ void AddBiasKernel(int64_t rows, int64_t cols, const float* bias, float* c) {
  NMT_GRID_STRIDE_LOOP(i, rows * cols) c[i] += bias[i % cols];
}

__global__ void PermuteKernel(BroadcastIndex index, int64_t n, const float* x, bool accumulate, float* y) {
  NMT_GRID_STRIDE_LOOP(o, n) {
    int64_t i, unused;
    BroadcastOffsets(index, o, &i, &unused);
    y[o] = accumulate ? y[o] + x[i] : x[i];
  }
}

__global__ void CopyColumnsKernel(const float* x, int64_t x_cols, int64_t x_begin, float* y, int64_t y_cols,
                                  int64_t y_begin, int64_t outer, int64_t cols, bool accumulate) {
  NMT_GRID_STRIDE_LOOP(i, outer * cols) {
    const int64_t o = i / cols, j = i % cols;
    const float v = x[o * x_cols + x_begin + j];
    float* to = y + o * y_cols + y_begin + j;
    *to = accumulate ? *to + v : v;
  }
}

__global__ void MaxoutForwardKernel(int64_t n, const float* x, float* y) {
  NMT_GRID_STRIDE_LOOP(i, n) y[i] = fmaxf(x[2 * i], x[2 * i + 1]);
}

__global__ void MaxoutBackwardKernel(int64_t n, const float* x, const float* dy, float* dx) {
  // Ties go to the first of the pair, as on the CPU.
  NMT_GRID_STRIDE_LOOP(i, n) dx[2 * i + (x[2 * i + 1] > x[2 * i] ? 1 : 0)] += dy[i];
}

__global__ void DropoutMaskKernel(int64_t n, float p, float keep_scale, uint64_t seed, float* mask) {
  NMT_GRID_STRIDE_LOOP(i, n) {
    // The CPU's formula (ops/kernels/cpu/data_kernels.cc), from the same constexpr hash.
    const uint64_t z = SplitMix64At(seed, static_cast<uint64_t>(i));
    const float u = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
    mask[i] = u < p ? 0.0f : keep_scale;
  }
}

__global__ void DropoutMaskRowsKernel(int64_t rows, int64_t width, float p, float keep_scale, uint64_t seed,
                                      int64_t first_row, float* mask) {
  NMT_GRID_STRIDE_LOOP(i, rows * width) {
    // Branch reg's CPU formula (per-row seeds), from the same constexpr hash.
    const int64_t r = i / width, j = i % width;
    const uint64_t row_seed = SplitMix64At(seed, static_cast<uint64_t>(first_row + r));
    const uint64_t z = SplitMix64At(row_seed, static_cast<uint64_t>(j));
    const float u = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
    mask[i] = u < p ? 0.0f : keep_scale;
  }
}

__global__ void AccumulateMaskedKernel(int64_t rows, int64_t cols, const float* x, const float* m, float* y,
                                       int64_t ld_y) {
  NMT_GRID_STRIDE_LOOP(i, rows * cols) y[(i / cols) * ld_y + i % cols] += x[i] * m[i];
}

__global__ void MultiplyKernel(int64_t n, const float* x, const float* m, float* y) {
  NMT_GRID_STRIDE_LOOP(i, n) y[i] = x[i] * m[i];
}

__global__ void SgdUpdateKernel(int64_t n, float neg_lr, const float* grad, float* value) {
  NMT_GRID_STRIDE_LOOP(i, n) value[i] += neg_lr * grad[i];
}

__global__ void AdadeltaUpdateKernel(int64_t n, float rho, float one_minus_rho, float eps, float neg_lr,
                                     const float* grad, float* value, float* square_avg, float* acc_delta) {
  NMT_GRID_STRIDE_LOOP(i, n) {
    const float g = grad[i];
    const float v = square_avg[i] * rho + one_minus_rho * g * g;
    const float delta = sqrtf(acc_delta[i] + eps) / sqrtf(v + eps) * g;
    square_avg[i] = v;
    acc_delta[i] = acc_delta[i] * rho + one_minus_rho * delta * delta;
    value[i] += neg_lr * delta;
  }
}

__global__ void AdamUpdateKernel(int64_t n, float beta1, float one_minus_beta1, float beta2, float one_minus_beta2,
                                 float eps, float neg_step_size, float correction2, const float* grad, float* value,
                                 float* exp_avg, float* exp_avg_sq) {
  NMT_GRID_STRIDE_LOOP(i, n) {
    const float g = grad[i];
    const float m = exp_avg[i] * beta1 + one_minus_beta1 * g;
    const float v = exp_avg_sq[i] * beta2 + one_minus_beta2 * g * g;
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    value[i] += neg_step_size * m / (sqrtf(v) / correction2 + eps);
  }
}

// One block per chunk; the block's threads sum strided elements, then a tree.
__global__ void ChunkSumsOfSquaresKernel(int64_t n, int64_t chunk, const float* x, double* partials) {
  __shared__ double warp_sums[kThreads / kWarp];
  const int64_t begin = static_cast<int64_t>(blockIdx.x) * chunk;
  const int64_t end = begin + chunk < n ? begin + chunk : n;
  double s = 0.0;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) s += static_cast<double>(x[i]) * x[i];
  s = WarpSum(s);
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  if (lane == 0) warp_sums[warp] = s;
  __syncthreads();
  if (warp == 0) {
    s = lane < kThreads / kWarp ? warp_sums[lane] : 0.0;
    s = WarpSum(s);
    if (lane == 0) partials[blockIdx.x] = s;
  }
}

__global__ void SumInOrderKernel(int64_t count, const double* partials, double* total) {
  double sum = 0.0;
  for (int64_t i = 0; i < count; ++i) sum += partials[i];
  *total = sum;
}

}  // namespace

void Scale(cudaStream_t stream, int64_t n, float alpha, const float* x, float* y) {
  if (n == 0) return;
  ScaleKernel<<<BlocksFor(n), kThreads, 0, stream>>>(n, alpha, x, y);
  CheckLaunch("Scale");
}

void Axpy(cudaStream_t stream, int64_t n, float alpha, const float* x, float* y) {
  if (n == 0) return;
  AxpyKernel<<<BlocksFor(n), kThreads, 0, stream>>>(n, alpha, x, y);
  CheckLaunch("Axpy");
}

void Fill32(cudaStream_t stream, int64_t n, uint32_t bits, uint32_t* y) {
  if (n == 0) return;
  Fill32Kernel<<<BlocksFor(n), kThreads, 0, stream>>>(n, bits, y);
  CheckLaunch("Fill32");
}

void UnaryForward(cudaStream_t stream, int op, int64_t n, const float* x, float* y) {
  if (n == 0) return;
  UnaryForwardKernel<<<BlocksFor(n), kThreads, 0, stream>>>(op, n, x, y);
  CheckLaunch("UnaryForward");
}

void UnaryBackward(cudaStream_t stream, int op, int64_t n, const float* x, const float* y, const float* dy, float* dx) {
  if (n == 0) return;
  UnaryBackwardKernel<<<BlocksFor(n), kThreads, 0, stream>>>(op, n, x, y, dy, dx);
  CheckLaunch("UnaryBackward");
}

void BinaryForward(cudaStream_t stream, int op, const BroadcastIndex& index, const float* a, const float* b, float* y) {
  int64_t n = 1;
  bool same_shape = true;
  int64_t stride = 1;
  for (int d = index.rank - 1; d >= 0; --d) {
    n *= index.dims[d];
    same_shape = same_shape && (index.dims[d] == 1 || (index.stride_a[d] == stride && index.stride_b[d] == stride));
    stride *= index.dims[d];
  }
  if (n == 0) return;
  if (same_shape) {
    BinarySameShapeKernel<<<BlocksFor(n), kThreads, 0, stream>>>(op, n, a, b, y);
  } else {
    BinaryForwardKernel<<<BlocksFor(n), kThreads, 0, stream>>>(op, index, n, a, b, y);
  }
  CheckLaunch("BinaryForward");
}

void ReduceInto(cudaStream_t stream, const ReducePlan& plan, bool use_warps, int term, float alpha, bool accumulate,
                const float* dy, const float* a, const float* b, float* target) {
  if (plan.target_size == 0) return;
  if (plan.leading && (term == kPlain || term == kNegate)) {
    const unsigned int tiles = static_cast<unsigned int>((plan.target_size + kColumnTile - 1) / kColumnTile);
    const float scale = term == kNegate ? -alpha : alpha;  // Σ(−g) = −Σg exactly
    ReduceLeadingKernel<<<tiles, dim3(kColumnTile, kRowSlices), 0, stream>>>(plan.reduced_size, plan.target_size, scale,
                                                                             accumulate, dy, target);
  } else if (use_warps) {
    const int64_t threads = plan.target_size * kWarp;
    ReduceWarpPerTarget<<<BlocksFor(threads), kThreads, 0, stream>>>(plan, term, alpha, accumulate, dy, a, b, target);
  } else {
    ReduceThreadPerTarget<<<BlocksFor(plan.target_size), kThreads, 0, stream>>>(plan, term, alpha, accumulate, dy, a, b,
                                                                                target);
  }
  CheckLaunch("ReduceInto");
}

void BroadcastAccumulate(cudaStream_t stream, const BroadcastIndex& index, float alpha, const float* dy, float* dx) {
  int64_t n = 1;
  for (int d = 0; d < index.rank; ++d) n *= index.dims[d];
  if (n == 0) return;
  BroadcastAccumulateKernel<<<BlocksFor(n), kThreads, 0, stream>>>(index, n, alpha, dy, dx);
  CheckLaunch("BroadcastAccumulate");
}

void AddBias(cudaStream_t stream, int64_t rows, int64_t cols, const float* bias, float* c) {
  if (rows * cols == 0) return;
  AddBiasKernel<<<BlocksFor(rows * cols), kThreads, 0, stream>>>(rows, cols, bias, c);
  CheckLaunch("AddBias");
}

void Permute(cudaStream_t stream, const BroadcastIndex& index, const float* x, bool accumulate, float* y) {
  int64_t n = 1;
  for (int d = 0; d < index.rank; ++d) n *= index.dims[d];
  if (n == 0) return;
  PermuteKernel<<<BlocksFor(n), kThreads, 0, stream>>>(index, n, x, accumulate, y);
  CheckLaunch("Permute");
}

void CopyColumns(cudaStream_t stream, const float* x, int64_t x_cols, int64_t x_begin, float* y, int64_t y_cols,
                 int64_t y_begin, int64_t outer, int64_t cols, bool accumulate) {
  if (outer * cols == 0) return;
  CopyColumnsKernel<<<BlocksFor(outer * cols), kThreads, 0, stream>>>(x, x_cols, x_begin, y, y_cols, y_begin, outer,
                                                                      cols, accumulate);
  CheckLaunch("CopyColumns");
}

void MaxoutForward(cudaStream_t stream, int64_t n, const float* x, float* y) {
  if (n == 0) return;
  MaxoutForwardKernel<<<BlocksFor(n), kThreads, 0, stream>>>(n, x, y);
  CheckLaunch("MaxoutForward");
}

void MaxoutBackward(cudaStream_t stream, int64_t n, const float* x, const float* dy, float* dx) {
  if (n == 0) return;
  MaxoutBackwardKernel<<<BlocksFor(n), kThreads, 0, stream>>>(n, x, dy, dx);
  CheckLaunch("MaxoutBackward");
}

void DropoutMask(cudaStream_t stream, int64_t n, float p, float keep_scale, uint64_t seed, float* mask) {
  if (n == 0) return;
  DropoutMaskKernel<<<BlocksFor(n), kThreads, 0, stream>>>(n, p, keep_scale, seed, mask);
  CheckLaunch("DropoutMask");
}

void DropoutMaskRows(cudaStream_t stream, int64_t rows, int64_t width, float p, float keep_scale, uint64_t seed,
                     int64_t first_row, float* mask) {
  if (rows * width == 0) return;
  DropoutMaskRowsKernel<<<BlocksFor(rows * width), kThreads, 0, stream>>>(rows, width, p, keep_scale, seed, first_row,
                                                                          mask);
  CheckLaunch("DropoutMaskRows");
}

void AccumulateMasked(cudaStream_t stream, int64_t rows, int64_t cols, const float* x, const float* m, float* y,
                      int64_t ld_y) {
  if (rows * cols == 0) return;
  AccumulateMaskedKernel<<<BlocksFor(rows * cols), kThreads, 0, stream>>>(rows, cols, x, m, y, ld_y);
  CheckLaunch("AccumulateMasked");
}

void Multiply(cudaStream_t stream, int64_t n, const float* x, const float* m, float* y) {
  if (n == 0) return;
  MultiplyKernel<<<BlocksFor(n), kThreads, 0, stream>>>(n, x, m, y);
  CheckLaunch("Multiply");
}

void SgdUpdate(cudaStream_t stream, int64_t n, float neg_lr, const float* grad, float* value) {
  if (n == 0) return;
  SgdUpdateKernel<<<BlocksFor(n), kThreads, 0, stream>>>(n, neg_lr, grad, value);
  CheckLaunch("SgdUpdate");
}

void AdadeltaUpdate(cudaStream_t stream, int64_t n, float rho, float one_minus_rho, float eps, float neg_lr,
                    const float* grad, float* value, float* square_avg, float* acc_delta) {
  if (n == 0) return;
  AdadeltaUpdateKernel<<<BlocksFor(n), kThreads, 0, stream>>>(n, rho, one_minus_rho, eps, neg_lr, grad, value,
                                                              square_avg, acc_delta);
  CheckLaunch("AdadeltaUpdate");
}

void AdamUpdate(cudaStream_t stream, int64_t n, float beta1, float one_minus_beta1, float beta2, float one_minus_beta2,
                float eps, float neg_step_size, float correction2, const float* grad, float* value, float* exp_avg,
                float* exp_avg_sq) {
  if (n == 0) return;
  AdamUpdateKernel<<<BlocksFor(n), kThreads, 0, stream>>>(n, beta1, one_minus_beta1, beta2, one_minus_beta2, eps,
                                                          neg_step_size, correction2, grad, value, exp_avg, exp_avg_sq);
  CheckLaunch("AdamUpdate");
}

void ChunkSumsOfSquares(cudaStream_t stream, int64_t n, int64_t chunk, const float* x, double* partials) {
  if (n == 0) return;
  const int64_t chunks = (n + chunk - 1) / chunk;
  ChunkSumsOfSquaresKernel<<<static_cast<unsigned int>(chunks), kThreads, 0, stream>>>(n, chunk, x, partials);
  CheckLaunch("ChunkSumsOfSquares");
}

void SumInOrder(cudaStream_t stream, int64_t count, const double* partials, double* total) {
  SumInOrderKernel<<<1, 1, 0, stream>>>(count, partials, total);
  CheckLaunch("SumInOrder");
}

}  // namespace nmt::cuda
