#include "models/search.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "base/check.h"

namespace nmt::models {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// The model never emits PAD (log-probability −inf, the rest not renormalised); with
// suppress_unk neither UNK.
void Suppress(Tensor& log_probs, const SearchOptions& options) {
  const int64_t k = log_probs.dim(1);
  for (int64_t i = 0; i < log_probs.dim(0); ++i) {
    log_probs.data()[i * k + datasets::kPadId] = kNegInf;
    if (options.suppress_unk) log_probs.data()[i * k + options.unk_id] = kNegInf;
  }
}

// Rows of alpha (one per output word), trimmed to the sentence's `src_len` positions.
Tensor Alignment(const std::vector<std::vector<float>>& rows, int64_t src_len) {
  if (rows.empty() || rows[0].empty()) return Tensor();
  Tensor t = Tensor::Zeros({static_cast<int64_t>(rows.size()), src_len});
  for (size_t i = 0; i < rows.size(); ++i) std::memcpy(t.data() + i * src_len, rows[i].data(), src_len * 4);
  return t;
}

std::vector<float> AlphaRow(const Tensor& alpha, int64_t row) {
  if (!alpha.defined()) return {};
  const int64_t width = alpha.dim(1);
  const float* p = alpha.data() + row * width;
  return std::vector<float>(p, p + width);
}

// A step's log-probabilities and attention weights on the host, where the search reads
// them (the explicit copy from a device; on the CPU the tensors themselves).
void CopyToHost(StepResult& r) {
  r.log_probs = r.log_probs.ToHost();
  if (r.alpha.defined()) r.alpha = r.alpha.ToHost();
}

// Beam search's pieces, in the order of one step.

// A hypothesis still in the beam.
struct BeamEntry {
  std::vector<int32_t> ids;
  float score = 0.0f;                      // Σ log p, in f32 as the reference accumulates it
  std::vector<std::vector<float>> alphas;  // α's row for each word, for the alignment
};

// What goes on after a step: the live hypotheses and, for each, the decoder row it
// continues (its parent's) and the word it feeds back.
struct Survivors {
  std::vector<BeamEntry> live;
  std::vector<int> parents;
  std::vector<int32_t> words;
};

// An extension of a live hypothesis by one word: its flat index p · K_y + w (hypothesis
// p, word w) and its total score_p + log p(w).
struct Extension {
  int index;
  float total;
};

// The `want` best extensions of the live hypotheses, whose rows of log p(y | ·) are at
// `log_probs` (live.size() × vocab), best first; equal totals go to the lower index.
// One pass that keeps the best so far: nearly every candidate fails the comparison with
// the worst kept one, so this reads the rows once and writes nothing (a sort of all
// live.size() × K_y candidates was a quarter of a beam search's bookkeeping).
std::vector<Extension> TopExtensions(const std::vector<BeamEntry>& live, const float* log_probs, int64_t vocab,
                                     int want) {
  // A beam wider than hypotheses × vocabulary can only take every candidate.
  want = static_cast<int>(std::min<int64_t>(want, static_cast<int64_t>(live.size()) * vocab));
  std::vector<Extension> top;
  if (want <= 0) return top;
  top.reserve(want + 1);
  for (size_t p = 0; p < live.size(); ++p) {
    const float score = live[p].score;
    const float* row = log_probs + p * vocab;
    for (int64_t w = 0; w < vocab; ++w) {
      const float total = row[w] + score;
      if (static_cast<int>(top.size()) == want && !(total > top.back().total)) continue;
      // After every kept extension with a total ≥ this one: ties keep the lower index first.
      auto at =
          std::upper_bound(top.begin(), top.end(), total, [](float t, const Extension& e) { return t > e.total; });
      top.insert(at, {static_cast<int>(p * vocab + w), total});
      if (static_cast<int>(top.size()) > want) top.pop_back();
    }
  }
  return top;
}

// Each chosen extension is its parent plus one word, with the parent's row of α; one that
// ends in EOS leaves the beam for `finished`, the others survive. live[p] is row
// first_row + p of `alpha` and of the decoder state, which next.parents name.
Survivors ExtendHypotheses(const std::vector<BeamEntry>& live, absl::Span<const Extension> chosen, int64_t vocab,
                           const Tensor& alpha, int first_row, std::vector<BeamEntry>& finished) {
  Survivors next;
  for (const Extension& c : chosen) {
    const int parent = static_cast<int>(c.index / vocab), word = static_cast<int>(c.index % vocab);
    BeamEntry h{live[parent].ids, c.total, live[parent].alphas};
    h.ids.push_back(word);
    h.alphas.push_back(AlphaRow(alpha, first_row + parent));
    if (word == datasets::kEosId) {
      finished.push_back(std::move(h));
    } else {
      next.live.push_back(std::move(h));
      next.parents.push_back(first_row + parent);
      next.words.push_back(word);
    }
  }
  return next;
}

// The n-best list: each finished hypothesis scored (HypothesisScore) and given
// its alignment, best first; equal scores keep the order in which they finished.
std::vector<Hypothesis> NBestList(std::vector<BeamEntry> finished, int64_t src_len, const SearchOptions& options) {
  std::vector<Hypothesis> out;
  for (BeamEntry& h : finished) {
    Hypothesis hyp;
    hyp.log_prob = h.score;
    hyp.alignment = Alignment(h.alphas, src_len);
    hyp.score = HypothesisScore(h.score, static_cast<int64_t>(h.ids.size()), hyp.alignment, options);
    hyp.ids = std::move(h.ids);
    out.push_back(std::move(hyp));
  }
  std::stable_sort(out.begin(), out.end(), [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
  return out;
}

void CheckOptions(const SearchOptions& options) {
  NMT_CHECK(!(options.length_norm && options.length_penalty != 0.0) && options.length_penalty >= 0.0 &&
            options.coverage_penalty >= 0.0 && options.max_len_factor > 0.0f)
      << "search: length_norm " << options.length_norm << " with length_penalty " << options.length_penalty
      << " (they are alternatives), coverage_penalty " << options.coverage_penalty << ", max_len_factor "
      << options.max_len_factor;
}

// max_len_factor · |x| words, at least one.
int64_t MaxOutputLength(int64_t src_len, const SearchOptions& options) {
  return std::max<int64_t>(1, static_cast<int64_t>(src_len * options.max_len_factor));
}

}  // namespace

double LengthPenalty(int64_t length, double alpha) { return std::pow((5.0 + length) / 6.0, alpha); }

double CoveragePenalty(const Tensor& alignment, double beta) {
  if (beta == 0.0 || !alignment.defined()) return 0.0;
  const int64_t rows = alignment.dim(0), cols = alignment.dim(1);
  const float* a = alignment.data();
  double penalty = 0.0;
  for (int64_t i = 0; i < cols; ++i) {
    double attention = 0.0;
    for (int64_t j = 0; j < rows; ++j) attention += a[j * cols + i];
    penalty += std::log(std::clamp(attention, 1e-10, 1.0));
  }
  return beta * penalty;
}

double HypothesisScore(double log_prob, int64_t length, const Tensor& alignment, const SearchOptions& options) {
  double score = log_prob;
  if (options.length_norm) score = log_prob / static_cast<double>(length);
  if (options.length_penalty != 0.0) score = log_prob / LengthPenalty(length, options.length_penalty);
  return score + CoveragePenalty(alignment, options.coverage_penalty);
}

std::vector<Hypothesis> GreedySearch(Model& model, DeviceContext& context, const datasets::Batch& batch,
                                     const SearchOptions& options) {
  CheckOptions(options);
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  const int64_t b = batch.batch_size, vocab = model.config().tgt_vocab();
  std::unique_ptr<DecoderState> state = model.Encode(batch.source_ids, SourceMask(batch));
  std::vector<int64_t> src_lens(b), max_lens(b);
  int64_t longest = 0;
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t t = 0; t < batch.source_length; ++t)
      src_lens[i] += batch.source_mask[i * batch.source_length + t] != 0;
    max_lens[i] = MaxOutputLength(src_lens[i], options);
    longest = std::max(longest, max_lens[i]);
  }
  std::vector<Hypothesis> out(b);
  std::vector<std::vector<std::vector<float>>> alphas(b);
  std::vector<bool> done(b, false);
  std::vector<int32_t> words;  // y_{i−1} of every row (PAD once it has finished); none at first
  for (int64_t step = 0; step < longest; ++step) {
    StepResult r = model.Step(*state, words);
    CopyToHost(r);
    Suppress(r.log_probs, options);
    bool all_done = true;
    words.resize(b);
    for (int64_t i = 0; i < b; ++i) {
      const float* lp = r.log_probs.data() + i * vocab;
      words[i] = static_cast<int32_t>(std::max_element(lp, lp + vocab) - lp);
      if (done[i]) {
        words[i] = datasets::kPadId;
        continue;
      }
      out[i].ids.push_back(words[i]);
      out[i].log_prob += lp[words[i]];
      alphas[i].push_back(AlphaRow(r.alpha, i));
      done[i] = words[i] == datasets::kEosId || step + 1 >= max_lens[i];
      all_done = all_done && done[i];
    }
    if (all_done) break;
    state = std::move(r.state);
    tape.RewindKeeping(state->Vars());  // this step's intermediates go back to the pool
  }
  for (int64_t i = 0; i < b; ++i) {
    out[i].alignment = Alignment(alphas[i], src_lens[i]);
    out[i].score = HypothesisScore(out[i].log_prob, static_cast<int64_t>(out[i].ids.size()), out[i].alignment, options);
  }
  return out;
}

