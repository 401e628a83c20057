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

// x's rows (dim 0) in the order `rows` lists them, as a constant.
Tensor GatherRows(DeviceContext& context, const Tensor& x, absl::Span<const int> rows) {
  Shape shape = x.shape();
  const int64_t width = x.size() / shape[0];
  shape[0] = rows.size();
  Tensor y = context.Allocate(shape);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::memcpy(y.data() + i * width, x.data() + rows[i] * width, width * sizeof(float));
  }
  return y;
}

Var GatherRows(Tape& tape, Var x, absl::Span<const int> rows) {
  return x.defined() ? tape.Constant(GatherRows(tape.context(), x.value(), rows)) : Var();
}

EncoderOutput SelectSentences(Tape& tape, const EncoderOutput& enc, absl::Span<const int> rows) {
  EncoderOutput out = enc;
  out.batch_size = rows.size();
  out.src_mask = GatherRows(tape.context(), enc.src_mask, rows);
  out.annotations = GatherRows(tape, enc.annotations, rows);
  out.keys = GatherRows(tape, enc.keys, rows);
  out.context = GatherRows(tape, enc.context, rows);
  out.context_proj = GatherRows(tape, enc.context_proj, rows);
  return out;
}

void Suppress(Tensor& log_probs, const SearchOptions& options) {
  if (!options.suppress_unk) return;
  const int64_t k = log_probs.dim(1);
  for (int64_t i = 0; i < log_probs.dim(0); ++i) log_probs.data()[i * k + options.unk_id] = kNegInf;
}

// Rows of alpha (one per output word), trimmed to the sentence's `src_len` positions.
Tensor Alignment(const std::vector<std::vector<float>>& rows, int64_t src_len) {
  if (rows.empty() || rows[0].empty()) return Tensor();
  Tensor t = Tensor::Zeros({static_cast<int64_t>(rows.size()), src_len});
  for (size_t i = 0; i < rows.size(); ++i) std::memcpy(t.data() + i * src_len, rows[i].data(), src_len * 4);
  return t;
}

std::vector<float> AlphaRow(const Var& alpha, int64_t row) {
  if (!alpha.defined()) return {};
  const int64_t width = alpha.dim(1);
  const float* p = alpha.value().data() + row * width;
  return std::vector<float>(p, p + width);
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

// The sentence's encoder output once per live hypothesis.
EncoderOutput TileSentence(Tape& tape, const EncoderOutput& enc, size_t copies) {
  const std::vector<int> rows(copies, 0);
  return SelectSentences(tape, enc, rows);
}

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
                           const Var& alpha, std::vector<BeamEntry>& finished) {
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

// The decoder's input for the next step: s_i of each survivor's parent row, and E of its word.
void ReorderDecoderState(Seq2Seq& model, Tape& tape, const Var& state, const Survivors& next, Var& s, Var& y_prev) {
  s = GatherRows(tape, state, next.parents);
  y_prev = model.EmbedTargets(next.words);
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

std::vector<Hypothesis> GreedySearch(Seq2Seq& model, DeviceContext& context, const datasets::Batch& batch,
                                     const SearchOptions& options) {
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  const int64_t b = batch.batch_size, vocab = model.config().tgt_vocab();
  EncoderOutput enc = model.Encode(batch.source_ids, SourceMask(batch));
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
  Var s = enc.s0;
  Var y_prev = tape.Constant(Tensor::Zeros({b, model.config().m()}));
  std::vector<int32_t> words(b);
  for (int64_t step = 0; step < longest; ++step) {
    DecodeStepResult r = model.DecodeStep(s, y_prev, enc);
    Suppress(r.log_probs, options);
    bool all_done = true;
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
    y_prev = model.EmbedTargets(words);
    s = r.state;
  }
  for (int64_t i = 0; i < b; ++i) {
    out[i].score = options.length_norm ? out[i].log_prob / out[i].ids.size() : out[i].log_prob;
    out[i].alignment = Alignment(alphas[i], src_lens[i]);
  }
  return out;
}

std::vector<Hypothesis> BeamSearch(Seq2Seq& model, DeviceContext& context, absl::Span<const int32_t> src,
                                   const SearchOptions& options) {
  NMT_CHECK(options.beam_size > 0 && !src.empty())
      << "BeamSearch: beam " << options.beam_size << ", " << src.size() << " source words";
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  const int64_t src_len = src.size();
  const EncoderOutput enc = model.Encode(src, Tensor::Full({1, src_len}, 1.0f));
  const int64_t max_len = static_cast<int64_t>(src_len * options.max_len_factor);
  std::vector<BeamEntry> live(1);
  std::vector<BeamEntry> finished;
  Var s = enc.s0;
  Var y_prev = tape.Constant(Tensor::Zeros({1, model.config().m()}));
  std::vector<int> scratch;
  for (int64_t step = 0; step < max_len; ++step) {
    DecodeStepResult r = model.DecodeStep(s, y_prev, TileSentence(tape, enc, live.size()));
    Suppress(r.log_probs, options);
    AddHypothesisScores(live, r.log_probs);
    const int want = options.beam_size - static_cast<int>(finished.size());
    Survivors next = ExtendHypotheses(live, TopExtensions(r.log_probs, want, scratch), r.log_probs, r.alpha, finished);
    live = std::move(next.live);
    if (live.empty()) break;  // k have finished
    ReorderDecoderState(model, tape, r.state, next, s, y_prev);
  }
  // At the length limit the live ones count as finished (none are left after an early stop).
  for (BeamEntry& h : live) finished.push_back(std::move(h));
  return NBestList(std::move(finished), src_len, options);
}

}  // namespace nmt::models
