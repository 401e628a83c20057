// Fuzzes what //tools:bleu does with its files: ReadUtf8Lines on a hypothesis file and a
// reference file (real files: gzip, CRLF and UTF-8 handling included), then sacreBLEU
// scoring of the lines read.
//
// Byte 0 is where the rest splits into the hypothesis and the reference file. Segments
// beyond the shorter file are dropped (the tool refuses differing line counts, which
// would leave most inputs unscored). A score is finite and in range, its parts are
// consistent, and a corpus scored against itself is 100 whenever it has 4-grams.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/check.h"
#include "base/fuzz_testing.h"
#include "datasets/text_file.h"
#include "metrics/bleu.h"

namespace nmt::tools {
namespace {

void CheckScore(const metrics::BleuScore& score) {
  NMT_CHECK(std::isfinite(score.score) && score.score >= 0 && score.score <= 100 + 1e-9) << score.score;
  for (double p : score.precisions) NMT_CHECK(std::isfinite(p) && p >= 0 && p <= 100) << p;
  NMT_CHECK(score.brevity_penalty >= 0 && score.brevity_penalty <= 1) << score.brevity_penalty;
  NMT_CHECK(score.hyp_len >= 0 && score.ref_len >= 0);
  (void)score.Format();
}

// One segment's statistics: a hypothesis of k tokens has k - n + 1 n-grams.
void CheckSegmentStats(const metrics::BleuStats& stats) {
  for (int n = 0; n < metrics::kBleuMaxOrder; ++n) {
    NMT_CHECK(stats.correct[n] >= 0 && stats.correct[n] <= stats.total[n]);
    NMT_CHECK(stats.total[n] == std::max<int64_t>(0, stats.hyp_len - n));
  }
}

}  // namespace
}  // namespace nmt::tools

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nmt;
  using namespace nmt::tools;
  if (size < 1) return 0;
  const absl::string_view rest = nmt::FuzzBytes(data + 1, size - 1);
  const size_t split = rest.size() * data[0] / 255;
  absl::StatusOr<std::vector<std::string>> hyps =
      nmt::datasets::ReadUtf8Lines(nmt::WriteFuzzInputFile("hyp", rest.substr(0, split)));
  absl::StatusOr<std::vector<std::string>> refs =
      nmt::datasets::ReadUtf8Lines(nmt::WriteFuzzInputFile("ref", rest.substr(split)));
  if (!hyps.ok() || !refs.ok()) return 0;
  const size_t segments = std::min(hyps->size(), refs->size());
  hyps->resize(segments);
  refs->resize(segments);
  const std::vector<std::vector<std::string>> ref_streams = {*refs};
  (void)metrics::BleuSignature(ref_streams);

  absl::StatusOr<std::vector<metrics::BleuStats>> stats = metrics::CorpusSegmentStats(*hyps, ref_streams);
  absl::StatusOr<metrics::BleuScore> score = metrics::CorpusBleu(*hyps, ref_streams);
  NMT_CHECK(stats.ok() == score.ok());
  if (!score.ok()) return 0;
  metrics::BleuStats sum;
  for (const metrics::BleuStats& s : *stats) {
    CheckSegmentStats(s);
    sum += s;
  }
  CheckScore(*score);
  NMT_CHECK(score->hyp_len == sum.hyp_len && score->ref_len == sum.ref_len);

  // The references against themselves: every n-gram matches.
  absl::StatusOr<metrics::BleuScore> self = metrics::CorpusBleu(*refs, ref_streams);
  NMT_CHECK(self.ok()) << self.status();
  CheckScore(*self);
  absl::StatusOr<std::vector<metrics::BleuStats>> self_stats = metrics::CorpusSegmentStats(*refs, ref_streams);
  metrics::BleuStats self_sum;
  for (const metrics::BleuStats& s : *self_stats) self_sum += s;
  if (self_sum.total[metrics::kBleuMaxOrder - 1] > 0) NMT_CHECK(std::abs(self->score - 100) < 1e-9) << self->score;
  return 0;
}
