// AdditiveAttention: the alignment model of the paper's Appendix A.1.2 / A.2.2.
//
//   e_ij = v_aᵀ tanh(W_a s_{i−1} + U_a h_j + b_a)
//   α_ij = softmax_j(e_ij)   over real source positions (padding gets probability 0)
//   c_i  = Σ_j α_ij h_j
//
//   AdditiveAttention attention(n, 2 * n, n_align);
//   Var keys = attention.Keys(annotations);                        // once per sentence
//   AttentionOutput a = attention.Attend(s_prev, annotations, keys, src_mask);
//
// Parameters: W_a (n', n), U_a (n', 2n), b_a (n'), v_a (n').
#ifndef NMT_MODELS_LAYERS_ATTENTION_H_
#define NMT_MODELS_LAYERS_ATTENTION_H_

#include "models/layers/module.h"

namespace nmt::layers {

struct AttentionOutput {
  Var context;  // c_i (B, annotation_size)
  Var alpha;    // α_i (B, Tx)
};

class AdditiveAttention : public Module {
 public:
  // fused: the score and the context through ops/attention.h; false composes primitive ops.
  AdditiveAttention(int64_t query_size, int64_t annotation_size, int64_t align_size, bool fused = true);

  // U_a h_j + b_a for every source position: annotations (B, Tx, 2n) -> (B, Tx, n').
  Var Keys(Var annotations) const;
  // One decoder step: query s_{i−1} (B, n); mask (B, Tx) is 1 at real source tokens.
  AttentionOutput Attend(Var query, Var annotations, Var keys, const Tensor& mask) const;

 private:
  bool fused_;
  Parameter* w_a_;
  Parameter* u_a_;
  Parameter* b_a_;
  Parameter* v_a_;
};

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_ATTENTION_H_
