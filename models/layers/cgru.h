// ConditionalGru: the conditional GRU decoder cell of Nematus (Sennrich et al. 2017,
// "Nematus: a Toolkit for Neural Machine Translation", Section 2) and Marian: a GRU,
// then attention read by its state, then a second GRU fed the context:
//
//   s'_i = GRU_1(E y_{i−1}, s_{i−1})
//   α_i, c_i = attention(s'_i, h)        e_ij = v_aᵀ tanh(W_a s'_i + U_a h_j + b_a)
//   s_i  = GRU_2(c_i, s'_i)
//
// Unlike RNNsearch, the alignment reads a state that has already seen y_{i−1}, and
// the context enters the second GRU's input rather than every gate of one GRU.
//
//   ConditionalGru dec(gru_options, /*annotation_size=*/2 * n, n_align);
//   ConditionalGru::Weights w = dec.Stack();                 // once per sequence
//   Var x = dec.ProjectInputs(w, y_prev);                     // GRU_1's W E y + b, all steps at once
//   Var keys = dec.Keys(annotations);                         // U_a h_j + b_a, once per sentence
//   ConditionalGruOutput out = dec.Step(w, x_i, s, annotations, keys, src_mask);
//
// Parameters: gru1.* (input E y), attention.{W_a,U_a,b_a,v_a}, gru2.* (input c).
// Both GRUs take their form from the GruOptions (the paper's reset-before-U, or
// linear-before-reset as in Nematus, whose second GRU keeps its candidate bias
// inside the reset product where ours adds it outside).
#ifndef NMT_MODELS_LAYERS_CGRU_H_
#define NMT_MODELS_LAYERS_CGRU_H_

#include "models/layers/attention.h"
#include "models/layers/gru.h"
#include "models/layers/module.h"

namespace nmt::layers {

struct ConditionalGruOutput {
  Var state;    // s_i (B, n)
  Var context;  // c_i (B, annotation_size)
  Var alpha;    // α_i (B, Tx)
};

class ConditionalGru : public Module {
 public:
  // options: GRU_1's (input_size = m, hidden_size = n, no context); GRU_2 gets the same
  // form and size with input_size = annotation_size.
  ConditionalGru(const GruOptions& options, int64_t annotation_size, int64_t align_size);

  struct Weights {
    GruWeights gru1, gru2;
  };
  Weights Stack() const;
  // GRU_1's W y + b for every position at once: (..., m) -> (..., 3n).
  Var ProjectInputs(const Weights& w, Var y_prev) const;
  // U_a h_j + b_a: (B, Tx, annotation_size) -> (B, Tx, n').
  Var Keys(Var annotations) const;
  // One step from s_{i−1} (B, n) and GRU_1's projected input x_proj (B, 3n);
  // dropout1, dropout2: GRU_1's and GRU_2's variational recurrent masks (B, n), or null.
  ConditionalGruOutput Step(const Weights& w, Var x_proj, Var s_prev, Var annotations, Var keys, const Tensor& src_mask,
                            const Tensor* dropout1 = nullptr, const Tensor* dropout2 = nullptr) const;

 private:
  Gru gru1_;
  AdditiveAttention attention_;
  Gru gru2_;
};

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_CGRU_H_
