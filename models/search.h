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
// ranked by Σ log p, or by Σ log p / length (EOS included) with length_norm.
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
  bool suppress_unk = false;
  int32_t unk_id = datasets::kUnkId;
};

struct Hypothesis {
  std::vector<int32_t> ids;  // EOS included if it finished with EOS
  double log_prob = 0.0;     // Σ log p(y_i | ·), accumulated in f32 as the reference does
  double score = 0.0;        // what ranks it: log_prob, or log_prob / ids.size() with length_norm
  Tensor alignment;          // (T_y, T_x) attention weights; undefined for a model without attention
};

// One hypothesis per sentence of batch (its targets are ignored); options.beam_size is not used.
std::vector<Hypothesis> GreedySearch(Model& model, DeviceContext& context, const datasets::Batch& batch,
                                     const SearchOptions& options = {});

// The finished hypotheses of one unpadded sentence, best first (the n-best list).
std::vector<Hypothesis> BeamSearch(Model& model, DeviceContext& context, absl::Span<const int32_t> src,
                                   const SearchOptions& options);

}  // namespace nmt::models

#endif  // NMT_MODELS_SEARCH_H_
