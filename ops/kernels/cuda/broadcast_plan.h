// Host-side planning of the CUDA kernels' index arithmetic: the strided views of
// broadcasting (BroadcastIndex), of a permutation, and of a reduction over broadcast
// dims (ReducePlan), from tensor shapes. Plain C++ with no CUDA runtime, so that
// broadcast_plan_test runs the plans through launch.h's offset functions on any machine.
#ifndef NMT_OPS_KERNELS_CUDA_BROADCAST_PLAN_H_
#define NMT_OPS_KERNELS_CUDA_BROADCAST_PLAN_H_

#include "absl/types/span.h"
#include "autograd/tensor.h"
#include "ops/kernels/cuda/launch.h"

namespace nmt::cuda {

// Row-major element strides of `in` read as `out` (trailing dims aligned): 0 where `in`
// has size 1 or no dim.
Shape BroadcastStrides(const Shape& in, const Shape& out);

// a and b read as `out` (their broadcast shape). Fails naming `op` above kMaxRank.
BroadcastIndex IndexOver(const char* op, const Shape& out, const Shape& a, const Shape& b);

// y = x with dims permuted (y.dim(i) = x.dim(perm[i])): index.stride_a reads x in y's order.
BroadcastIndex PermuteIndex(const Shape& x, absl::Span<const int> perm);

// The reduction of `out`'s elements onto `target` (which broadcasts to out), with a and
// b (which broadcast to out) read alongside for the binary ops' derivatives.
ReducePlan PlanReduction(const char* op, const Shape& out, const Shape& target, const Shape& a, const Shape& b);

// Whether ReduceInto gives each target element a warp (the innermost output dim is
// summed, so lanes read neighbours) rather than a thread.
bool ReduceWithWarps(const ReducePlan& plan);

}  // namespace nmt::cuda

#endif  // NMT_OPS_KERNELS_CUDA_BROADCAST_PLAN_H_
