#include "models/layers/luong_attention.h"

#include "base/check.h"
#include "ops/attention.h"
#include "ops/elementwise.h"
#include "ops/matmul.h"
#include "ops/shape.h"
#include "ops/softmax.h"

namespace nmt::layers {

LuongAttention::LuongAttention(LuongScore score, int64_t hidden_size, int64_t align_size) : score_(score) {
  const int64_t n = hidden_size;
  NMT_CHECK(n > 0 && (score != LuongScore::kConcat || align_size > 0))
      << "LuongAttention: hidden " << n << ", align " << align_size;
  if (score == LuongScore::kGeneral) w_a_ = RegisterParameter("W_a", {n, n}, Init::Normal(0.01f));
  if (score == LuongScore::kConcat) {
    w_a_ = RegisterParameter("W_a", {align_size, n}, Init::Normal(0.001f));
    u_a_ = RegisterParameter("U_a", {align_size, n}, Init::Normal(0.001f));
    b_a_ = RegisterParameter("b_a", {align_size}, Init::Zeros());
    v_a_ = RegisterParameter("v_a", {align_size}, Init::Zeros());
  }
  w_c_ = RegisterParameter("W_c", {n, 2 * n}, Init::Normal(0.01f));
  b_c_ = RegisterParameter("b_c", {n}, Init::Zeros());
}

Var LuongAttention::Keys(Var annotations) const {
  switch (score_) {
    case LuongScore::kDot:
      return annotations;
    case LuongScore::kGeneral:
      return nmt::Affine(annotations, w_a_->var());  // W_a h̄_s
    case LuongScore::kConcat:
      return nmt::Affine(annotations, u_a_->var(), b_a_->var());
  }
  return Var();
}

LuongAttentionOutput LuongAttention::Attend(Var h, Var annotations, Var keys, const Tensor& mask) const {
  const int64_t batch = keys.dim(0), length = keys.dim(1), n = h.dim(1);
  NMT_CHECK(h.rank() == 2 && h.dim(0) == batch && annotations.rank() == 3 && annotations.dim(1) == length &&
            annotations.dim(2) == n && mask.shape() == (Shape{batch, length}))
      << "LuongAttention: h " << h.ShapeString() << ", annotations " << annotations.ShapeString() << ", keys "
      << keys.ShapeString() << ", mask " << mask.ShapeString();
  // e_s = keys_s · h_t for dot and general: one batched (Tx × n)(n × 1) product.
  Var e = score_ == LuongScore::kConcat ? AdditiveScores(nmt::Affine(h, w_a_->var()), keys, v_a_->var())
                                        : Reshape(MatMul(keys, Reshape(h, {batch, n, 1})), {batch, length});
  LuongAttentionOutput out;
  out.alpha = Softmax(e, 1, &mask);
  out.context = AttentionContext(out.alpha, annotations);
  out.attentional = Tanh(nmt::Affine(Concat({out.context, h}, 1), w_c_->var(), b_c_->var()));
  return out;
}

}  // namespace nmt::layers
