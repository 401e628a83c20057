#include "ops/kernels/shape_util.h"

#include <algorithm>

#include "base/check.h"

namespace nmt {

int NormalizeAxis(const char* op, const Shape& shape, int axis) {
  const int rank = static_cast<int>(shape.size());
  NMT_CHECK(axis >= -rank && axis < rank) << op << ": axis " << axis << " of shape " << ShapeString(shape);
  return axis < 0 ? axis + rank : axis;
}

Shape BroadcastShape(const char* op, const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    NMT_CHECK(da == db || da == 1 || db == 1)
        << op << ": shapes " << ShapeString(a) << " and " << ShapeString(b) << " do not broadcast";
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace nmt
