#include "models/layers/birnn.h"

#include "ops/shape.h"

namespace nmt::layers {

BiRnnStates RunBidirectional(RecurrentLayer& forward, RecurrentLayer& backward, Var inputs, const Tensor& mask,
                             const Tensor* forward_dropout, const Tensor* backward_dropout) {
  BiRnnStates out;
  out.forward = forward.Run(inputs, mask, /*reverse=*/false, forward_dropout);
  out.backward = backward.Run(inputs, mask, /*reverse=*/true, backward_dropout);
  out.annotations = Concat({out.forward, out.backward}, -1);
  return out;
}

}  // namespace nmt::layers
