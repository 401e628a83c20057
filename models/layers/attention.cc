#include "models/layers/attention.h"

#include "base/check.h"
#include "ops/attention.h"
#include "ops/elementwise.h"
#include "ops/matmul.h"
#include "ops/shape.h"
#include "ops/softmax.h"

namespace nmt::layers {

AdditiveAttention::AdditiveAttention(int64_t query_size, int64_t annotation_size, int64_t align_size, bool fused)
    : fused_(fused),
      w_a_(RegisterParameter("W_a", {align_size, query_size}, Init::Normal(0.001f))),
      u_a_(RegisterParameter("U_a", {align_size, annotation_size}, Init::Normal(0.001f))),
      b_a_(RegisterParameter("b_a", {align_size}, Init::Zeros())),
      v_a_(RegisterParameter("v_a", {align_size}, Init::Zeros())) {}

Var AdditiveAttention::Keys(Var annotations) const { return nmt::Affine(annotations, u_a_->var(), b_a_->var()); }

AttentionOutput AdditiveAttention::Attend(Var query, Var annotations, Var keys, const Tensor& mask) const {
  const int64_t batch = keys.dim(0), length = keys.dim(1), width = keys.dim(2);
  NMT_CHECK(annotations.rank() == 3 && annotations.dim(0) == batch && annotations.dim(1) == length &&
            mask.shape() == (Shape{batch, length}))
      << "AdditiveAttention: annotations " << annotations.ShapeString() << ", keys " << keys.ShapeString() << ", mask "
      << mask.ShapeString();
  Var q = nmt::Affine(query, w_a_->var());
  Var e = fused_ ? AdditiveScores(q, keys, v_a_->var())
                 : Reshape(MatMul(Tanh(Add(keys, Reshape(q, {batch, 1, width}))), Reshape(v_a_->var(), {width, 1})),
                           {batch, length});
  AttentionOutput out;
  out.alpha = Softmax(e, 1, &mask);
  out.context = fused_
                    ? AttentionContext(out.alpha, annotations)  // c_i = Σ_j α_ij h_j
                    : Reshape(MatMul(Reshape(out.alpha, {batch, 1, length}), annotations), {batch, annotations.dim(2)});
  return out;
}

}  // namespace nmt::layers
