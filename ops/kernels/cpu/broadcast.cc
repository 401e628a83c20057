#include "ops/kernels/cpu/broadcast.h"

#include <algorithm>

namespace nmt::cpu {

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

Shape BroadcastStrides(const Shape& in, const Shape& out) {
  const size_t offset = out.size() - in.size();
  Shape strides(out.size(), 0);
  int64_t stride = 1;
  for (int i = static_cast<int>(in.size()) - 1; i >= 0; --i) {
    strides[i + offset] = in[i] == 1 ? 0 : stride;
    stride *= in[i];
  }
  return strides;
}

}  // namespace nmt::cpu
