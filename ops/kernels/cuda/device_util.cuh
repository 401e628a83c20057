// Shared device-side helpers of the .cu files: launch shapes, grid-stride loops, warp and
// block reductions, and the launch check. Included by .cu files only.
#ifndef NMT_OPS_KERNELS_CUDA_DEVICE_UTIL_CUH_
#define NMT_OPS_KERNELS_CUDA_DEVICE_UTIL_CUH_

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "ops/kernels/cuda/launch.h"

namespace nmt::cuda {

constexpr int kThreads = 256;
constexpr int kWarp = 32;
constexpr unsigned kFullMask = 0xffffffffu;

// Blocks of kThreads for n elements of a grid-stride loop: enough to fill an H200
// (132 SMs × 2048 threads) several times over, never more than the work.
inline unsigned int BlocksFor(int64_t n) {
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned int>(std::max<int64_t>(1, std::min<int64_t>(blocks, 132 * 32)));
}

#define NMT_GRID_STRIDE_LOOP(i, n)                                                       \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

__device__ __forceinline__ float WarpSum(float v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) v += __shfl_xor_sync(kFullMask, v, offset);
  return v;
}

__device__ __forceinline__ double WarpSum(double v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) v += __shfl_xor_sync(kFullMask, v, offset);
  return v;
}

__device__ __forceinline__ float WarpMax(float v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(kFullMask, v, offset));
  return v;
}

// The sum (or max) over the block, returned to every thread. blockDim.x is a multiple of
// 32 and at most 1024; `shared` holds 32 values. Every thread of the block must call it.
template <bool kMax>
__device__ __forceinline__ float BlockReduce(float v, float* shared) {
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp, warps = blockDim.x / kWarp;
  v = kMax ? WarpMax(v) : WarpSum(v);
  __syncthreads();  // `shared` may still be read by a previous reduction
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = lane < warps ? shared[lane] : (kMax ? -INFINITY : 0.0f);
  return kMax ? WarpMax(v) : WarpSum(v);
}

// The sum over the block in double; `shared` holds 32 doubles. Every thread must call it.
__device__ __forceinline__ double BlockSum(double v, double* shared) {
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp, warps = blockDim.x / kWarp;
  v = WarpSum(v);
  __syncthreads();
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = lane < warps ? shared[lane] : 0.0;
  return WarpSum(v);
}

}  // namespace nmt::cuda

#endif  // NMT_OPS_KERNELS_CUDA_DEVICE_UTIL_CUH_
