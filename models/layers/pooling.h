// MaskedMean: the mean of a padded batch of sequences over each one's real
// positions, as Nematus and Marian initialise the conditional GRU decoder from the
// annotations (s_0 = tanh(W_init mean_j h_j + b_init)).
//
//   Var mean = MaskedMean(annotations, src_mask);   // (B, Tx, 2n) -> (B, 2n)
#ifndef NMT_MODELS_LAYERS_POOLING_H_
#define NMT_MODELS_LAYERS_POOLING_H_

#include "autograd/tape.h"

namespace nmt::layers {

// y[b] = Σ_j mask[b, j] x[b, j] / Σ_j mask[b, j] for x (B, T, d), mask (B, T) of 0/1
// with at least one 1 per row.  dx[b, j] += mask[b, j] dy[b] / Σ_j mask[b, j].
Var MaskedMean(Var x, const Tensor& mask);

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_POOLING_H_
