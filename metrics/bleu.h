// Corpus BLEU exactly as sacreBLEU 2.x computes it with its defaults (paper section 4
// reports BLEU; we report the sacreBLEU flavour so numbers are comparable and reproducible):
// 13a tokenization, mixed case, n-gram order 4, 'exp' smoothing, effective order off,
// any number of references (a segment's empty references are dropped, as sacreBLEU does).
//
//   absl::StatusOr<BleuScore> bleu = CorpusBleu(hyps, {refs});
//   if (bleu.ok()) std::cout << bleu->Format() << "\n" << BleuSignature({refs}) << "\n";
//   // BLEU = 48.89 85.7/66.7/40.0/25.0 (BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)
//   // nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.3.1
//
// The behaviour follows sacreBLEU's sacrebleu/metrics/bleu.py (BLEU.compute_bleu and the
// segment statistics) and sacrebleu/metrics/base.py (Score.format, Signature.format).
// metrics/README.md says how it was checked.
#ifndef NMT_METRICS_BLEU_H_
#define NMT_METRICS_BLEU_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace nmt::metrics {

inline constexpr int kBleuMaxOrder = 4;

// The sacreBLEU release whose behaviour this file reproduces; printed in the signature.
inline constexpr absl::string_view kSacreBleuVersion = "2.3.1";

// Sufficient statistics of BLEU; they add up over segments, so a corpus (or a bin of it,
// see bleu_by_length.h) is scored from the sum of its segments' statistics.
struct BleuStats {
  int64_t hyp_len = 0;                           // hypothesis tokens
  int64_t ref_len = 0;                           // closest reference length (ties go to the shorter one)
  std::array<int64_t, kBleuMaxOrder> correct{};  // clipped n-gram matches, n = 1..4
  std::array<int64_t, kBleuMaxOrder> total{};    // hypothesis n-grams, n = 1..4

  BleuStats& operator+=(const BleuStats& other);
};

struct BleuScore {
  double score = 0;                                // 0..100
  std::array<double, kBleuMaxOrder> precisions{};  // percent, after smoothing
  double brevity_penalty = 0;
  double ratio = 0;  // hyp_len / ref_len, 0 when ref_len is 0
  int64_t hyp_len = 0;
  int64_t ref_len = 0;

  // sacreBLEU's score line, e.g.
  // "BLEU = 48.89 85.7/66.7/40.0/25.0 (BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)".
  std::string Format() const;
};

// Statistics of one segment against its references, all untokenized text.
// `refs` must hold at least one non-empty reference; empty ones are ignored.
BleuStats SegmentStats(absl::string_view hyp, absl::Span<const std::string> refs);

// Statistics of every segment. `ref_streams[k][i]` is the k-th reference of segment i.
// Errors (InvalidArgument): no reference streams, a stream whose length differs from the
// hypotheses', or a segment whose references are all empty.
absl::StatusOr<std::vector<BleuStats>> CorpusSegmentStats(absl::Span<const std::string> hyps,
                                                          absl::Span<const std::vector<std::string>> ref_streams);

// BLEU from summed statistics, with sacreBLEU's 'exp' smoothing: the k-th order with no
// match counts as 1 / (2^k * total); a corpus with no match at all scores 0.
BleuScore ScoreFromStats(const BleuStats& stats);

// CorpusSegmentStats, summed, scored.
absl::StatusOr<BleuScore> CorpusBleu(absl::Span<const std::string> hyps,
                                     absl::Span<const std::vector<std::string>> ref_streams);

// sacreBLEU's signature, e.g. "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.3.1";
// nrefs is "var" when segments have different numbers of non-empty references.
// The streams must have equal lengths (as CorpusSegmentStats requires).
std::string BleuSignature(absl::Span<const std::vector<std::string>> ref_streams);

}  // namespace nmt::metrics

#endif  // NMT_METRICS_BLEU_H_
