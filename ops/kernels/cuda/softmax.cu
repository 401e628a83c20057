// Softmax and log-softmax with masks, the fused log-softmax + NLL over the vocabulary,
// the embedding gather and its deterministic scatter-add, and the row gather. A row
// along the softmax axis belongs to one block (rows of the vocabulary: tens of
// thousands of columns) when the axis is the innermost; otherwise one thread walks
// each column of the [outer, axis, inner] view.
#include <cfloat>

#include "ops/kernels/cuda/device_util.cuh"

namespace nmt::cuda {
namespace {

// Threads per row block: a multiple of 32, no more than the row needs, at most 1024.
unsigned int RowThreads(int64_t axis) {
  const int64_t warps = (axis + kWarp - 1) / kWarp;
  return static_cast<unsigned int>(kWarp * std::max<int64_t>(1, std::min<int64_t>(warps, 1024 / kWarp)));
}

// The CPU's masking: a masked position takes the lowest float, so that it gets
// probability 0 (and log-probability about the lowest float) and a row with no real
// position comes out uniform before the softmax mask zeroes it.
__device__ __forceinline__ float Masked(const float* x, const float* mask, int64_t i) {
  return mask == nullptr || mask[i] != 0.0f ? x[i] : -FLT_MAX;
}

__global__ void SoftmaxRowsKernel(int64_t axis, const float* x, const float* mask, bool log, float* y) {
  __shared__ float shared[kWarp];
  const int64_t base = static_cast<int64_t>(blockIdx.x) * axis;
  float max = -INFINITY;
  for (int64_t j = threadIdx.x; j < axis; j += blockDim.x) max = fmaxf(max, Masked(x, mask, base + j));
  max = BlockReduce<true>(max, shared);
  float sum = 0.0f;
  for (int64_t j = threadIdx.x; j < axis; j += blockDim.x) sum += expf(Masked(x, mask, base + j) - max);
  sum = BlockReduce<false>(sum, shared);
  const float log_sum = logf(sum);
  for (int64_t j = threadIdx.x; j < axis; j += blockDim.x) {
    const int64_t i = base + j;
    const float shifted = Masked(x, mask, i) - max;
    if (log) {
      y[i] = shifted - log_sum;
    } else {
      y[i] = (mask == nullptr || mask[i] != 0.0f) ? expf(shifted) / sum : 0.0f;
    }
  }
}

__global__ void SoftmaxColumnsKernel(int64_t outer, int64_t axis, int64_t inner, const float* x, const float* mask,
                                     bool log, float* y) {
  NMT_GRID_STRIDE_LOOP(c, outer * inner) {
    const int64_t base = (c / inner) * axis * inner + c % inner;
    float max = -INFINITY;
    for (int64_t a = 0; a < axis; ++a) max = fmaxf(max, Masked(x, mask, base + a * inner));
    float sum = 0.0f;
    for (int64_t a = 0; a < axis; ++a) sum += expf(Masked(x, mask, base + a * inner) - max);
    const float log_sum = logf(sum);
    for (int64_t a = 0; a < axis; ++a) {
      const int64_t i = base + a * inner;
      const float shifted = Masked(x, mask, i) - max;
      if (log) {
        y[i] = shifted - log_sum;
      } else {
        y[i] = (mask == nullptr || mask[i] != 0.0f) ? expf(shifted) / sum : 0.0f;
      }
    }
  }
}

// dx += log ? dy − exp(y) Σdy : y (dy − Σ dy y), sums over the unmasked positions.
__global__ void SoftmaxBackwardRowsKernel(int64_t axis, const float* y, const float* mask, const float* dy, bool log,
                                          float* dx) {
  __shared__ float shared[kWarp];
  const int64_t base = static_cast<int64_t>(blockIdx.x) * axis;
  float dot = 0.0f;
  for (int64_t j = threadIdx.x; j < axis; j += blockDim.x) {
    const int64_t i = base + j;
    if (mask != nullptr && mask[i] == 0.0f) continue;
    dot += log ? dy[i] : dy[i] * y[i];
  }
  dot = BlockReduce<false>(dot, shared);
  for (int64_t j = threadIdx.x; j < axis; j += blockDim.x) {
    const int64_t i = base + j;
    if (mask != nullptr && mask[i] == 0.0f) continue;
    dx[i] += log ? dy[i] - expf(y[i]) * dot : y[i] * (dy[i] - dot);
  }
}

__global__ void SoftmaxBackwardColumnsKernel(int64_t outer, int64_t axis, int64_t inner, const float* y,
                                             const float* mask, const float* dy, bool log, float* dx) {
  NMT_GRID_STRIDE_LOOP(c, outer * inner) {
    const int64_t base = (c / inner) * axis * inner + c % inner;
    float dot = 0.0f;
    for (int64_t a = 0; a < axis; ++a) {
      const int64_t i = base + a * inner;
      if (mask != nullptr && mask[i] == 0.0f) continue;
      dot += log ? dy[i] : dy[i] * y[i];
    }
    for (int64_t a = 0; a < axis; ++a) {
      const int64_t i = base + a * inner;
      if (mask != nullptr && mask[i] == 0.0f) continue;
      dx[i] += log ? dy[i] - expf(y[i]) * dot : y[i] * (dy[i] - dot);
    }
  }
}

// One block per row: max, Σ exp, then log_probs and the row's nll in the same pass
// (with label smoothing, Σ_j log p_j as well, in double as on the CPU).
__global__ void SoftmaxXentForwardKernel(int64_t k, const float* logits, const int32_t* targets, const float* mask,
                                         float label_smoothing, float* log_probs, float* nll,
                                         unsigned int* error_flags) {
  __shared__ float shared[kWarp];
  __shared__ double shared_double[kWarp];
  const int64_t row = blockIdx.x;
  const float* x = logits + row * k;
  float* lp = log_probs + row * k;
  float max = -INFINITY;
  for (int64_t j = threadIdx.x; j < k; j += blockDim.x) max = fmaxf(max, x[j]);
  max = BlockReduce<true>(max, shared);
  float sum = 0.0f;
  for (int64_t j = threadIdx.x; j < k; j += blockDim.x) sum += expf(x[j] - max);
  sum = BlockReduce<false>(sum, shared);
  const float log_sum = logf(sum);
  double lp_sum = 0.0;
  for (int64_t j = threadIdx.x; j < k; j += blockDim.x) {
    const float value = x[j] - max - log_sum;
    lp[j] = value;
    lp_sum += value;
  }
  if (label_smoothing > 0.0f) lp_sum = BlockSum(lp_sum, shared_double);  // uniform across the block
  if (threadIdx.x == 0) {
    const float m = mask[row];
    const int32_t target = targets[row];
    if (m == 0.0f) {
      nll[row] = 0.0f;
    } else if (target < 0 || target >= k) {
      atomicOr(error_flags, kXentTargetOutOfRange);
      nll[row] = NAN;
    } else {
      // Recomputed rather than read back from lp, which other threads are writing.
      float loss = -(x[target] - max - log_sum);
      if (label_smoothing > 0.0f) {
        const float uniform = label_smoothing / static_cast<float>(k);
        loss = (1.0f - label_smoothing) * loss - uniform * static_cast<float>(lp_sum);
      }
      nll[row] = m * loss;
    }
  }
}

__global__ void SoftmaxXentBackwardKernel(int64_t rows, int64_t k, const float* log_probs, const int32_t* targets,
                                          const float* mask, float label_smoothing, const float* dnll, float* dlogits) {
  const float uniform = label_smoothing / static_cast<float>(k);
  NMT_GRID_STRIDE_LOOP(i, rows * k) {
    const int64_t row = i / k, j = i % k;
    const float g = dnll[row] * mask[row];
    if (g == 0.0f) continue;
    const int32_t target = targets[row];
    if (target < 0 || target >= k) continue;  // reported by the forward
    if (label_smoothing > 0.0f) {             // q = (1 − ε) onehot + ε/K
      dlogits[i] += g * (expf(log_probs[i]) - uniform) - (j == target ? g * (1.0f - label_smoothing) : 0.0f);
    } else {
      dlogits[i] += g * expf(log_probs[i]) - (j == target ? g : 0.0f);
    }
  }
}

__global__ void EmbeddingForwardKernel(const float* table, int64_t rows, int64_t width, const int32_t* ids,
                                       int64_t count, float* y, unsigned int* error_flags) {
  NMT_GRID_STRIDE_LOOP(i, count * width) {
    const int64_t row = i / width, j = i % width;
    const int32_t id = ids[row];
    if (id < 0 || id >= rows) {
      if (j == 0) atomicOr(error_flags, kEmbeddingIdOutOfRange);
      y[i] = NAN;
    } else {
      y[i] = table[id * width + j];
    }
  }
}

// One warp per position i; only the first position of each id does work: it adds the
// dy rows of every position with that id, in ascending order, into the table row. The
// scan reads all ids (the same address across the warp: one broadcast load each).
__global__ void EmbeddingBackwardKernel(const int32_t* ids, int64_t count, int64_t rows, int64_t width, const float* dy,
                                        float* dtable) {
  const int lane = threadIdx.x % kWarp;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * (blockDim.x / kWarp);
  for (int64_t i = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp; i < count; i += warps) {
    const int32_t id = ids[i];
    if (id < 0 || id >= rows) continue;  // reported by the forward
    bool first = true;
    for (int64_t k = 0; k < i && first; ++k) first = ids[k] != id;
    if (!first) continue;
    // This warp alone writes the row, and each lane its own columns, so the
    // read-modify-writes need no atomics and happen in ascending k.
    float* row = dtable + id * width;
    for (int64_t k = i; k < count; ++k) {
      if (ids[k] != id) continue;
      for (int64_t j = lane; j < width; j += kWarp) row[j] += dy[k * width + j];
    }
  }
}

__global__ void GatherRowsKernel(const float* x, int64_t x_rows, int64_t width, const int32_t* rows, int64_t count,
                                 float* y, unsigned int* error_flags) {
  NMT_GRID_STRIDE_LOOP(i, count * width) {
    const int64_t r = i / width, j = i % width;
    const int32_t row = rows[r];
    if (row < 0 || row >= x_rows) {
      if (j == 0) atomicOr(error_flags, kGatherRowOutOfRange);
      y[i] = NAN;
    } else {
      y[i] = x[row * width + j];
    }
  }
}

}  // namespace

void SoftmaxForward(cudaStream_t stream, int64_t outer, int64_t axis, int64_t inner, const float* x, const float* mask,
                    bool log, float* y) {
  if (outer * axis * inner == 0) return;
  if (inner == 1) {
    SoftmaxRowsKernel<<<static_cast<unsigned int>(outer), RowThreads(axis), 0, stream>>>(axis, x, mask, log, y);
  } else {
    SoftmaxColumnsKernel<<<BlocksFor(outer * inner), kThreads, 0, stream>>>(outer, axis, inner, x, mask, log, y);
  }
  CheckLaunch(log ? "LogSoftmaxForward" : "SoftmaxForward");
}

void SoftmaxBackward(cudaStream_t stream, int64_t outer, int64_t axis, int64_t inner, const float* y, const float* mask,
                     const float* dy, bool log, float* dx) {
  if (outer * axis * inner == 0) return;
  if (inner == 1) {
    SoftmaxBackwardRowsKernel<<<static_cast<unsigned int>(outer), RowThreads(axis), 0, stream>>>(axis, y, mask, dy, log,
                                                                                                 dx);
  } else {
    SoftmaxBackwardColumnsKernel<<<BlocksFor(outer * inner), kThreads, 0, stream>>>(outer, axis, inner, y, mask, dy,
                                                                                    log, dx);
  }
  CheckLaunch(log ? "LogSoftmaxBackward" : "SoftmaxBackward");
}

void SoftmaxXentForward(cudaStream_t stream, int64_t rows, int64_t k, const float* logits, const int32_t* targets,
                        const float* mask, float label_smoothing, float* log_probs, float* nll,
                        unsigned int* error_flags) {
  if (rows == 0) return;
  SoftmaxXentForwardKernel<<<static_cast<unsigned int>(rows), RowThreads(k), 0, stream>>>(
      k, logits, targets, mask, label_smoothing, log_probs, nll, error_flags);
  CheckLaunch("SoftmaxXentForward");
}

void SoftmaxXentBackward(cudaStream_t stream, int64_t rows, int64_t k, const float* log_probs, const int32_t* targets,
                         const float* mask, float label_smoothing, const float* dnll, float* dlogits) {
  if (rows * k == 0) return;
  SoftmaxXentBackwardKernel<<<BlocksFor(rows * k), kThreads, 0, stream>>>(rows, k, log_probs, targets, mask,
                                                                          label_smoothing, dnll, dlogits);
  CheckLaunch("SoftmaxXentBackward");
}

void EmbeddingForward(cudaStream_t stream, const float* table, int64_t rows, int64_t width, const int32_t* ids,
                      int64_t count, float* y, unsigned int* error_flags) {
  if (count * width == 0) return;
  EmbeddingForwardKernel<<<BlocksFor(count * width), kThreads, 0, stream>>>(table, rows, width, ids, count, y,
                                                                            error_flags);
  CheckLaunch("EmbeddingForward");
}

void EmbeddingBackward(cudaStream_t stream, const int32_t* ids, int64_t count, int64_t rows, int64_t width,
                       const float* dy, float* dtable) {
  if (count * width == 0) return;
  EmbeddingBackwardKernel<<<BlocksFor(count * kWarp), kThreads, 0, stream>>>(ids, count, rows, width, dy, dtable);
  CheckLaunch("EmbeddingBackward");
}

void GatherRows(cudaStream_t stream, const float* x, int64_t x_rows, int64_t width, const int32_t* rows, int64_t count,
                float* y, unsigned int* error_flags) {
  if (count * width == 0) return;
  GatherRowsKernel<<<BlocksFor(count * width), kThreads, 0, stream>>>(x, x_rows, width, rows, count, y, error_flags);
  CheckLaunch("GatherRows");
}

}  // namespace nmt::cuda
