// RecurrentLayer: what a bidirectional runner (birnn.h) needs of a recurrent
// layer: run it over a padded batch in either direction.
#ifndef NMT_MODELS_LAYERS_RECURRENT_H_
#define NMT_MODELS_LAYERS_RECURRENT_H_

#include "autograd/tape.h"

namespace nmt::layers {

class RecurrentLayer {
 public:
  virtual ~RecurrentLayer() = default;
  // Every state (B, T, n) of a run over inputs (B, T, in) from a zero state. mask
  // (B, T) is 1 at real tokens; a padded position leaves the state unchanged, so
  // a reverse run starts from zero at each sentence's own last token. recurrent_mask
  // (B, n) or null: variational dropout of the state, one mask for every step
  // (ops/gru.h); training passes one, decoding never does.
  virtual Var Run(Var inputs, const Tensor& mask, bool reverse, const Tensor* recurrent_mask) = 0;
  Var Run(Var inputs, const Tensor& mask, bool reverse) { return Run(inputs, mask, reverse, nullptr); }
  virtual int64_t hidden_size() const = 0;
};

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_RECURRENT_H_
