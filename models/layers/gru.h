// Gru: the gated recurrent unit of the paper's Appendix A.1.1, with the optional
// context input of the decoder (A.2.2):
//
//   z  = σ(W_z x + U_z h + C_z c + b_z)
//   r  = σ(W_r x + U_r h + C_r c + b_r)
//   h̃  = tanh(W x + U (r ∘ h) + C c + b)          (reset applied BEFORE U)
//   h' = (1 − z) ∘ h + z ∘ h̃
//
// GruForm::kLinearBeforeReset selects h̃ = tanh(W x + r ∘ (U h) + C c + b), the
// cuDNN/PyTorch placement, as an option of the same layer.
//
//   Gru enc(GruOptions{.input_size = m, .hidden_size = n});
//   Var states = enc.Run(x, src_mask, /*reverse=*/false);       // (B, T, n)
//
//   GruWeights w = dec.Stack();                  // once per sequence
//   Var x_proj = dec.ProjectInputs(w, y_prev);    // W x + b for all positions at once
//   Var s = dec.Step(w, Add(x_proj_i, dec.ProjectContext(w, c_i)), s);
//
// Parameter names are the reference's: W_z W_r W U_z U_r U [C_z C_r C] b_z b_r b.
#ifndef NMT_MODELS_LAYERS_GRU_H_
#define NMT_MODELS_LAYERS_GRU_H_

#include "models/layers/module.h"
#include "models/layers/recurrent.h"
#include "ops/gru.h"

namespace nmt::layers {

struct GruOptions {
  int64_t input_size = 0;
  int64_t hidden_size = 0;
  int64_t context_size = 0;  // 0: no context input C c
  GruForm form = GruForm::kResetBeforeU;
  // One fused op per step (ops/gru.h); false composes primitive ops (for checks).
  bool fused = true;
};

// The per-gate matrices stacked in gate order z, r, h̃: built once per sequence, not per step.
struct GruWeights {
  Var w;     // [W_z; W_r; W]  (3n, in)
  Var b;     // [b_z; b_r; b]  (3n)
  Var u_zr;  // [U_z; U_r]     (2n, n)
  Var u;     // U              (n, n)
  Var c;     // [C_z; C_r; C]ᵀ (n_ctx, 3n), undefined without a context input
};

class Gru : public Module, public RecurrentLayer {
 public:
  explicit Gru(const GruOptions& options);

  GruWeights Stack() const;
  // W x + b for every position at once: (..., in) -> (..., 3n).
  Var ProjectInputs(const GruWeights& w, Var x) const;
  // C c: (..., n_ctx) -> (..., 3n).
  Var ProjectContext(const GruWeights& w, Var c) const;
  // One step from x_proj (B, 3n) holding every term but the U ones; mask (B) or null;
  // recurrent_mask (B, n) or null: the U products read h ∘ recurrent_mask (ops/gru.h).
  Var Step(const GruWeights& w, Var x_proj, Var h, const Tensor* mask = nullptr,
           const Tensor* recurrent_mask = nullptr) const;

  using RecurrentLayer::Run;
  Var Run(Var inputs, const Tensor& mask, bool reverse, const Tensor* recurrent_mask) override;
  int64_t hidden_size() const override { return options_.hidden_size; }
  const GruOptions& options() const { return options_; }

 private:
  GruOptions options_;
  Parameter *w_z_, *w_r_, *w_;
  Parameter *u_z_, *u_r_, *u_;
  Parameter *c_z_ = nullptr, *c_r_ = nullptr, *c_ = nullptr;
  Parameter *b_z_, *b_r_, *b_;
};

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_GRU_H_
