// DeepOutput: the deep output with a maxout layer of the paper's Appendix A.2.2.
//
//   t̃_i = U_o s_{i−1} + V_o E y_{i−1} + C_o c_i + b_o           (2l)
//   t_i = [max(t̃_{i,2j−1}, t̃_{i,2j})]_{j=1..l}                 (adjacent pairs)
//   p(y_i | ·) = softmax(W_o t_i + b_y)
//
//   DeepOutput readout(n, m, 2 * n, l, tgt_vocab);
//   Var logits = readout.Forward(states, y_prev, contexts);    // all target steps at once
//
// The arguments broadcast: a context of length 1 serves every step (RNNencdec).
// Parameters: U_o, V_o, C_o, b_o, W_o, b_y.
#ifndef NMT_MODELS_LAYERS_DEEP_OUTPUT_H_
#define NMT_MODELS_LAYERS_DEEP_OUTPUT_H_

#include "models/layers/module.h"

namespace nmt::layers {

class DeepOutput : public Module {
 public:
  DeepOutput(int64_t state_size, int64_t embedding_size, int64_t context_size, int64_t maxout_units,
             int64_t vocabulary);

  // t_i (..., l) from s (..., n), y (..., m), c (..., n_ctx).
  Var Hidden(Var s_prev, Var y_prev, Var context) const;
  // Unnormalised log-probabilities W_o t + b_y (..., K_y).
  Var Logits(Var hidden) const;
  Var Forward(Var s_prev, Var y_prev, Var context) const { return Logits(Hidden(s_prev, y_prev, context)); }

 private:
  Parameter *u_o_, *v_o_, *c_o_, *b_o_, *w_o_, *b_y_;
};

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_DEEP_OUTPUT_H_
