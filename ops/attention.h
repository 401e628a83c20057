// The fused score of the additive alignment model (Appendix A.1.2), with the
// keys U_a h_j + b_a computed once per sentence and passed in:
//
//   Var keys = Affine(annotations, U_a, b_a);              // (B, Tx, n'), once
//   Var e = AdditiveScores(Affine(s_prev, W_a), keys, v_a);  // (B, Tx), every step
//   Var alpha = Softmax(e, 1, &src_mask);
//   Var c = AttentionContext(alpha, annotations);           // (B, 2n)
//
// Fusing the broadcast add, the tanh and the product with v_a keeps the one large
// elementwise tensor of a decoder step (B × Tx × n') to a single pass each way.
#ifndef NMT_OPS_ATTENTION_H_
#define NMT_OPS_ATTENTION_H_

#include "autograd/tape.h"

namespace nmt {

// e[b, j] = v_aᵀ tanh(query[b] + keys[b, j]) for query (B, n'), keys (B, Tx, n'), v (n').
// With T = tanh(...): dkeys[b, j] += de[b, j] v ∘ (1 − T²), dquery[b] += Σ_j of the same,
// dv += Σ_{b, j} de[b, j] T[b, j].  Saves T.
Var AdditiveScores(Var query, Var keys, Var v);

// c[b] = Σ_j alpha[b, j] h[b, j] for alpha (B, Tx), h (B, Tx, d): the context vector c_i.
// dalpha[b, j] += dc[b] · h[b, j], dh[b, j] += alpha[b, j] dc[b].  Saves nothing new.
Var AttentionContext(Var alpha, Var annotations);

}  // namespace nmt

#endif  // NMT_OPS_ATTENTION_H_
