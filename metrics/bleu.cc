#include "metrics/bleu.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "metrics/tokenizer_13a.h"

namespace nmt::metrics {
namespace {

// n-gram -> count, keyed by the tokens joined with single spaces (tokens hold no spaces).
using NgramCounts = absl::flat_hash_map<std::string, int64_t>;

// sacreBLEU strips trailing whitespace before tokenizing (BLEU._preprocess_segment).
std::vector<std::string> Tokenize(absl::string_view segment) {
  return Tokenize13a(StripTrailingPythonWhitespace(segment));
}

NgramCounts CountNgrams(const std::vector<std::string>& tokens) {
  NgramCounts counts;
  for (int n = 1; n <= kBleuMaxOrder; ++n) {
    for (size_t i = 0; i + n <= tokens.size(); ++i) {
      ++counts[absl::StrJoin(tokens.begin() + i, tokens.begin() + i + n, " ")];
    }
  }
  return counts;
}

int NgramOrder(absl::string_view ngram) { return 1 + static_cast<int>(std::count(ngram.begin(), ngram.end(), ' ')); }

// The reference length closest to the hypothesis length; ties go to the shorter reference.
int64_t ClosestRefLen(int64_t hyp_len, absl::Span<const int64_t> ref_lens) {
  int64_t best = ref_lens.front();
  for (int64_t len : ref_lens) {
    const int64_t diff = std::llabs(hyp_len - len);
    const int64_t best_diff = std::llabs(hyp_len - best);
    if (diff < best_diff || (diff == best_diff && len < best)) best = len;
  }
  return best;
}

// sacreBLEU drops references that are exactly "" (not whitespace-only ones).
std::vector<std::string> NonEmptyRefs(absl::Span<const std::vector<std::string>> ref_streams, size_t segment) {
  std::vector<std::string> refs;
  for (const auto& stream : ref_streams) {
    if (!stream[segment].empty()) refs.push_back(stream[segment]);
  }
  return refs;
}

// sacreBLEU's my_log: log of a zero precision is a huge negative number, not -inf.
double SafeLog(double x) { return x > 0 ? std::log(x) : -9999999999.0; }

}  // namespace

BleuStats& BleuStats::operator+=(const BleuStats& other) {
  hyp_len += other.hyp_len;
  ref_len += other.ref_len;
  for (int n = 0; n < kBleuMaxOrder; ++n) {
    correct[n] += other.correct[n];
    total[n] += other.total[n];
  }
  return *this;
}

std::string BleuScore::Format() const {
  // Python's f"{x:.2f}" and printf's "%.2f" both round the exact binary value to nearest.
  std::vector<std::string> precision_strings;
  for (double p : precisions) precision_strings.push_back(absl::StrFormat("%.1f", p));
  return absl::StrFormat("BLEU = %.2f %s (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)", score,
                         absl::StrJoin(precision_strings, "/"), brevity_penalty, ratio, hyp_len, ref_len);
}

BleuStats SegmentStats(absl::string_view hyp, absl::Span<const std::string> refs) {
  // Reference n-gram counts are merged by maximum: a hypothesis n-gram is credited up to
  // the largest number of times any single reference contains it.
  NgramCounts ref_max;
  std::vector<int64_t> ref_lens;
  for (const std::string& ref : refs) {
    if (ref.empty()) continue;
    const std::vector<std::string> tokens = Tokenize(ref);
    ref_lens.push_back(static_cast<int64_t>(tokens.size()));
    for (auto& [ngram, count] : CountNgrams(tokens)) {
      int64_t& slot = ref_max[ngram];
      slot = std::max(slot, count);
    }
  }

  const std::vector<std::string> hyp_tokens = Tokenize(hyp);
  BleuStats stats;
  stats.hyp_len = static_cast<int64_t>(hyp_tokens.size());
  stats.ref_len = ref_lens.empty() ? 0 : ClosestRefLen(stats.hyp_len, ref_lens);
  for (const auto& [ngram, count] : CountNgrams(hyp_tokens)) {
    const int n = NgramOrder(ngram) - 1;
    stats.total[n] += count;
    if (auto it = ref_max.find(ngram); it != ref_max.end()) {
      stats.correct[n] += std::min(count, it->second);
    }
  }
  return stats;
}

absl::StatusOr<std::vector<BleuStats>> CorpusSegmentStats(absl::Span<const std::string> hyps,
                                                          absl::Span<const std::vector<std::string>> ref_streams) {
  if (ref_streams.empty()) return absl::InvalidArgumentError("BLEU: no references given");
  for (size_t k = 0; k < ref_streams.size(); ++k) {
    if (ref_streams[k].size() != hyps.size()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("BLEU: reference stream %d has %d segments but there are %d hypotheses", k + 1,
                          ref_streams[k].size(), hyps.size()));
    }
  }
  std::vector<BleuStats> stats;
  stats.reserve(hyps.size());
  for (size_t i = 0; i < hyps.size(); ++i) {
    const std::vector<std::string> refs = NonEmptyRefs(ref_streams, i);
    if (refs.empty()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("BLEU: segment %d has only empty references (sacreBLEU rejects this too)", i + 1));
    }
    stats.push_back(SegmentStats(hyps[i], refs));
  }
  return stats;
}

