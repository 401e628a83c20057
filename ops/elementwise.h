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

// y = x ∘ m, m_i = 0 with probability p, else 1/(1−p), drawn from (seed, row, i) alone
// (ops/kernels/kernels.h, dropout_mask), so a step replays exactly. x's row r (dim 0)
// draws global row first_row + r: a data-parallel shard gets its rows of the whole
// batch's mask. dx += dy ∘ m. p == 0 returns x itself.
Var Dropout(Var x, float p, uint64_t seed, int64_t first_row = 0);
// The same with a mask of mask_shape (x's rank, each dim x's or 1) broadcast over x:
// (B, T, 1) drops whole positions (word dropout), (B, 1, d) keeps one mask for every
// step of a sequence (variational dropout).
Var SharedDropout(Var x, const Shape& mask_shape, float p, uint64_t seed, int64_t first_row = 0);
// The mask alone: mask_shape, 0 with probability p, else 1/(1−p), as above.
Tensor DropoutMask(DeviceContext& context, const Shape& mask_shape, float p, uint64_t seed, int64_t first_row = 0);

}  // namespace nmt

#endif  // NMT_OPS_ELEMENTWISE_H_
