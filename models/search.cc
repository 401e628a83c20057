#include "models/search.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

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

// Row p of log p(y | ·) (live, K_y) becomes the totals score_p + log p(w) of live[p]'s
// extensions, in place.
void AddHypothesisScores(const std::vector<BeamEntry>& live, Tensor& log_probs) {
  const int64_t vocab = log_probs.dim(1);
  float* total = log_probs.data();
  for (size_t p = 0; p < live.size(); ++p) {
    for (int64_t w = 0; w < vocab; ++w) total[p * vocab + w] += live[p].score;
  }
}

// The `want` best extensions by total, best first, as flat indices p · K_y + w; equal
// totals go to the lower index. `scratch` holds them (reused from step to step).
absl::Span<const int> TopExtensions(const Tensor& totals, int want, std::vector<int>& scratch) {
  const float* total = totals.data();
  // A beam wider than hypotheses × vocabulary can only take every candidate.
  want = std::min<int64_t>(want, totals.size());
  scratch.resize(totals.size());
  std::iota(scratch.begin(), scratch.end(), 0);
  std::partial_sort(scratch.begin(), scratch.begin() + want, scratch.end(),
                    [total](int a, int b) { return total[a] > total[b] || (total[a] == total[b] && a < b); });
  return absl::MakeConstSpan(scratch.data(), want);
}

// Each chosen extension is its parent plus one word, with the parent's row of α; one that
// ends in EOS leaves the beam for `finished`, the others survive.
Survivors ExtendHypotheses(const std::vector<BeamEntry>& live, absl::Span<const int> chosen, const Tensor& totals,
                           const Tensor& alpha, std::vector<BeamEntry>& finished) {
  const int64_t vocab = totals.dim(1);
  Survivors next;
  for (int c : chosen) {
    const int parent = c / vocab, word = c % vocab;
    BeamEntry h{live[parent].ids, totals.data()[c], live[parent].alphas};
    h.ids.push_back(word);
    h.alphas.push_back(AlphaRow(alpha, parent));
    if (word == datasets::kEosId) {
      finished.push_back(std::move(h));
    } else {
      next.live.push_back(std::move(h));
      next.parents.push_back(parent);
      next.words.push_back(word);
    }
  }
  return next;
}

// The n-best list: each finished hypothesis scored (per word with length_norm) and given
// its alignment, best first; equal scores keep the order in which they finished.
std::vector<Hypothesis> NBestList(std::vector<BeamEntry> finished, int64_t src_len, const SearchOptions& options) {
  std::vector<Hypothesis> out;
  for (BeamEntry& h : finished) {
    Hypothesis hyp;
    hyp.log_prob = h.score;
    hyp.score = options.length_norm ? h.score / static_cast<double>(h.ids.size()) : h.score;
    hyp.ids = std::move(h.ids);
    hyp.alignment = Alignment(h.alphas, src_len);
    out.push_back(std::move(hyp));
  }
  std::stable_sort(out.begin(), out.end(), [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
  return out;
}

}  // namespace

std::vector<Hypothesis> GreedySearch(Model& model, DeviceContext& context, const datasets::Batch& batch,
                                     const SearchOptions& options) {
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
    max_lens[i] = static_cast<int64_t>(src_lens[i] * options.max_len_factor);
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
  }
  for (int64_t i = 0; i < b; ++i) {
    out[i].score = options.length_norm ? out[i].log_prob / out[i].ids.size() : out[i].log_prob;
    out[i].alignment = Alignment(alphas[i], src_lens[i]);
  }
  return out;
}

std::vector<Hypothesis> BeamSearch(Model& model, DeviceContext& context, absl::Span<const int32_t> src,
                                   const SearchOptions& options) {
  NMT_CHECK(options.beam_size > 0 && !src.empty())
      << "BeamSearch: beam " << options.beam_size << ", " << src.size() << " source words";
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  const int64_t src_len = src.size();
  std::unique_ptr<DecoderState> state = model.Encode(src, context.Full({1, src_len}, 1.0f));
  const int64_t max_len = static_cast<int64_t>(src_len * options.max_len_factor);
  std::vector<BeamEntry> live(1);
  std::vector<BeamEntry> finished;
  std::vector<int32_t> words;  // y_{i−1} of each live hypothesis; none at first
  std::vector<int> scratch;
  for (int64_t step = 0; step < max_len; ++step) {
    StepResult r = model.Step(*state, words);
    CopyToHost(r);
    Suppress(r.log_probs, options);
    AddHypothesisScores(live, r.log_probs);
    const int want = options.beam_size - static_cast<int>(finished.size());
    Survivors next = ExtendHypotheses(live, TopExtensions(r.log_probs, want, scratch), r.log_probs, r.alpha, finished);
    live = std::move(next.live);
    if (live.empty()) break;  // k have finished
    // The decoder continues each survivor's parent row, fed the survivor's word.
    state = r.state->Select(next.parents);
    words = std::move(next.words);
  }
  // At the length limit the live ones count as finished (none are left after an early stop).
  for (BeamEntry& h : live) finished.push_back(std::move(h));
  return NBestList(std::move(finished), src_len, options);
}

}  // namespace nmt::models
