// Elementwise ops: broadcasting arithmetic, activations, scaling and dropout.
//
//   Var h = Tanh(Add(Affine(x, W), bias));
//   Var y = Dropout(h, 0.2f, /*seed=*/step);
//
// Binary ops broadcast as numpy does (trailing dimensions aligned, size-1 or
// missing dimensions repeat); their backward sums the gradient over the
// repeated dimensions.
#ifndef NMT_OPS_ELEMENTWISE_H_
#define NMT_OPS_ELEMENTWISE_H_

#include <cstdint>

#include "autograd/tape.h"

namespace nmt {

// y = a + b.  da += Σ dy, db += Σ dy (over each one's broadcast dims).
Var Add(Var a, Var b);
// y = a − b.  da += Σ dy, db −= Σ dy.
Var Sub(Var a, Var b);
// y = a ∘ b.  da += Σ dy ∘ b, db += Σ dy ∘ a.
Var Mul(Var a, Var b);
// y = a / b.  da += Σ dy / b, db −= Σ dy ∘ a / b².
Var Div(Var a, Var b);
// y = alpha x.  dx += alpha dy.
Var Scale(Var x, float alpha);

// y = σ(x).  dx += dy ∘ y(1 − y).  Saves y.
Var Sigmoid(Var x);
// y = tanh(x).  dx += dy ∘ (1 − y²).  Saves y.
Var Tanh(Var x);
// y = eˣ.  dx += dy ∘ y.  Saves y.
Var Exp(Var x);
// y = log x.  dx += dy / x.  Saves x.
Var Log(Var x);
// y = max(x, 0).  dx += dy where x > 0.  Saves x.
Var Relu(Var x);

// y = x ∘ m, m_i = 0 with probability p, else 1/(1−p), drawn from (seed, i) alone,
// so a step replays exactly. dx += dy ∘ m. p == 0 returns x itself.
Var Dropout(Var x, float p, uint64_t seed);

}  // namespace nmt

#endif  // NMT_OPS_ELEMENTWISE_H_
