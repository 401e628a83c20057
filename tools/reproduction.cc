#include "tools/reproduction.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <optional>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/atomic_file.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "datasets/special_ids.h"
#include "datasets/text_file.h"
#include "models/registry.h"
#include "models/search.h"
#include "ops/backend.h"
#include "tools/bleu_by_length.h"
#include "tools/evaluate.h"
#include "tools/plot.h"
#include "tools/translator.h"
#include "trainers/train_config.h"
#include "trainers/trainer.h"

namespace nmt::tools {
namespace {

using trainers::TrainConfig;

// The paper's figures (PAPER.md, Tables 1 and 2), printed beside ours.
struct PaperFigures {
  const char* name;
  double bleu_all, bleu_no_unk, updates_1e5, epochs, hours;
};
constexpr PaperFigures kPaper[] = {
    {"RNNencdec-30", 13.93, 24.19, 8.46, 6.4, 109},
    {"RNNsearch-30", 21.50, 31.44, 4.71, 3.6, 113},
    {"RNNencdec-50", 17.82, 26.71, 6.00, 4.5, 108},
    {"RNNsearch-50", 26.75, 34.16, 2.88, 2.2, 111},
};

const PaperFigures* PaperFiguresFor(const std::string& name) {
  for (const PaperFigures& p : kPaper) {
    if (name == p.name) return &p;
  }
  return nullptr;
}

std::string RunDirName(const ExperimentModel& model) { return absl::AsciiStrToLower(model.name); }

size_t WordCount(const std::string& sentence) {
  return std::vector<absl::string_view>(absl::StrSplit(sentence, ' ', absl::SkipEmpty())).size();
}

metrics::BleuStats Sum(absl::Span<const metrics::BleuStats> stats, absl::Span<const size_t> indices) {
  metrics::BleuStats total;
  for (size_t i : indices) total += stats[i];
  return total;
}

std::vector<size_t> Indices(const std::vector<bool>& keep) {
  std::vector<size_t> out;
  for (size_t i = 0; i < keep.size(); ++i) {
    if (keep[i]) out.push_back(i);
  }
  return out;
}

// The step the run's eval/ was written for, if it was.
std::optional<int64_t> EvaluatedStep(const std::string& stamp) {
  absl::StatusOr<std::string> text = ReadFileToString(stamp);
  int64_t step = 0;
  if (!text.ok() || !absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &step)) return std::nullopt;
  return step;
}

struct TestSet {
  std::vector<std::string> sources;
  std::vector<std::string> references;
};

absl::StatusOr<TestSet> ReadTestSet(const trainers::DataConfig& data, int32_t limit) {
  const trainers::DataFiles files = trainers::ResolveDataFiles(data);
  TestSet test;
  NMT_ASSIGN_OR_RETURN(test.sources, datasets::ReadUtf8Lines(files.test_src));
  NMT_ASSIGN_OR_RETURN(test.references, datasets::ReadUtf8Lines(files.test_tgt));
  if (test.sources.size() != test.references.size()) {
    return absl::InvalidArgumentError(absl::StrCat(files.test_src, " has ", test.sources.size(), " lines but ",
                                                   files.test_tgt, " has ", test.references.size()));
  }
  if (limit > 0 && static_cast<size_t>(limit) < test.sources.size()) {
    test.sources.resize(limit);
    test.references.resize(limit);
  }
  return test;
}

models::SearchOptions SearchOptionsOf(const TrainConfig& config) {
  models::SearchOptions search;
  search.beam_size = config.beam_size();
  search.length_norm = config.length_norm();
  search.max_len_factor = config.max_len_factor();
  return search;
}

// Figure 3's analogue from one model: the sentence with the most reordering among up to
// 200 random No-UNK test sentences of 10–20 source words, then further random ones.
absl::Status WriteHeatmaps(const Translator& translator, const TestSet& test, const std::vector<bool>& no_unk,
                           const ExperimentOptions& options, const std::string& prefix,
                           std::vector<std::string>& files) {
  std::vector<size_t> candidates;
  for (size_t i = 0; i < test.sources.size(); ++i) {
    const size_t words = WordCount(test.sources[i]);
    if (no_unk[i] && words >= 10 && words <= 20) candidates.push_back(i);
  }
  SplitMix64 rng(options.seed);
  for (size_t i = candidates.size(); i > 1; --i) std::swap(candidates[i - 1], candidates[rng.Uniform(i)]);
  candidates.resize(std::min<size_t>(candidates.size(), 200));
  if (candidates.empty() || options.heatmaps <= 0) return absl::OkStatus();

  std::vector<Translation> translations;
  size_t most_reordered = 0;
  int64_t most_inversions = -1;
  for (size_t c = 0; c < candidates.size(); ++c) {
    translations.push_back(translator.Translate(test.sources[candidates[c]]));
    const Translation& t = translations.back();
    if (!t.alignment.defined()) return absl::OkStatus();  // a model without attention
    const int64_t inversions = AlignmentInversions(t.alignment.values(), t.alignment.dim(0), t.alignment.dim(1));
    if (inversions > most_inversions) most_inversions = inversions, most_reordered = c;
  }
  std::vector<size_t> chosen = {most_reordered};
  for (size_t c = 0; c < candidates.size() && static_cast<int>(chosen.size()) < options.heatmaps; ++c) {
    if (c != most_reordered) chosen.push_back(c);
  }
  for (size_t k = 0; k < chosen.size(); ++k) {
    const Translation& t = translations[chosen[k]];
    const std::string kind = k == 0 ? "reordering" : absl::StrCat("random", k);
    const std::string path =
        absl::StrCat(options.out_dir, "/", prefix, "_", kind, "_test", candidates[chosen[k]] + 1, ".png");
    NMT_RETURN_IF_ERROR(WriteAttentionHeatmap(path, translator.source_codec().Labels(t.source_ids),
                                              translator.target_codec().Labels(t.ids), t.alignment.values()));
    files.push_back(path);
  }
  return absl::OkStatus();
}

// One model: train (or resume), evaluate unless its eval/ is current, and its codecs'
// No-UNK mask (ANDed into `no_unk`). Returns its hypotheses.
struct TrainedModel {
  ModelResult result;
  std::vector<std::string> hyps;         // beam search as configured
  std::vector<std::string> no_unk_hyps;  // with UNK forbidden, on this model's No-UNK sentences
};

absl::StatusOr<TrainedModel> TrainAndEvaluate(const ExperimentModel& model, const ExperimentOptions& options,
                                              const trainers::DataConfig& data, const TestSet& test,
                                              DeviceContext& context, std::vector<bool>& no_unk,
                                              std::vector<std::string>& files) {
  const TrainConfig config = ExperimentConfig(model, options, data);
  NMT_RETURN_IF_ERROR(trainers::ValidateTrainConfig(config));
  if (options.show_progress) std::fprintf(stderr, "== %s: %s\n", model.name.c_str(), config.run_dir().c_str());
  NMT_ASSIGN_OR_RETURN(std::unique_ptr<trainers::Trainer> trainer, trainers::Trainer::Create(config, context));
  NMT_RETURN_IF_ERROR(trainer->Train());
  if (options.show_progress) std::fprintf(stderr, "\n");

  TrainedModel out;
  ModelResult& r = out.result;
  r.model = model;
  r.run_dir = config.run_dir();
  const trainers::TrainingProgress& progress = trainer->progress();
  TrainingStatistics& s = r.training;
  s.updates = progress.step();
  s.epochs = progress.epoch();
  s.sentences_seen = progress.sentences_seen();
  s.hours = progress.elapsed_seconds() / 3600;
  s.target_tokens_per_s =
      progress.elapsed_seconds() > 0 ? progress.target_tokens_seen() / progress.elapsed_seconds() : 0;
  NMT_RETURN_IF_ERROR(ReadLoggedLosses(trainer->run().train_log(), s));

  const std::vector<bool> mask =
      NoUnkSentences(test.sources, test.references, trainer->src_codec(), trainer->tgt_codec());
  for (size_t i = 0; i < no_unk.size(); ++i) no_unk[i] = no_unk[i] && mask[i];

  const std::string eval_dir = trainer->run().eval();
  const std::string stamp = eval_dir + "/evaluated_step";
  Translator translator(trainer->model(), trainer->context(), trainer->src_codec(), trainer->tgt_codec(),
                        SearchOptionsOf(config));
  if (EvaluatedStep(stamp) != progress.step()) {
    EvaluationOptions eval;
    eval.heatmaps = 0;
    eval.curve_label = model.name;
    eval.show_progress = options.show_progress;
    NMT_ASSIGN_OR_RETURN(EvaluationReport report, Evaluate(translator, test.sources, test.references, eval_dir, eval));
    if (options.show_progress) std::fprintf(stderr, "%s: %s\n", model.name.c_str(), report.bleu.Format().c_str());
    // Table 1's "No UNK" column: the model may not emit UNK (the paper's rule), on the
    // sentences without UNK under this model's shortlists; the others stay empty lines.
    models::SearchOptions no_unk_search = SearchOptionsOf(config);
    no_unk_search.suppress_unk = true;
    Translator no_unk_translator(trainer->model(), trainer->context(), trainer->src_codec(), trainer->tgt_codec(),
                                 no_unk_search);
    std::vector<std::string> no_unk_hyps(test.sources.size());
    for (size_t i = 0; i < test.sources.size(); ++i) {
      if (mask[i]) no_unk_hyps[i] = no_unk_translator.Translate(test.sources[i]).text;
    }
    NMT_RETURN_IF_ERROR(
        WriteFileAtomically(eval_dir + "/test_no_unk.hyp", absl::StrCat(absl::StrJoin(no_unk_hyps, "\n"), "\n")));
    NMT_RETURN_IF_ERROR(WriteFileAtomically(stamp, absl::StrCat(progress.step(), "\n")));
  }
  for (auto [file, hyps] : {std::pair{"/test.hyp", &out.hyps}, std::pair{"/test_no_unk.hyp", &out.no_unk_hyps}}) {
    NMT_ASSIGN_OR_RETURN(*hyps, datasets::ReadUtf8Lines(eval_dir + file));
    if (hyps->size() != test.sources.size()) {
      return absl::DataLossError(absl::StrCat(eval_dir, file, " has ", hyps->size(), " lines for ", test.sources.size(),
                                              " test sentences; delete ", stamp, " to redo it"));
    }
  }
  // Figure 3 comes from RNNsearch-50, as in the paper. The mask is final only after the
  // last model, which RNNsearch-50 is.
  if (model.name == "RNNsearch-50") {
    NMT_RETURN_IF_ERROR(WriteHeatmaps(translator, test, no_unk, options, "attention", files));
  }
  return out;
}

std::string Fixed(double x, int digits) { return absl::StrFormat("%.*f", digits, x); }

}  // namespace

