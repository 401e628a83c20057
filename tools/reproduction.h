// The paper's experiment (Sec. 4–5) at a budget this machine affords: RNNencdec-30,
// RNNsearch-30, RNNencdec-50 and RNNsearch-50 trained with the paper's recipe, then the
// analogues of Table 1 (BLEU, all and "No UNK", with a paired bootstrap interval for
// RNNsearch − RNNencdec), Figure 2 (BLEU by source length, four curves on one plot),
// Figure 3 (attention heatmaps) and Table 2 (training statistics).
//
//   ExperimentOptions options;            // scaled sizes, budget, shortlist: see below
//   absl::StatusOr<ExperimentReport> report = RunExperiment(options, trainers::DefaultTrainConfig().data());
//
// Every run lives in its own run directory under options.out_dir and resumes from its
// checkpoint, so the same command continues an interrupted experiment; a finished run is
// only evaluated, and an evaluated one (eval/evaluated_step matches its checkpoint) is
// only read. docs/REPRODUCTION.md reports a run of this code.
#ifndef NMT_TOOLS_REPRODUCTION_H_
#define NMT_TOOLS_REPRODUCTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "autograd/tape.h"
#include "datasets/text_codec.h"
#include "metrics/bleu.h"
#include "metrics/bleu_bootstrap.h"
#include "tools/bleu_by_length.h"
#include "trainers/train_config.pb.h"

namespace nmt::tools {

// One model of the experiment: the paper's RNNencdec-30, RNNsearch-30, -50, ...
struct ExperimentModel {
  std::string name;   // "RNNsearch-50": the label of tables and curves
  std::string model;  // a name of models/registry.cc
  int max_length;     // training pairs of at most this many words per side (30 or 50)
};

// The paper's four models, in Table 1's order.
std::vector<ExperimentModel> PaperExperimentModels();

// What is scaled down from the paper, and why, is in docs/REPRODUCTION.md.
struct ExperimentOptions {
  std::string out_dir = "runs/reproduce";            // one run directory per model below it, and the report
  int64_t budget_steps = 2500;                       // updates per model (the paper: 2.9–8.5 × 10^5)
  int32_t shortlist = 10000;                         // words per side, the rest UNK (the paper: 30,000)
  int64_t m = 128, n = 256, n_align = 256, l = 128;  // the paper: 620, 1000, 1000, 500
  int32_t batch_size = 80;                           // the paper's
  // "adam" (lr adam_lr) or "adadelta" (the paper's: ρ 0.95, ε 1e-6). Adam by default: at
  // this budget, 0.4% of the paper's updates, Adadelta's models do not translate yet
  // (docs/REPRODUCTION.md, "What was trained").
  std::string optimizer = "adam";
  double adam_lr = 2e-3;
  int32_t threads = 2;
  std::string precision = "f32";  // of the matrix products: f32, bf16 or auto (ops/PRECISION.md)
  int32_t beam = 5;
  int64_t validate_every = 500;  // dev NLL for Table 2 (no early stopping, as the paper)
  int32_t test_sentences = 0;    // 0: the whole test set
  int32_t bootstrap_samples = 1000;
  int32_t heatmaps = 4;  // Figure 3: one with the most reordering, the others random
  // Figure 2's bins (tools/bleu_by_length.h): 10 source words wide, the last one 60+;
  // a bin with fewer sentences than binning.min_sentences is left out of the plot.
  LengthBinning binning;
  uint64_t seed = 1234;
  bool show_progress = true;
};

// The TrainConfig of one model: the paper preset (Adadelta ρ 0.95 ε 1e-6, clipping at 1,
// the paper's initialisation, 80-sentence batches from length-sorted chunks of 20, a
// word shortlist), with the options' optimizer, sizes and budget and `data`'s corpus.
trainers::TrainConfig ExperimentConfig(const ExperimentModel& model, const ExperimentOptions& options,
                                       const trainers::DataConfig& data);

// Table 1's "No UNK" rule: sentence i qualifies when neither sources[i] nor references[i]
// has a token its codec maps to UNK (with a word shortlist: a word outside it). The
// column's BLEU is then over the sentences that qualify under every model's shortlists,
// decoded with UNK forbidden (SearchOptions::suppress_unk), as the paper did.
std::vector<bool> NoUnkSentences(absl::Span<const std::string> sources, absl::Span<const std::string> references,
                                 const datasets::TextCodec& source_codec, const datasets::TextCodec& target_codec);

// How far an alignment departs from monotone: the number of pairs of target positions
// i < i' whose most-attended source positions go backwards (argmax_j α_ij > argmax_j α_i'j).
// alpha is row-major (target_len × source_len).
int64_t AlignmentInversions(absl::Span<const float> alpha, int64_t target_len, int64_t source_len);

// One row of Table 2's analogue: the run's progress, and the losses of its train_log.csv.
struct TrainingStatistics {
  int64_t updates = 0;
  int64_t epochs = 0;  // completed passes over the training pairs
  int64_t sentences_seen = 0;
  double hours = 0;
  double target_tokens_per_s = 0;  // over the whole run, resumed sessions included
  double train_nll_per_token = 0;  // the running mean of the last logged interval
  double dev_nll_per_token = 0;    // the last validation
};
// The last train and dev losses of `log_csv` (train_log.csv), read by its header's
// column names, so logs with more or fewer columns read the same. NotFound without a
// row that has them.
absl::Status ReadLoggedLosses(const std::string& log_csv, TrainingStatistics& statistics);

struct ModelResult {
  ExperimentModel model;
  TrainingStatistics training;
  metrics::BleuScore bleu_all;
  metrics::BleuScore bleu_no_unk;
  std::string run_dir;
};

struct ExperimentReport {
  std::vector<ModelResult> results;  // PaperExperimentModels()'s order
  int64_t test_sentences = 0;
  int64_t no_unk_sentences = 0;
  // RNNsearch-L − RNNencdec-L for L = 30 and 50, on all test sentences.
  std::vector<std::pair<std::string, metrics::BootstrapInterval>> differences;
  std::vector<std::string> files;  // what was written under out_dir
};

// Table 1 and Table 2 as Markdown (what RunExperiment writes into out_dir/tables.md).
std::string ReportTables(const ExperimentReport& report, const ExperimentOptions& options);

// Trains (or resumes) every model, evaluates it on the test set, and writes tables.md,
// bleu_by_length.{csv,png}, attention_*.png and results.csv into options.out_dir.
// Trains and evaluates on `context` (a CPU or CUDA context; the reproduce tool's --device).
absl::StatusOr<ExperimentReport> RunExperiment(const ExperimentOptions& options, const trainers::DataConfig& data,
                                               DeviceContext& context);
// The same on a CPU context of options.threads threads.
absl::StatusOr<ExperimentReport> RunExperiment(const ExperimentOptions& options, const trainers::DataConfig& data);

}  // namespace nmt::tools

#endif  // NMT_TOOLS_REPRODUCTION_H_
