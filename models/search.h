// Decoding: batched greedy search and beam search (the paper's Section 3.2 and
// the authors' sampler), exactly as the PyTorch reference's README states them.
//
//   SearchOptions options{.beam_size = 5, .length_norm = true};
//   std::vector<Hypothesis> nbest = BeamSearch(model, context, src_ids, options);
//   nbest[0].ids;        // best translation, EOS included
//   nbest[0].alignment;  // α (T_y × T_x) for an alignment plot (models with attention)
//
// Search works on any Model (model.h): it steps the model's DecoderState and asks
// it to select rows, and knows nothing else of the model.
//
// The model never emits PAD (log-probability −inf, the rest not renormalised);
// with suppress_unk neither UNK. Greedy stops a sentence at EOS or after
// max_len_factor · |x| words (|x| with EOS). Beam search keeps, at each step, the
// best k − (finished so far) extensions by total log-probability; a hypothesis
// that emits EOS leaves the beam; search stops when k have finished or at the
// length limit, where the live ones count as finished. Finished hypotheses are
// ranked by HypothesisScore: Σ log p, or Σ log p / length (EOS included) with
// length_norm, or with Wu et al. (2016)'s penalties (GNMT, Sec. 7):
//
//   score = log P(Y|X) / lp(Y) + cp(X; Y)
//   lp(Y) = (5 + |Y|)^α / (5 + 1)^α                       length_penalty = α (0: off)
//   cp    = β · Σ_i log(min(Σ_j α_ij, 1))                 coverage_penalty = β (0: off)
//
// |Y| counts EOS, as length_norm does; i runs over source positions (EOS included), j
// over output words. lp > 1 for |Y| > 1 shrinks the (negative) log-probability of
// longer outputs less than length_norm does (α = 1 is close to it, α = 0 is Σ log p);
// cp penalises source words the output never attended to, and needs a model with
// attention (without one, cp is 0). A source position whose attention sums to under
// 1e-10 counts as 1e-10, so that cp stays finite. The penalties rank finished
// hypotheses only, as length_norm does: pruning within the beam is by Σ log p, so with
// both off the search is exactly what it was without them. The output length limit is
// max_len_factor · |x| (|x| with EOS), at least one word.
// Both run under NoGradScope on a tape of their own, dropped after each call.
#ifndef NMT_MODELS_SEARCH_H_
#define NMT_MODELS_SEARCH_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "datasets/batch.h"
#include "datasets/special_ids.h"
#include "models/model.h"

namespace nmt::models {

struct SearchOptions {
  int beam_size = 1;
  float max_len_factor = 2.0f;
  bool length_norm = false;
  double length_penalty = 0.0;    // Wu et al.'s α (0: off); not with length_norm
  double coverage_penalty = 0.0;  // Wu et al.'s β (0: off)
  bool suppress_unk = false;
  int32_t unk_id = datasets::kUnkId;
};

struct Hypothesis {
  std::vector<int32_t> ids;  // EOS included if it finished with EOS
  double log_prob = 0.0;     // Σ log p(y_i | ·), accumulated in f32 as the reference does
  double score = 0.0;        // what ranks it: HypothesisScore(log_prob, ids.size(), alignment, options)
  Tensor alignment;          // (T_y, T_x) attention weights; undefined for a model without attention
};

// The score that ranks a finished hypothesis of `length` words (EOS included) whose
// Σ log p is `log_prob`; `alignment` is its (length, T_x) attention, undefined for a
// model without attention (then the coverage penalty is 0).
double HypothesisScore(double log_prob, int64_t length, const Tensor& alignment, const SearchOptions& options);

// Wu et al.'s lp(Y) = ((5 + length) / 6)^alpha.
double LengthPenalty(int64_t length, double alpha);

// Wu et al.'s cp = beta · Σ_i log(min(Σ_j alignment_ji, 1)) over the columns i of the
// (T_y, T_x) `alignment`; 0 when it is undefined or beta is 0.
double CoveragePenalty(const Tensor& alignment, double beta);

// One hypothesis per sentence of batch (its targets are ignored); options.beam_size is not used.
std::vector<Hypothesis> GreedySearch(Model& model, DeviceContext& context, const datasets::Batch& batch,
                                     const SearchOptions& options = {});

// The finished hypotheses of one unpadded sentence, best first (the n-best list).
std::vector<Hypothesis> BeamSearch(Model& model, DeviceContext& context, absl::Span<const int32_t> src,
                                   const SearchOptions& options);

// BeamSearch of every sentence of batch at once (its targets are ignored): each step runs
// the decoder once on all live hypotheses of all sentences, beam_size rows per sentence
// at most, so the matrix products are beam_size · B rows tall instead of beam_size. Each
// sentence's beam is pruned on its own, as BeamSearch does; the n-best lists are the
// ones BeamSearch gives each sentence alone (up to the rounding of the padded batch,
// which the tests find to be none).
std::vector<std::vector<Hypothesis>> BatchBeamSearch(Model& model, DeviceContext& context, const datasets::Batch& batch,
                                                     const SearchOptions& options);

}  // namespace nmt::models

#endif  // NMT_MODELS_SEARCH_H_