std::vector<ExperimentModel> PaperExperimentModels() {
  return {{"RNNencdec-30", "rnnencdec", 30},
          {"RNNsearch-30", "rnnsearch", 30},
          {"RNNencdec-50", "rnnencdec", 50},
          {"RNNsearch-50", "rnnsearch", 50}};
}

TrainConfig ExperimentConfig(const ExperimentModel& model, const ExperimentOptions& options,
                             const trainers::DataConfig& data) {
  TrainConfig c = trainers::DefaultTrainConfig();
  trainers::ApplyPaperPreset(c);
  trainers::DataConfig& d = *c.mutable_data();
  d.set_corpus_dir(data.corpus_dir());
  d.set_src_lang(data.src_lang());
  d.set_tgt_lang(data.tgt_lang());
  d.set_train_src(data.train_src());
  d.set_train_tgt(data.train_tgt());
  d.set_dev_src(data.dev_src());
  d.set_dev_tgt(data.dev_tgt());
  d.set_test_src(data.test_src());
  d.set_test_tgt(data.test_tgt());
  d.set_vocabulary(trainers::DataConfig::WORDS);
  d.set_src_vocab_size(options.shortlist);
  d.set_tgt_vocab_size(options.shortlist);
  d.set_max_length(model.max_length);
  d.set_batch_size(options.batch_size);
  d.set_batches_per_chunk(20);
  models::ModelConfig& m = *c.mutable_model();
  const models::ModelEntry* entry = models::FindModel(model.model);
  if (entry != nullptr) m.set_kind(entry->kind);  // else ValidateTrainConfig names the bad kind
  m.set_m(options.m);
  m.set_n(options.n);
  m.set_n_align(options.n_align);
  m.set_l(options.l);
  m.set_init(models::ModelConfig::INIT_PAPER);
  m.set_seed(options.seed);
  c.set_seed(options.seed);
  if (options.optimizer == "adam") {
    c.mutable_optimizer()->mutable_adam()->set_lr(options.adam_lr);
  } else if (options.optimizer != "adadelta") {
    c.clear_optimizer();  // ValidateTrainConfig refuses it: "must set adadelta, adam or sgd"
  }
  c.set_max_steps(options.budget_steps);
  c.set_max_minutes(0);
  c.set_validate_every(options.validate_every);
  c.set_patience(0);
  c.set_checkpoint_every(500);
  c.set_threads(options.threads);
  c.set_precision(options.precision);
  c.set_beam_size(options.beam);
  c.set_length_norm(true);
  c.set_heatmaps(0);
  c.set_run_dir(absl::StrCat(options.out_dir, "/", RunDirName(model)));
  return c;
}

