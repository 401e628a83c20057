// Maxout over adjacent pairs (Goodfellow et al. 2013), the deep output of the
// paper's Appendix A.2.2: t_i = [max(t̃_{i,2j−1}, t̃_{i,2j})]_{j=1..l}.
//
//   Var t = Maxout(t_tilde);   // (..., 2l) -> (..., l)
#ifndef NMT_OPS_MAXOUT_H_
#define NMT_OPS_MAXOUT_H_

#include "autograd/tape.h"

namespace nmt {

// y[..., j] = max(x[..., 2j], x[..., 2j+1]).  dx[argmax] += dy (ties to the first).  Saves x.
Var Maxout(Var x);

}  // namespace nmt

#endif  // NMT_OPS_MAXOUT_H_
