// Strided iteration for numpy-style broadcasting on the CPU (internal to the kernels).
// The broadcast shape itself is backend-independent: ops/kernels/shape_util.h.
#ifndef NMT_OPS_KERNELS_CPU_BROADCAST_H_
#define NMT_OPS_KERNELS_CPU_BROADCAST_H_

#include <cstdint>

#include "autograd/tensor.h"

namespace nmt::cpu {

// Element strides of `in` read as `out` (rank(in) <= rank(out)): 0 on broadcast dims.
Shape BroadcastStrides(const Shape& in, const Shape& out);

// Row-major element strides of `dims` (oneDNN 2.6 has no helper for it).
template <typename Dims>
Dims RowMajorStrides(const Dims& dims) {
  Dims strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) strides[i] = strides[i + 1] * dims[i + 1];
  return strides;
}

// Calls fn(out_index, a_index, b_index) for every element of `out`, in order.
template <typename Fn>
void ForEachBroadcast(const Shape& out, const Shape& stride_a, const Shape& stride_b, Fn fn) {
  const int rank = static_cast<int>(out.size());
  const int64_t total = NumElements(out);
  if (total == 0) return;
  if (rank == 0) {
    fn(0, 0, 0);
    return;
  }
  const int64_t inner = out[rank - 1];
  const int64_t ia = stride_a[rank - 1];
  const int64_t ib = stride_b[rank - 1];
  Shape counter(rank, 0);
  int64_t a = 0, b = 0;
  for (int64_t o = 0; o < total; o += inner) {
    for (int64_t j = 0; j < inner; ++j) fn(o + j, a + j * ia, b + j * ib);
    for (int d = rank - 2; d >= 0; --d) {  // advance the outer multi-index
      a += stride_a[d];
      b += stride_b[d];
      if (++counter[d] < out[d]) break;
      a -= stride_a[d] * out[d];
      b -= stride_b[d] * out[d];
      counter[d] = 0;
    }
  }
}

}  // namespace nmt::cpu

#endif  // NMT_OPS_KERNELS_CPU_BROADCAST_H_