std::vector<bool> NoUnkSentences(absl::Span<const std::string> sources, absl::Span<const std::string> references,
                                 const datasets::TextCodec& source_codec, const datasets::TextCodec& target_codec) {
  auto has_unk = [](const datasets::TextCodec& codec, const std::string& text) {
    const std::vector<int32_t> ids = codec.Encode(text);
    return std::find(ids.begin(), ids.end(), datasets::kUnkId) != ids.end();
  };
  std::vector<bool> keep(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    keep[i] = i < references.size() && !has_unk(source_codec, sources[i]) && !has_unk(target_codec, references[i]);
  }
  return keep;
}

int64_t AlignmentInversions(absl::Span<const float> alpha, int64_t target_len, int64_t source_len) {
  std::vector<int64_t> argmax(target_len, 0);
  for (int64_t i = 0; i < target_len; ++i) {
    const float* row = alpha.data() + i * source_len;
    argmax[i] = std::max_element(row, row + source_len) - row;
  }
  int64_t inversions = 0;
  for (int64_t i = 0; i < target_len; ++i) {
    for (int64_t k = i + 1; k < target_len; ++k) inversions += argmax[i] > argmax[k];
  }
  return inversions;
}

absl::Status ReadLoggedLosses(const std::string& log_csv, TrainingStatistics& statistics) {
  NMT_ASSIGN_OR_RETURN(std::vector<std::string> lines, datasets::ReadUtf8Lines(log_csv));
  if (lines.empty()) return absl::NotFoundError(absl::StrCat(log_csv, " is empty"));
  absl::flat_hash_map<std::string, size_t> column;
  const std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  if (!column.contains("train_loss_per_token") || !column.contains("dev_loss_per_token")) {
    return absl::DataLossError(absl::StrCat(log_csv, ": no train_loss_per_token/dev_loss_per_token columns"));
  }
  bool train = false, dev = false;
  for (size_t l = 1; l < lines.size(); ++l) {
    const std::vector<std::string> fields = absl::StrSplit(lines[l], ',');
    auto value = [&](const char* name) {
      double v = 0;
      const size_t c = column[name];
      return c < fields.size() && absl::SimpleAtod(fields[c], &v) && std::isfinite(v) && v > 0 ? v : 0.0;
    };
    if (const double v = value("train_loss_per_token"); v > 0) statistics.train_nll_per_token = v, train = true;
    if (const double v = value("dev_loss_per_token"); v > 0) statistics.dev_nll_per_token = v, dev = true;
  }
  if (!train || !dev) return absl::NotFoundError(absl::StrCat(log_csv, " has no row with a train and a dev loss yet"));
  return absl::OkStatus();
}

