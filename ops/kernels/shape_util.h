// Shape arithmetic that the ops and every backend share, so it lives outside any backend
// folder: negative axes and numpy-style broadcasting. Programmer errors (an axis out of
// range, shapes that do not broadcast) fail an NMT_CHECK whose message names the op.
//
//   int axis = NormalizeAxis("Concat", x.shape(), -1);              // rank - 1
//   Shape y = BroadcastShape("Add", Shape{2, 1, 3}, Shape{4, 1});    // [2, 4, 3]
#ifndef NMT_OPS_KERNELS_SHAPE_UTIL_H_
#define NMT_OPS_KERNELS_SHAPE_UTIL_H_

#include "autograd/tensor.h"

namespace nmt {

// `axis` in [-rank, rank) as an index in [0, rank); negative axes count from the end.
int NormalizeAxis(const char* op, const Shape& shape, int axis);

// The broadcast shape of a and b (trailing dimensions aligned; 1 stretches).
Shape BroadcastShape(const char* op, const Shape& a, const Shape& b);

}  // namespace nmt

#endif  // NMT_OPS_KERNELS_SHAPE_UTIL_H_
