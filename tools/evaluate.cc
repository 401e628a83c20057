#include "tools/evaluate.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/atomic_file.h"
#include "metrics/repetition.h"
#include "tools/bleu_by_length.h"
#include "tools/plot.h"

namespace nmt::tools {

absl::StatusOr<EvaluationReport> Evaluate(const Translator& translator, const std::vector<std::string>& sources,
                                          const std::vector<std::string>& references, const std::string& out_dir,
                                          const EvaluationOptions& options) {
  if (sources.size() != references.size()) {
    return absl::InvalidArgumentError(absl::StrCat(sources.size(), " sources but ", references.size(), " references"));
  }
  std::filesystem::create_directories(out_dir);
  EvaluationReport report;
  const auto start = std::chrono::steady_clock::now();
  std::vector<Translation> translations = translator.TranslateAll(sources, [&](size_t done) {
    if (options.show_progress) std::fprintf(stderr, "\rtranslated %zu/%zu", done, sources.size());
  });
  if (options.show_progress) std::fprintf(stderr, "\n");
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<std::string> hyps;
  for (const Translation& t : translations) hyps.push_back(t.text);
  report.hypotheses_path = out_dir + "/test.hyp";
  if (absl::Status s = WriteFileAtomically(report.hypotheses_path, absl::StrCat(absl::StrJoin(hyps, "\n"), "\n"));
      !s.ok()) {
    return s;
  }
  const std::vector<std::vector<std::string>> refs = {references};
  absl::StatusOr<metrics::BleuScore> bleu = metrics::CorpusBleu(hyps, refs);
  if (!bleu.ok()) return bleu.status();
  report.bleu = *bleu;
  report.signature = metrics::BleuSignature(refs);
  if (absl::Status s =
          WriteFileAtomically(out_dir + "/bleu.txt", absl::StrCat(bleu->Format(), "\n", report.signature, "\n"));
      !s.ok()) {
    return s;
  }

  // Outputs that loop, by line number (1-based, as editors count).
  std::vector<std::string> looping_lines;
  for (size_t i = 0; i < hyps.size(); ++i) {
    if (metrics::HasRepetitionLoopInText(hyps[i])) looping_lines.push_back(absl::StrCat(i + 1));
  }
  report.looping_outputs = static_cast<int64_t>(looping_lines.size());
  report.looping_share = hyps.empty() ? 0.0 : static_cast<double>(looping_lines.size()) / hyps.size();
  report.loops_path = out_dir + "/loops.txt";
  if (absl::Status s = WriteFileAtomically(
          report.loops_path,
          absl::StrFormat("%d of %d test outputs (%.1f%%) loop: an n-gram (n <= 4) three times in a row\n"
                          "lines: %s\n",
                          report.looping_outputs, hyps.size(), 100 * report.looping_share,
                          looping_lines.empty() ? "none" : absl::StrJoin(looping_lines, " ")));
      !s.ok()) {
    return s;
  }

  absl::StatusOr<std::vector<LengthBin>> bins = BleuByLength(sources, hyps, refs);
  if (!bins.ok()) return bins.status();
  report.bleu_by_length_csv = out_dir + "/bleu_by_length.csv";
  if (absl::Status s = WriteLengthBinsCsv(report.bleu_by_length_csv, *bins); !s.ok()) return s;
  Curve curve{options.curve_label, {}, {}};
  for (const LengthBin& bin : *bins) {
    if (bin.sentences == 0) continue;
    curve.x.push_back(bin.centre);
    curve.y.push_back(bin.bleu.score);
  }
  report.bleu_by_length_png = out_dir + "/bleu_by_length.png";
  if (absl::Status s = WriteLinePlot(report.bleu_by_length_png, {curve}); !s.ok()) return s;

  // Heatmaps for sentences of 10-20 source words, as the paper's Figure 3 (b-d).
  for (size_t i = 0; i < translations.size() && static_cast<int>(report.heatmap_paths.size()) < options.heatmaps; ++i) {
    const Translation& t = translations[i];
    const size_t words = std::vector<std::string>(absl::StrSplit(sources[i], ' ', absl::SkipEmpty())).size();
    if (!t.alignment.defined() || words < 10 || words > 20) continue;
    const std::string path = absl::StrCat(out_dir, "/attention_", i + 1, ".png");
    std::vector<std::string> src_labels = translator.source_codec().Labels(t.source_ids);
    std::vector<std::string> tgt_labels = translator.target_codec().Labels(t.ids);
    if (absl::Status s = WriteAttentionHeatmap(path, src_labels, tgt_labels, t.alignment.values()); !s.ok()) return s;
    report.heatmap_paths.push_back(path);
  }
  return report;
}

}  // namespace nmt::tools
