// Lstm: a long short-term memory layer (no peepholes), Luong et al. 2015's unit, with
// an optional second input x' of its own matrices (the attentional vector that
// input feeding gives the first decoder layer), as Gru has its context input:
//
//   i = σ(W_i x + U_i h + C_i x' + b_i)     f = σ(W_f x + U_f h + C_f x' + b_f)
//   o = σ(W_o x + U_o h + C_o x' + b_o)     c̃ = tanh(W_c x + U_c h + C_c x' + b_c)
//   c' = f ∘ c + i ∘ c̃                      h' = o ∘ tanh(c')
//
// The state travels packed as [h; c] (B, 2n) (ops/lstm.h); Hidden() takes h out.
//
//   Lstm enc(LstmOptions{.input_size = m, .hidden_size = n});
//   Var states = enc.RunStates(x, src_mask, /*reverse=*/false);   // (B, T, 2n)
//
//   LstmWeights w = dec.Stack();                     // once per sequence
//   Var s = dec.Step(w, Add(dec.ProjectInputs(w, y_i), dec.ProjectContext(w, fed)), s);
//
// Parameters: W_i W_f W_o W_c, U_i U_f U_o U_c, [C_i C_f C_o C_c], b_i b_f b_o b_c.
#ifndef NMT_MODELS_LAYERS_LSTM_H_
#define NMT_MODELS_LAYERS_LSTM_H_

#include "models/layers/module.h"
#include "models/layers/recurrent.h"

namespace nmt::layers {

struct LstmOptions {
  int64_t input_size = 0;
  int64_t hidden_size = 0;
  int64_t context_size = 0;  // 0: no second input
  // One fused op per step (ops/lstm.h); false composes primitive ops (for checks).
  bool fused = true;
};

// The per-gate matrices stacked in gate order i, f, o, c̃: built once per sequence.
struct LstmWeights {
  Var w;  // [W_i; W_f; W_o; W_c]    (4n, in)
  Var b;  // [b_i; b_f; b_o; b_c]    (4n)
  Var u;  // [U_i; U_f; U_o; U_c]    (4n, n)
  Var c;  // [C_i; C_f; C_o; C_c]ᵀ   (n_ctx, 4n), undefined without a second input
};

class Lstm : public Module, public RecurrentLayer {
 public:
  explicit Lstm(const LstmOptions& options);

  LstmWeights Stack() const;
  // W x + b for every position at once: (..., in) -> (..., 4n).
  Var ProjectInputs(const LstmWeights& w, Var x) const;
  // C x': (B, n_ctx) -> (B, 4n).
  Var ProjectContext(const LstmWeights& w, Var x) const;
  // One step of the packed state [h; c] (B, 2n) from x_proj (B, 4n); mask (B) or null;
  // recurrent_mask (B, n) or null: the U products read h ∘ recurrent_mask (ops/lstm.h).
  Var Step(const LstmWeights& w, Var x_proj, Var state, const Tensor* mask = nullptr,
           const Tensor* recurrent_mask = nullptr) const;
  // h of a packed state (..., 2n) -> (..., n).
  Var Hidden(Var state) const;

  // Every packed state (B, T, 2n) of a run from a zero state (padding keeps it).
  Var RunStates(Var inputs, const Tensor& mask, bool reverse, const Tensor* recurrent_mask = nullptr);
  // Every h (B, T, n).
  using RecurrentLayer::Run;
  Var Run(Var inputs, const Tensor& mask, bool reverse, const Tensor* recurrent_mask) override;
  int64_t hidden_size() const override { return options_.hidden_size; }
  const LstmOptions& options() const { return options_; }

 private:
  LstmOptions options_;
  Parameter *w_i_, *w_f_, *w_o_, *w_c_;
  Parameter *u_i_, *u_f_, *u_o_, *u_c_;
  Parameter *c_i_ = nullptr, *c_f_ = nullptr, *c_o_ = nullptr, *c_c_ = nullptr;
  Parameter *b_i_, *b_f_, *b_o_, *b_c_;
};

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_LSTM_H_
