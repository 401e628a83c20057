#include "ops/kernels/cpu/broadcast.h"

namespace nmt::cpu {

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
