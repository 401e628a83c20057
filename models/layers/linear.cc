#include "models/layers/linear.h"

#include "ops/matmul.h"

namespace nmt::layers {

Linear::Linear(int64_t in, int64_t out, const LinearNames& names, Init weight_init)
    : weight_(RegisterParameter(names.weight, {out, in}, weight_init)) {
  if (!names.bias.empty()) bias_ = RegisterParameter(names.bias, {out}, Init::Zeros());
}

Var Linear::Forward(Var x) const { return nmt::Affine(x, weight_->var(), bias_ ? bias_->var() : Var()); }

}  // namespace nmt::layers
