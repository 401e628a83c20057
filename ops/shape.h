// Shape ops: reshape, transpose (any permutation), concat, split and slice.
//
//   Var h = Concat({forward_states, backward_states}, /*axis=*/-1);   // [h→; h←]
//   Var first = Slice(h, /*axis=*/1, /*begin=*/0, /*length=*/1);
#ifndef NMT_OPS_SHAPE_H_
#define NMT_OPS_SHAPE_H_

#include <vector>

#include "absl/types/span.h"
#include "autograd/tape.h"

namespace nmt {

// y = x viewed with another shape of the same size (no copy).  dx += dy.
Var Reshape(Var x, const Shape& shape);
// y.dim(i) = x.dim(perm[i]).  dx += dy permuted back.
Var Transpose(Var x, absl::Span<const int> perm);
// Inputs joined along `axis`; the other dims must agree.  Each dx_i += its slice of dy.
Var Concat(absl::Span<const Var> xs, int axis);
// Pieces of the given sizes along `axis` (they must add up to x.dim(axis)).
std::vector<Var> Split(Var x, absl::Span<const int64_t> sizes, int axis);
// x[..., begin:begin+length, ...] along `axis`.  dx[slice] += dy.
Var Slice(Var x, int axis, int64_t begin, int64_t length);

}  // namespace nmt

#endif  // NMT_OPS_SHAPE_H_
