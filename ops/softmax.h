// Softmax, log-softmax (over an axis, with an optional mask) and the fused
// softmax cross-entropy the models train with.
//
//   Var alpha = Softmax(scores, /*axis=*/1, &source_mask);   // attention weights
//   Var nll = SoftmaxCrossEntropy(logits, targets, target_mask);
//   Var loss = Scale(Sum(nll), 1.0f / batch_size);
#ifndef NMT_OPS_SOFTMAX_H_
#define NMT_OPS_SOFTMAX_H_

#include <cstdint>

#include "absl/types/span.h"
#include "autograd/tape.h"

namespace nmt {

// y = exp(x) / Σ_axis exp(x) over positions where mask != 0 (mask: x's shape, or
// null for none); masked positions get 0, as does every position of a row with
// none real.  dx += y ∘ (dy − Σ_axis dy ∘ y).  Saves y.
Var Softmax(Var x, int axis = -1, const Tensor* mask = nullptr);
// y = x − log Σ_axis exp(x) over real positions; masked positions get the lowest
// float and no gradient.  dx += dy − exp(y) Σ_axis dy.  Saves y.
Var LogSoftmax(Var x, int axis = -1, const Tensor* mask = nullptr);

// nll[i] = −mask[i] · log softmax(logits[i])[targets[i]] for logits (N, K), i32
// targets and f32 mask of length N on the tape's device (mask 0 marks padding: no
// loss, no gradient, any target). dlogits[i] += dnll[i] mask[i] (softmax(logits[i]) −
// onehot(targets[i])). Saves the log-probabilities, never a one-hot matrix.
Var SoftmaxCrossEntropy(Var logits, const Tensor& targets, const Tensor& mask);
// The same for host targets, uploaded (with a host mask) to the tape's device first.
Var SoftmaxCrossEntropy(Var logits, absl::Span<const int32_t> targets, const Tensor& mask);

}  // namespace nmt

#endif  // NMT_OPS_SOFTMAX_H_
