// RunBidirectional: the bidirectional encoder of the paper's Appendix A.2.1 for
// any RecurrentLayer: h_j = [h→_j; h←_j].
//
//   BiRnnStates enc = RunBidirectional(enc_fwd, enc_bwd, x, src_mask);
//   Var annotations = enc.annotations;             // (B, T, 2n)
//   Var first_backward = Slice(enc.backward, 1, 0, 1);
#ifndef NMT_MODELS_LAYERS_BIRNN_H_
#define NMT_MODELS_LAYERS_BIRNN_H_

#include "models/layers/recurrent.h"

namespace nmt::layers {

struct BiRnnStates {
  Var forward;      // (B, T, n)
  Var backward;     // (B, T, n), h←_j starts from 0 at each sentence's last real token
  Var annotations;  // (B, T, 2n) = [forward; backward]
};

// forward_dropout, backward_dropout: each direction's variational recurrent mask (B, n), or null.
BiRnnStates RunBidirectional(RecurrentLayer& forward, RecurrentLayer& backward, Var inputs, const Tensor& mask,
                             const Tensor* forward_dropout = nullptr, const Tensor* backward_dropout = nullptr);

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_BIRNN_H_