std::string ReportTables(const ExperimentReport& report, const ExperimentOptions& options) {
  std::ostringstream o;
  o << "### Table 1: BLEU on the test set (sacreBLEU, beam " << options.beam << ")\n\n"
    << "All: " << report.test_sentences << " sentences. No UNK: the " << report.no_unk_sentences
    << " whose source and reference have no word outside any model's shortlist, decoded with UNK forbidden.\n\n"
    << "| Model | All | No UNK | paper All | paper No UNK |\n|---|---|---|---|---|\n";
  for (const ModelResult& r : report.results) {
    const PaperFigures* p = PaperFiguresFor(r.model.name);
    o << "| " << r.model.name << " | " << Fixed(r.bleu_all.score, 2) << " | " << Fixed(r.bleu_no_unk.score, 2) << " | "
      << (p ? Fixed(p->bleu_all, 2) : "") << " | " << (p ? Fixed(p->bleu_no_unk, 2) : "") << " |\n";
  }
  o << "\nPaired bootstrap (" << options.bootstrap_samples
    << " resamplings of the test sentences), BLEU of RNNsearch minus RNNencdec:\n\n"
    << "| Comparison | Δ BLEU | 95% interval | share of resamplings where RNNsearch is not better |\n"
    << "|---|---|---|---|\n";
  for (const auto& [name, d] : report.differences) {
    o << "| " << name << " | " << absl::StrFormat("%+.2f", d.delta) << " | [" << absl::StrFormat("%+.2f", d.low) << ", "
      << absl::StrFormat("%+.2f", d.high) << "] | " << Fixed(d.p_b_not_better, 3) << " |\n";
  }
  o << "\n### Table 2: training\n\n"
    << "| Model | Updates | Epochs | Sentences seen | Hours | Target tok/s | Train NLL/token | Dev NLL/token | "
       "paper updates | paper epochs | paper hours |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const ModelResult& r : report.results) {
    const TrainingStatistics& s = r.training;
    const PaperFigures* p = PaperFiguresFor(r.model.name);
    o << "| " << r.model.name << " | " << s.updates << " | " << s.epochs << " | " << s.sentences_seen << " | "
      << Fixed(s.hours, 2) << " | " << Fixed(s.target_tokens_per_s, 0) << " | " << Fixed(s.train_nll_per_token, 3)
      << " | " << Fixed(s.dev_nll_per_token, 3) << " | " << (p ? absl::StrFormat("%.0f", p->updates_1e5 * 1e5) : "")
      << " | " << (p ? Fixed(p->epochs, 1) : "") << " | " << (p ? Fixed(p->hours, 0) : "") << " |\n";
  }
  return o.str();
}

