#include "models/layers/birnn.h"

#include "ops/shape.h"

namespace nmt::layers {

BiRnnStates RunBidirectional(RecurrentLayer& forward, RecurrentLayer& backward, Var inputs, const Tensor& mask) {
  BiRnnStates out;
  out.forward = forward.Run(inputs, mask, /*reverse=*/false);
  out.backward = backward.Run(inputs, mask, /*reverse=*/true);
  out.annotations = Concat({out.forward, out.backward}, -1);
  return out;
}

}  // namespace nmt::layers
