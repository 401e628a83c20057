// BLEU as a function of source-sentence length: the data of the paper's Figure 2
// (section 4, "BLEU scores ... with respect to the lengths of the sentences").
//
//   absl::StatusOr<std::vector<LengthBin>> bins = BleuByLength(sources, hyps, {refs});
//   if (bins.ok()) status = WriteLengthBinsCsv("bleu_by_length.csv", *bins);
//
// The paper does not state its binning rule, so we fix one: a sentence's length is the
// number of whitespace-separated words of its *source* side as given to the model (no
// 13a tokenization, so it matches what the encoder saw). Bins are half-open, `width`
// words wide: [0,10), [10,20), ..., [50,60), and a last open bin [60, inf) by default.
// Each bin gets corpus BLEU over its own sentences (sums of sacreBLEU statistics, see
// bleu.h), not an average of sentence BLEU, and its sentence count. Bins with fewer than
// `min_sentences` sentences are kept but flagged `too_small`: corpus BLEU over a handful
// of sentences is noise, so plots skip them and the CSV marks them.
#ifndef NMT_TOOLS_BLEU_BY_LENGTH_H_
#define NMT_TOOLS_BLEU_BY_LENGTH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "metrics/bleu.h"

namespace nmt::tools {

struct LengthBinning {
  int width = 10;              // words per bin
  int num_bins = 7;            // the last one is open-ended: [width*(num_bins-1), inf)
  int64_t min_sentences = 20;  // fewer sentences than this: flagged too_small
};

struct LengthBin {
  int min_len = 0;    // inclusive
  int max_len = 0;    // exclusive; -1 for the open last bin
  double centre = 0;  // x in plots: middle of the bin; min_len + width/2 for the open one
  int64_t sentences = 0;
  metrics::BleuScore bleu;  // corpus BLEU of this bin's sentences (0 when empty)
  bool too_small = true;

  // "0-9", "10-19", ..., "60+": inclusive word counts, for labels and the CSV.
  std::string Label() const;
};

// Scores each bin. `sources[i]` is the source sentence of `hyps[i]`; `ref_streams` as in
// CorpusBleu. InvalidArgument on mismatched lengths, empty references or bad options.
absl::StatusOr<std::vector<LengthBin>> BleuByLength(absl::Span<const std::string> sources,
                                                    absl::Span<const std::string> hyps,
                                                    absl::Span<const std::vector<std::string>> ref_streams,
                                                    const LengthBinning& binning = {});

// CSV with a header row:
// bin,min_len,max_len,centre,sentences,bleu,brevity_penalty,hyp_len,ref_len,too_small
// (max_len empty for the open bin, bleu with two decimals like sacreBLEU).
std::string LengthBinsToCsv(absl::Span<const LengthBin> bins);
absl::Status WriteLengthBinsCsv(const std::string& path, absl::Span<const LengthBin> bins);

}  // namespace nmt::tools

#endif  // NMT_TOOLS_BLEU_BY_LENGTH_H_
