// LuongAttention: the global attention of Luong, Pham & Manning 2015 ("Effective
// Approaches to Attention-based Neural Machine Translation", Section 3.1), read
// after the decoder's step from its top state h_t:
//
//   score(h_t, h̄_s) = h_tᵀ h̄_s                       dot
//                   = h_tᵀ W_a h̄_s                   general
//                   = v_aᵀ tanh(W_a h_t + U_a h̄_s + b_a)   concat (the paper's W_a [h_t; h̄_s], split)
//   a_t = softmax_s(score)   over real source positions
//   c_t = Σ_s a_ts h̄_s
//   h̃_t = tanh(W_c [c_t; h_t] + b_c)                 the attentional vector (eq. 5)
//
// The part of each score that depends only on the source (h̄_s, W_a h̄_s, U_a h̄_s + b_a)
// is computed once per sentence by Keys. The paper leaves out biases; as everywhere in
// this project each affine map has one (b_a, b_c).
//
//   LuongAttention attention(LuongScore::kGeneral, n, n_align);
//   Var keys = attention.Keys(annotations);                         // once per sentence
//   LuongAttentionOutput a = attention.Attend(h_t, annotations, keys, src_mask);
//
// Parameters: general W_a (n, n); concat W_a (n', n), U_a (n', n), b_a, v_a (n');
// always W_c (n, 2n), b_c (n).
#ifndef NMT_MODELS_LAYERS_LUONG_ATTENTION_H_
#define NMT_MODELS_LAYERS_LUONG_ATTENTION_H_

#include "models/layers/module.h"

namespace nmt::layers {

enum class LuongScore { kDot, kGeneral, kConcat };

struct LuongAttentionOutput {
  Var attentional;  // h̃_t (B, n)
  Var context;      // c_t (B, n)
  Var alpha;        // a_t (B, Tx)
};

class LuongAttention : public Module {
 public:
  // hidden_size: of h_t and of the annotations h̄_s; align_size: concat's n' (else unused).
  LuongAttention(LuongScore score, int64_t hidden_size, int64_t align_size);

  // The source side of the score for every position: (B, Tx, n) -> (B, Tx, n or n').
  Var Keys(Var annotations) const;
  // One decoder step: h (B, n); mask (B, Tx) is 1 at real source tokens.
  LuongAttentionOutput Attend(Var h, Var annotations, Var keys, const Tensor& mask) const;
  LuongScore score() const { return score_; }

 private:
  LuongScore score_;
  Parameter* w_a_ = nullptr;
  Parameter* u_a_ = nullptr;
  Parameter* b_a_ = nullptr;
  Parameter* v_a_ = nullptr;
  Parameter* w_c_;
  Parameter* b_c_;
};

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_LUONG_ATTENTION_H_