BleuScore ScoreFromStats(const BleuStats& stats) {
  BleuScore result;
  result.hyp_len = stats.hyp_len;
  result.ref_len = stats.ref_len;
  result.ratio = stats.ref_len > 0 ? static_cast<double>(stats.hyp_len) / stats.ref_len : 0.0;
  if (stats.hyp_len < stats.ref_len) {
    result.brevity_penalty =
        stats.hyp_len > 0 ? std::exp(1.0 - static_cast<double>(stats.ref_len) / stats.hyp_len) : 0.0;
  } else {
    result.brevity_penalty = 1.0;
  }

  // No match at any order: sacreBLEU returns 0 with all precisions 0 (its issue #141),
  // rather than a tiny smoothed score.
  if (std::all_of(stats.correct.begin(), stats.correct.end(), [](int64_t c) { return c == 0; })) {
    return result;
  }

  // 'exp' smoothing (mteval-v13a's): each successive order with no match gets half the
  // pseudo-count of the previous one. An order with no hypothesis n-grams at all keeps
  // precision 0 from there on, which drives the score to 0.
  double smooth = 1.0;
  for (int n = 0; n < kBleuMaxOrder; ++n) {
    if (stats.total[n] == 0) break;
    if (stats.correct[n] == 0) {
      smooth *= 2;
      result.precisions[n] = 100.0 / (smooth * stats.total[n]);
    } else {
      result.precisions[n] = 100.0 * stats.correct[n] / stats.total[n];
    }
  }
  double log_sum = 0;
  for (double p : result.precisions) log_sum += SafeLog(p);
  result.score = result.brevity_penalty * std::exp(log_sum / kBleuMaxOrder);
  return result;
}

absl::StatusOr<BleuScore> CorpusBleu(absl::Span<const std::string> hyps,
                                     absl::Span<const std::vector<std::string>> ref_streams) {
  absl::StatusOr<std::vector<BleuStats>> segments = CorpusSegmentStats(hyps, ref_streams);
  if (!segments.ok()) return segments.status();
  BleuStats sum;
  for (const BleuStats& s : *segments) sum += s;
  return ScoreFromStats(sum);
}

std::string BleuSignature(absl::Span<const std::vector<std::string>> ref_streams) {
  absl::flat_hash_set<size_t> counts;
  const size_t segments = ref_streams.empty() ? 0 : ref_streams.front().size();
  for (size_t i = 0; i < segments; ++i) counts.insert(NonEmptyRefs(ref_streams, i).size());
  const std::string nrefs =
      counts.size() > 1 ? "var" : absl::StrCat(counts.empty() ? ref_streams.size() : *counts.begin());
  return absl::StrCat("nrefs:", nrefs, "|case:mixed|eff:no|tok:13a|smooth:exp|version:", kSacreBleuVersion);
}

}  // namespace nmt::metrics
