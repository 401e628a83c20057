// Linear: an affine map y = W x + b with W stored (out, in) as the paper writes it.
//
//   Linear init(n, n, {.weight = "W_s", .bias = "b_s"});   // s_0 = tanh(W_s h←_1 + b_s)
//   RegisterModule("", &init);                            // flat reference names
//   Var s0 = Tanh(init.Forward(h_first));
//
// Used for the paper's single affine maps (W_s in A.2.2; V, V' of RNNencdec).
#ifndef NMT_MODELS_LAYERS_LINEAR_H_
#define NMT_MODELS_LAYERS_LINEAR_H_

#include <string>

#include "models/layers/module.h"

namespace nmt::layers {

struct LinearNames {
  std::string weight = "W";
  std::string bias = "b";  // empty: no bias
};

class Linear : public Module {
 public:
  Linear(int64_t in, int64_t out, const LinearNames& names = {}, Init weight_init = Init::Normal(0.01f));

  // x (..., in) -> (..., out).
  Var Forward(Var x) const;
  Parameter& weight() const { return *weight_; }

 private:
  Parameter* weight_;
  Parameter* bias_ = nullptr;
};

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_LINEAR_H_
