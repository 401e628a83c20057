// Reductions: sums and means, over everything or over one axis.
//
//   Var loss = Scale(Sum(nll), 1.0f / batch);
//   Var row_means = Mean(x, /*axis=*/1);
#ifndef NMT_OPS_REDUCE_H_
#define NMT_OPS_REDUCE_H_

#include "autograd/tape.h"

namespace nmt {

// y = Σ x (a scalar, shape []).  dx += dy.
Var Sum(Var x);
// y = Σ x / |x|.  dx += dy / |x|.
Var Mean(Var x);
// y = Σ_axis x; the axis is kept with size 1 if keep_dim, else removed.  dx += broadcast(dy).
Var Sum(Var x, int axis, bool keep_dim = false);
// y = Σ_axis x / x.dim(axis).  dx += broadcast(dy) / x.dim(axis).
Var Mean(Var x, int axis, bool keep_dim = false);

}  // namespace nmt

#endif  // NMT_OPS_REDUCE_H_
