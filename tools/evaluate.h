// Evaluate: translates a test set and writes what a translation researcher looks
// at, into one directory: the hypotheses, sacreBLEU's line, BLEU by source length
// (the paper's Figure 2, CSV and PNG), attention heatmaps (Figure 3) and the outputs
// that loop (metrics/repetition.h: an n-gram, n <= 4, three times in a row), counted
// in loops.txt with their line numbers.
//
//   absl::StatusOr<EvaluationReport> report =
//       Evaluate(translator, sources, references, "runs/default/eval", {.heatmaps = 4});
//   std::cout << report->bleu.Format();
#ifndef NMT_TOOLS_EVALUATE_H_
#define NMT_TOOLS_EVALUATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "metrics/bleu.h"
#include "tools/translator.h"

namespace nmt::tools {

struct EvaluationOptions {
  int heatmaps = 4;                   // attention plots for the first sentences of 10-20 source words
  std::string curve_label = "model";  // the BLEU-by-length legend: the registry's label
  bool show_progress = true;          // a live "translated N/M" line on stderr
};

struct EvaluationReport {
  metrics::BleuScore bleu;
  std::string signature;
  std::string hypotheses_path;
  std::string bleu_by_length_csv;
  std::string bleu_by_length_png;
  std::vector<std::string> heatmap_paths;
  std::string loops_path;
  int64_t looping_outputs = 0;  // test outputs with a repetition loop
  double looping_share = 0;     // of all test outputs, 0..1
  double seconds = 0;           // translation time
};

absl::StatusOr<EvaluationReport> Evaluate(const Translator& translator, const std::vector<std::string>& sources,
                                          const std::vector<std::string>& references, const std::string& out_dir,
                                          const EvaluationOptions& options = {});

}  // namespace nmt::tools

#endif  // NMT_TOOLS_EVALUATE_H_