std::vector<std::vector<Hypothesis>> BatchBeamSearch(Model& model, DeviceContext& context, const datasets::Batch& batch,
                                                     const SearchOptions& options) {
  NMT_CHECK(options.beam_size > 0) << "BeamSearch: beam " << options.beam_size;
  CheckOptions(options);
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  const int64_t b = batch.batch_size, vocab = model.config().tgt_vocab();
  // The beams of all sentences are rows of one decoder state: sentence s's live
  // hypotheses are rows [first_row[s], first_row[s] + beams[s].live.size()).
  struct Beam {
    std::vector<BeamEntry> live = std::vector<BeamEntry>(1);
    std::vector<BeamEntry> finished;
    int64_t src_len = 0, max_len = 0;
    bool done = false;
  };
  std::vector<Beam> beams(b);
  int64_t longest = 0;
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t t = 0; t < batch.source_length; ++t)
      beams[i].src_len += batch.source_mask[i * batch.source_length + t] != 0;
    NMT_CHECK(beams[i].src_len > 0) << "BeamSearch: sentence " << i << " has no source words";
    beams[i].max_len = MaxOutputLength(beams[i].src_len, options);
    longest = std::max(longest, beams[i].max_len);
  }
  std::unique_ptr<DecoderState> state = model.Encode(batch.source_ids, SourceMask(batch));
  std::vector<int32_t> words;  // y_{i−1} of every row; none at first
  for (int64_t step = 0; step < longest; ++step) {
    StepResult r = model.Step(*state, words);
    CopyToHost(r);
    Suppress(r.log_probs, options);
    std::vector<int> parents;
    words.clear();
    int first_row = 0;
    for (Beam& beam : beams) {
      if (beam.done) continue;
      const float* log_probs = r.log_probs.data() + first_row * vocab;
      const int64_t rows = static_cast<int64_t>(beam.live.size());
      const int want = options.beam_size - static_cast<int>(beam.finished.size());
      Survivors next = ExtendHypotheses(beam.live, TopExtensions(beam.live, log_probs, vocab, want), vocab, r.alpha,
                                        first_row, beam.finished);
      first_row += static_cast<int>(rows);
      beam.live = std::move(next.live);
      // Done when k have finished, or at the length limit, where the live ones count as finished.
      beam.done = beam.live.empty() || step + 1 >= beam.max_len;
      if (beam.done) {
        for (BeamEntry& h : beam.live) beam.finished.push_back(std::move(h));
        beam.live.clear();
        continue;
      }
      // The decoder continues each survivor's parent row, fed the survivor's word.
      parents.insert(parents.end(), next.parents.begin(), next.parents.end());
      words.insert(words.end(), next.words.begin(), next.words.end());
    }
    if (parents.empty()) break;
    state = r.state->Select(parents);
    r.state.reset();
    tape.RewindKeeping(state->Vars());  // this step's intermediates go back to the pool
  }
  std::vector<std::vector<Hypothesis>> out;
  out.reserve(b);
  for (Beam& beam : beams) out.push_back(NBestList(std::move(beam.finished), beam.src_len, options));
  return out;
}

std::vector<Hypothesis> BeamSearch(Model& model, DeviceContext& context, absl::Span<const int32_t> src,
                                   const SearchOptions& options) {
  NMT_CHECK(options.beam_size > 0 && !src.empty())
      << "BeamSearch: beam " << options.beam_size << ", " << src.size() << " source words";
  const std::vector<int32_t> sentence(src.begin(), src.end());
  return BatchBeamSearch(model, context, datasets::MakeBatch({sentence}, {}), options).front();
}

}  // namespace nmt::models
