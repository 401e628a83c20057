// The fused step of a long short-term memory cell (Hochreiter & Schmidhuber 1997,
// with the forget gate of Gers et al. 2000; no peepholes), the recurrent unit of
// Luong et al. 2015. One op with its own backward; the time-independent terms
// (W x + b, and C x' for a fed input) come in precomputed as x_proj, so only the
// recurrent product runs per step. The state travels packed, [h; c] in one tensor.
//
//   Var x_proj = Affine(x_t, W_ifoc, b_ifoc);                 // (B, 4n), gate order i, f, o, c̃
//   Var state = LstmStep(x_proj, state, U_ifoc, &mask_t);    // (B, 2n) = [h; c]; mask_t 0 keeps it
//
//   i = σ(x_i + U_i h)   f = σ(x_f + U_f h)   o = σ(x_o + U_o h)   c̃ = tanh(x_c + U_c h)
//   c' = f ∘ c + i ∘ c̃    h' = o ∘ tanh(c')
#ifndef NMT_OPS_LSTM_H_
#define NMT_OPS_LSTM_H_

#include "autograd/tape.h"

namespace nmt {

// [h'; c'] as above for x_proj (B, 4n), state = [h; c] (B, 2n), u = [U_i; U_f; U_o; U_c]
// (4n, n); rows where mask (B, optional) is 0 return the state unchanged (padding).
// With a the gate pre-activations: dc = dc' + dh' ∘ o ∘ (1 − tanh²c'), da_i = dc ∘ c̃ ∘ i(1 − i),
// da_f = dc ∘ c ∘ f(1 − f), da_o = dh' ∘ tanh c' ∘ o(1 − o), da_c = dc ∘ i ∘ (1 − c̃²);
// dx_proj += da, dh += da u, dc += dc ∘ f, du += daᵀ h (masked rows pass dy to dstate).
// With recurrent_mask (B, n), the U products read h ∘ recurrent_mask (variational
// dropout of the recurrent state, the same mask at every step; c is never dropped).
// Saves the gates, c̃, tanh c' and h.
Var LstmStep(Var x_proj, Var state, Var u, const Tensor* mask = nullptr, const Tensor* recurrent_mask = nullptr);

}  // namespace nmt

#endif  // NMT_OPS_LSTM_H_
