#include "models/layers/readout.h"

#include "ops/elementwise.h"
#include "ops/matmul.h"

namespace nmt::layers {

TanhReadout::TanhReadout(int64_t state_size, int64_t embedding_size, int64_t context_size, int64_t hidden_size,
                         int64_t vocabulary)
    : u_o_(RegisterParameter("U_o", {hidden_size, state_size}, Init::Normal(0.01f))),
      v_o_(RegisterParameter("V_o", {hidden_size, embedding_size}, Init::Normal(0.01f))),
      c_o_(RegisterParameter("C_o", {hidden_size, context_size}, Init::Normal(0.01f))),
      b_o_(RegisterParameter("b_o", {hidden_size}, Init::Zeros())),
      w_o_(RegisterParameter("W_o", {vocabulary, hidden_size}, Init::Normal(0.01f))),
      b_y_(RegisterParameter("b_y", {vocabulary}, Init::Zeros())) {}

Var TanhReadout::Hidden(Var state, Var y_prev, Var context) const {
  return Tanh(Add(Add(nmt::Affine(state, u_o_->var(), b_o_->var()), nmt::Affine(y_prev, v_o_->var())),
                  nmt::Affine(context, c_o_->var())));
}

Var TanhReadout::Logits(Var hidden) const { return nmt::Affine(hidden, w_o_->var(), b_y_->var()); }

}  // namespace nmt::layers