absl::StatusOr<ExperimentReport> RunExperiment(const ExperimentOptions& options, const trainers::DataConfig& data) {
  NMT_ASSIGN_OR_RETURN(std::unique_ptr<DeviceContext> context, CreateDeviceContext(Device::kCPU, options.threads));
  return RunExperiment(options, data, *context);
}

absl::StatusOr<ExperimentReport> RunExperiment(const ExperimentOptions& options, const trainers::DataConfig& data,
                                               DeviceContext& context) {
  std::filesystem::create_directories(options.out_dir);
  NMT_ASSIGN_OR_RETURN(const TestSet test, ReadTestSet(data, options.test_sentences));
  ExperimentReport report;
  report.test_sentences = static_cast<int64_t>(test.sources.size());
  std::vector<bool> no_unk(test.sources.size(), true);
  std::vector<TrainedModel> trained;
  for (const ExperimentModel& model : PaperExperimentModels()) {
    NMT_ASSIGN_OR_RETURN(TrainedModel t, TrainAndEvaluate(model, options, data, test, context, no_unk, report.files));
    trained.push_back(std::move(t));
  }
  const std::vector<size_t> no_unk_indices = Indices(no_unk);
  report.no_unk_sentences = static_cast<int64_t>(no_unk_indices.size());
  const std::vector<std::vector<std::string>> refs = {test.references};

  std::vector<Curve> curves;
  std::string csv;
  absl::flat_hash_map<std::string, std::vector<metrics::BleuStats>> stats_of;
  for (TrainedModel& t : trained) {
    NMT_ASSIGN_OR_RETURN(std::vector<metrics::BleuStats> stats, metrics::CorpusSegmentStats(t.hyps, refs));
    NMT_ASSIGN_OR_RETURN(std::vector<metrics::BleuStats> no_unk_stats,
                         metrics::CorpusSegmentStats(t.no_unk_hyps, refs));
    std::vector<size_t> all(stats.size());
    std::iota(all.begin(), all.end(), 0);
    t.result.bleu_all = metrics::ScoreFromStats(Sum(stats, all));
    t.result.bleu_no_unk = metrics::ScoreFromStats(Sum(no_unk_stats, no_unk_indices));
    stats_of[t.result.model.name] = std::move(stats);

    NMT_ASSIGN_OR_RETURN(std::vector<LengthBin> bins, BleuByLength(test.sources, t.hyps, refs, options.binning));
    Curve curve{t.result.model.name, {}, {}};
    for (const LengthBin& bin : bins) {
      if (bin.too_small) continue;
      curve.x.push_back(bin.centre);
      curve.y.push_back(bin.bleu.score);
    }
    curves.push_back(std::move(curve));
    for (absl::string_view line : absl::StrSplit(LengthBinsToCsv(bins), '\n', absl::SkipEmpty())) {
      if (csv.empty()) absl::StrAppend(&csv, "model,", line, "\n");  // the header, once
      if (!absl::StartsWith(line, "bin,")) absl::StrAppend(&csv, t.result.model.name, ",", line, "\n");
    }
    report.results.push_back(t.result);
  }
  for (int length : {30, 50}) {
    const auto encdec = stats_of.find(absl::StrCat("RNNencdec-", length));
    const auto search = stats_of.find(absl::StrCat("RNNsearch-", length));
    if (encdec == stats_of.end() || search == stats_of.end()) continue;
    report.differences.emplace_back(
        absl::StrCat("RNNsearch-", length, " − RNNencdec-", length),
        metrics::PairedBootstrap(encdec->second, search->second, options.bootstrap_samples, options.seed + length));
  }

  const std::string png = options.out_dir + "/bleu_by_length.png";
  LinePlotOptions plot;
  plot.title = "BLEU by source sentence length (test set)";
  const bool any_point = std::any_of(curves.begin(), curves.end(), [](const Curve& c) { return !c.x.empty(); });
  if (any_point) {
    NMT_RETURN_IF_ERROR(WriteLinePlot(png, curves, plot));
    report.files.push_back(png);
  } else {
    // A quick look at a few test sentences: every bin is under binning.min_sentences, so
    // there is no curve to draw; the CSV still has every bin.
    absl::FPrintF(stderr, "bleu_by_length.png not drawn: no length bin has %d test sentences (--test_sentences)\n",
                  options.binning.min_sentences);
  }
  NMT_RETURN_IF_ERROR(WriteFileAtomically(options.out_dir + "/bleu_by_length.csv", csv));
  std::string results = "model,updates,epochs,hours,target_tokens_per_s,train_nll,dev_nll,bleu_all,bleu_no_unk\n";
  for (const ModelResult& r : report.results) {
    const TrainingStatistics& s = r.training;
    absl::StrAppendFormat(&results, "%s,%d,%d,%.3f,%.1f,%.4f,%.4f,%.2f,%.2f\n", r.model.name, s.updates, s.epochs,
                          s.hours, s.target_tokens_per_s, s.train_nll_per_token, s.dev_nll_per_token, r.bleu_all.score,
                          r.bleu_no_unk.score);
  }
  NMT_RETURN_IF_ERROR(WriteFileAtomically(options.out_dir + "/results.csv", results));
  NMT_RETURN_IF_ERROR(WriteFileAtomically(options.out_dir + "/tables.md", ReportTables(report, options)));
  for (const char* name : {"/bleu_by_length.csv", "/results.csv", "/tables.md"}) {
    report.files.push_back(options.out_dir + name);
  }
  return report;
}

}  // namespace nmt::tools
