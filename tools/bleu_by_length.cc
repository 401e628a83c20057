#include "tools/bleu_by_length.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "base/atomic_file.h"
#include "metrics/bleu.h"
#include "metrics/tokenizer_13a.h"

namespace nmt::tools {

std::string LengthBin::Label() const {
  if (max_len < 0) return absl::StrCat(min_len, "+");
  return absl::StrCat(min_len, "-", max_len - 1);
}

absl::StatusOr<std::vector<LengthBin>> BleuByLength(absl::Span<const std::string> sources,
                                                    absl::Span<const std::string> hyps,
                                                    absl::Span<const std::vector<std::string>> ref_streams,
                                                    const LengthBinning& binning) {
  if (binning.width <= 0 || binning.num_bins <= 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("BleuByLength: width %d and num_bins %d must be positive", binning.width, binning.num_bins));
  }
  if (sources.size() != hyps.size()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("BleuByLength: %d source sentences but %d hypotheses", sources.size(), hyps.size()));
  }
  absl::StatusOr<std::vector<metrics::BleuStats>> segments = metrics::CorpusSegmentStats(hyps, ref_streams);
  if (!segments.ok()) return segments.status();

  std::vector<metrics::BleuStats> sums(binning.num_bins);
  std::vector<LengthBin> bins(binning.num_bins);
  for (int k = 0; k < binning.num_bins; ++k) {
    bins[k].min_len = k * binning.width;
    bins[k].max_len = k + 1 == binning.num_bins ? -1 : (k + 1) * binning.width;
    bins[k].centre = (k + 0.5) * binning.width;
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    const int64_t words = static_cast<int64_t>(metrics::SplitOnPythonWhitespace(sources[i]).size());
    const int k = static_cast<int>(std::min<int64_t>(words / binning.width, binning.num_bins - 1));
    sums[k] += (*segments)[i];
    ++bins[k].sentences;
  }
  for (int k = 0; k < binning.num_bins; ++k) {
    bins[k].bleu = metrics::ScoreFromStats(sums[k]);
    bins[k].too_small = bins[k].sentences < binning.min_sentences;
  }
  return bins;
}

std::string LengthBinsToCsv(absl::Span<const LengthBin> bins) {
  std::string csv = "bin,min_len,max_len,centre,sentences,bleu,brevity_penalty,hyp_len,ref_len,too_small\n";
  for (const LengthBin& bin : bins) {
    const std::string max_len = bin.max_len < 0 ? "" : absl::StrCat(bin.max_len);
    absl::StrAppendFormat(&csv, "%s,%d,%s,%g,%d,%.2f,%.3f,%d,%d,%d\n", bin.Label(), bin.min_len, max_len, bin.centre,
                          bin.sentences, bin.bleu.score, bin.bleu.brevity_penalty, bin.bleu.hyp_len, bin.bleu.ref_len,
                          bin.too_small ? 1 : 0);
  }
  return csv;
}

absl::Status WriteLengthBinsCsv(const std::string& path, absl::Span<const LengthBin> bins) {
  return WriteFileAtomically(path, LengthBinsToCsv(bins));
}

}  // namespace nmt::tools
