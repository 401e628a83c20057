// Matrix products: MatMul (with transposes, batched) and Affine, y = x Wᵀ + b.
//
//   Var scores = MatMul(queries, keys, /*trans_a=*/false, /*trans_b=*/true);  // (B,T,d)·(B,S,d)ᵀ
//   Var h = Affine(x, W, b);                                                 // x Wᵀ + b
//
// Weights are stored (out, in) as the paper writes them, so Affine is F.linear
// (named for what it computes; layers::Linear is the module that owns W and b).
// Both run on oneDNN's matmul with cached primitives; backward passes are
// matmuls that accumulate into the gradients (oneDNN's sum post-op).
#ifndef NMT_OPS_MATMUL_H_
#define NMT_OPS_MATMUL_H_

#include "autograd/tape.h"

namespace nmt {

// y = op(a) op(b), op transposing the last two dims when asked.
// 2-D: (m×k)(k×n). 3-D: (B,m,k)(B,k,n) per batch, or (B,m,k)(k,n) with b shared.
// dA += dY op(b)ᵀ (transposed back if trans_a); dB += op(a)ᵀ dY likewise, summed over the batch when shared.
Var MatMul(Var a, Var b, bool trans_a = false, bool trans_b = false);

// y = x Wᵀ + b.  x (..., in), W (out, in), b (out) or an undefined Var for none.
// dx += dy W, dW += dyᵀ x (over all leading dims), db += Σ dy.
Var Affine(Var x, Var w, Var b = Var());

}  // namespace nmt

#endif  // NMT_OPS_MATMUL_H_
