#include "models/layers/deep_output.h"

#include "ops/elementwise.h"
#include "ops/matmul.h"
#include "ops/maxout.h"

namespace nmt::layers {

DeepOutput::DeepOutput(int64_t state_size, int64_t embedding_size, int64_t context_size, int64_t maxout_units,
                       int64_t vocabulary)
    : u_o_(RegisterParameter("U_o", {2 * maxout_units, state_size}, Init::Normal(0.01f))),
      v_o_(RegisterParameter("V_o", {2 * maxout_units, embedding_size}, Init::Normal(0.01f))),
      c_o_(RegisterParameter("C_o", {2 * maxout_units, context_size}, Init::Normal(0.01f))),
      b_o_(RegisterParameter("b_o", {2 * maxout_units}, Init::Zeros())),
      w_o_(RegisterParameter("W_o", {vocabulary, maxout_units}, Init::Normal(0.01f))),
      b_y_(RegisterParameter("b_y", {vocabulary}, Init::Zeros())) {}

Var DeepOutput::Hidden(Var s_prev, Var y_prev, Var context) const {
  Var t_tilde = Add(Add(nmt::Affine(s_prev, u_o_->var(), b_o_->var()), nmt::Affine(y_prev, v_o_->var())),
                    nmt::Affine(context, c_o_->var()));
  return Maxout(t_tilde);
}

Var DeepOutput::Logits(Var hidden) const { return nmt::Affine(hidden, w_o_->var(), b_y_->var()); }

}  // namespace nmt::layers
