// TanhReadout: the readout of Nematus' and Marian's conditional GRU decoder (one
// tanh layer between the decoder and the softmax; Sennrich et al. 2017, "Nematus",
// Section 2), with the names of the paper's deep output (deep_output.h):
//
//   t_i = tanh(U_o s_i + V_o E y_{i−1} + C_o c_i + b_o)        (k units; Nematus: k = m)
//   p(y_i | ·) = softmax(W_o t_i + b_y)
//
//   TanhReadout readout(n, m, 2 * n, /*hidden=*/m, tgt_vocab);
//   Var logits = readout.Forward(states, y_prev, contexts);    // all target steps at once
//
// Nematus gives each of the three terms its own bias; their sum is one bias here.
// Parameters: U_o, V_o, C_o, b_o, W_o, b_y.
#ifndef NMT_MODELS_LAYERS_READOUT_H_
#define NMT_MODELS_LAYERS_READOUT_H_

#include "models/layers/module.h"

namespace nmt::layers {

class TanhReadout : public Module {
 public:
  TanhReadout(int64_t state_size, int64_t embedding_size, int64_t context_size, int64_t hidden_size,
              int64_t vocabulary);

  // t (..., k) from s (..., n), y (..., m), c (..., n_ctx).
  Var Hidden(Var state, Var y_prev, Var context) const;
  // Unnormalised log-probabilities W_o t + b_y (..., K_y).
  Var Logits(Var hidden) const;
  Var Forward(Var state, Var y_prev, Var context) const { return Logits(Hidden(state, y_prev, context)); }

 private:
  Parameter *u_o_, *v_o_, *c_o_, *b_o_, *w_o_, *b_y_;
};

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_READOUT_H_
