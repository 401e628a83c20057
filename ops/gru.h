// The fused step of the paper's gated recurrent unit (Appendix A.1.1), one op with
// its own backward. The time-independent terms (W x + b, and C c in the decoder)
// come in precomputed as x_proj, so only the recurrent products run per step.
//
//   Var x_proj = Affine(x_t, W_zrh, b_zrh);                  // (B, 3n), gate order z, r, h̃
//   Var h_next = GruStep(x_proj, h, U_zr, U, &mask_t);       // mask_t (B): 0 keeps h
//
// Reset before U (the paper's form):       h̃ = tanh(x_h + U (r ∘ h))
// Linear before reset (cuDNN's placement): h̃ = tanh(x_h + r ∘ (U h))
// and in both: z = σ(x_z + U_z h), r = σ(x_r + U_r h), h' = (1 − z) ∘ h + z ∘ h̃.
#ifndef NMT_OPS_GRU_H_
#define NMT_OPS_GRU_H_

#include "autograd/tape.h"

namespace nmt {

enum class GruForm { kResetBeforeU, kLinearBeforeReset };

// h' as above for x_proj (B, 3n), h (B, n), u_zr = [U_z; U_r] (2n, n), u (n, n);
// rows where mask (B, optional) is 0 return h unchanged (padding). With recurrent_mask
// (B, n), the U products read h ∘ recurrent_mask and the interpolation h itself:
// variational dropout of the recurrent state (Gal & Ghahramani 2016, as in Nematus and
// Marian; the same mask at every step of a sequence).
// dx_proj, dh, dU_zr, dU accumulate the step's gradients. Saves z, r, h̃ and r ∘ h (or U h).
Var GruStep(Var x_proj, Var h, Var u_zr, Var u, const Tensor* mask = nullptr, GruForm form = GruForm::kResetBeforeU,
            const Tensor* recurrent_mask = nullptr);

}  // namespace nmt

#endif  // NMT_OPS_GRU_H_
