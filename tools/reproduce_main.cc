// The paper's experiment (Tables 1–2, Figures 2–3) at a budget this machine affords:
//
//   ./bazelw run //tools:reproduce                                # runs/reproduce, the defaults below
//   ./bazelw run //tools:reproduce -- --budget_steps=200 --out_dir=/tmp/r   # a quick look
//
// Trains RNNencdec-30, RNNsearch-30, RNNencdec-50 and RNNsearch-50 one after another with
// the paper's recipe at scaled sizes (tools/reproduction.h), translates the test set with
// each, and writes tables.md, results.csv, bleu_by_length.{png,csv} and attention_*.png
// into --out_dir. Every run resumes: the same command continues after an interruption,
// and on a finished experiment only rebuilds the report. docs/REPRODUCTION.md reports a run.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "base/flags.h"
#include "tools/default_corpus.h"
#include "tools/device_flag.h"
#include "tools/reproduction.h"
#include "tools/user_path.h"
#include "trainers/train_config.h"

namespace {
const nmt::tools::ExperimentOptions kDefaults;
}  // namespace

ABSL_FLAG(std::string, out_dir, kDefaults.out_dir, "run directories and the report");
ABSL_FLAG(int64_t, budget_steps, kDefaults.budget_steps, "updates per model");
ABSL_FLAG(int32_t, shortlist, kDefaults.shortlist, "words per side; the others are UNK (the paper: 30000)");
ABSL_FLAG(int64_t, m, kDefaults.m, "word embedding size (the paper: 620)");
ABSL_FLAG(int64_t, n, kDefaults.n, "recurrent units (the paper: 1000)");
ABSL_FLAG(int64_t, n_align, kDefaults.n_align, "alignment model units n' (the paper: 1000)");
ABSL_FLAG(int64_t, l, kDefaults.l, "maxout units (the paper: 500)");
ABSL_FLAG(int32_t, batch_size, kDefaults.batch_size, "sentences per update (the paper: 80)");
ABSL_FLAG(std::string, optimizer, kDefaults.optimizer, "adam or adadelta (the paper's: rho 0.95, eps 1e-6)");
ABSL_FLAG(double, adam_lr, kDefaults.adam_lr, "Adam's learning rate");
ABSL_FLAG(int32_t, threads, kDefaults.threads, "CPU threads");
ABSL_FLAG(std::string, precision, kDefaults.precision,
          "matrix products in f32, bf16 (where the CPU has AVX512-BF16 or AMX) or auto (ops/PRECISION.md)");
ABSL_FLAG(int32_t, beam, kDefaults.beam, "beam size for the test set");
ABSL_FLAG(int64_t, validate_every, kDefaults.validate_every, "steps between dev NLL measurements");
ABSL_FLAG(int32_t, test_sentences, kDefaults.test_sentences, "translate only the first N test sentences (0: all)");
ABSL_FLAG(int32_t, bootstrap_samples, kDefaults.bootstrap_samples, "paired bootstrap resamplings");
ABSL_FLAG(int32_t, heatmaps, kDefaults.heatmaps, "attention heatmaps of RNNsearch-50");
ABSL_FLAG(uint64_t, seed, kDefaults.seed, "initialisation, data order and sampling seed");
ABSL_FLAG(std::string, corpus_dir, nmt::trainers::DefaultTrainConfig().data().corpus_dir(),
          "directory with {train,dev,test}.{src_lang,tgt_lang}");
ABSL_FLAG(std::string, src_lang, nmt::trainers::DefaultTrainConfig().data().src_lang(), "source language suffix");
ABSL_FLAG(std::string, tgt_lang, nmt::trainers::DefaultTrainConfig().data().tgt_lang(), "target language suffix");

namespace nmt {
namespace {

int Run() {
  tools::ExperimentOptions o;
  o.out_dir = tools::ResolveUserPath(absl::GetFlag(FLAGS_out_dir));
  o.budget_steps = absl::GetFlag(FLAGS_budget_steps);
  o.shortlist = absl::GetFlag(FLAGS_shortlist);
  o.m = absl::GetFlag(FLAGS_m);
  o.n = absl::GetFlag(FLAGS_n);
  o.n_align = absl::GetFlag(FLAGS_n_align);
  o.l = absl::GetFlag(FLAGS_l);
  o.batch_size = absl::GetFlag(FLAGS_batch_size);
  o.optimizer = absl::GetFlag(FLAGS_optimizer);
  o.adam_lr = absl::GetFlag(FLAGS_adam_lr);
  o.threads = absl::GetFlag(FLAGS_threads);
  o.precision = absl::GetFlag(FLAGS_precision);
  o.beam = absl::GetFlag(FLAGS_beam);
  o.validate_every = absl::GetFlag(FLAGS_validate_every);
  o.test_sentences = absl::GetFlag(FLAGS_test_sentences);
  o.bootstrap_samples = absl::GetFlag(FLAGS_bootstrap_samples);
  o.heatmaps = absl::GetFlag(FLAGS_heatmaps);
  o.seed = absl::GetFlag(FLAGS_seed);
  // Checked here what TrainConfig validation does not see; the rest is refused per model
  // by trainers::ValidateTrainConfig before anything trains.
  if (o.budget_steps <= 0 || o.test_sentences < 0 || o.bootstrap_samples < 0 || o.heatmaps < 0) {
    std::fprintf(stderr,
                 "usage error: --budget_steps must be > 0; --test_sentences, --bootstrap_samples and "
                 "--heatmaps >= 0\n");
    return kExitUsageError;
  }
  if (o.optimizer != "adam" && o.optimizer != "adadelta") {
    std::fprintf(stderr, "usage error: --optimizer must be adam or adadelta, not '%s'\n", o.optimizer.c_str());
    return kExitUsageError;
  }
  trainers::DataConfig data = trainers::DefaultTrainConfig().data();
  data.set_corpus_dir(tools::ResolveUserPath(absl::GetFlag(FLAGS_corpus_dir)));
  data.set_src_lang(absl::GetFlag(FLAGS_src_lang));
  data.set_tgt_lang(absl::GetFlag(FLAGS_tgt_lang));
  for (const tools::ExperimentModel& model : tools::PaperExperimentModels()) {
    if (absl::Status s = trainers::ValidateTrainConfig(tools::ExperimentConfig(model, o, data)); !s.ok()) {
      std::fprintf(stderr, "usage error: %s: %s\n", model.name.c_str(), std::string(s.message()).c_str());
      return kExitUsageError;
    }
  }
  // --device (tools/device_flag.h): cpu, or cuda on a machine with a GPU.
  int exit_code = 0;
  std::unique_ptr<DeviceContext> context = tools::DeviceContextFromFlag(o.threads, exit_code);
  if (context == nullptr) return exit_code;
  absl::Status status = tools::EnsureCorpus(data);
  absl::StatusOr<tools::ExperimentReport> report;
  if (status.ok()) {
    report = tools::RunExperiment(o, data, *context);
    status = report.status();
  }
  if (!status.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(status.message()).c_str());
    return kExitDataError;
  }
  std::printf("%s\n", tools::ReportTables(*report, o).c_str());
  for (const std::string& file : report->files) std::printf("wrote %s\n", file.c_str());
  return 0;
}

}  // namespace
}  // namespace nmt

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "The paper's experiment: four models, Tables 1-2 and Figures 2-3 (docs/REPRODUCTION.md).");
  nmt::ParseFlagsOrExit(argc, argv);
  return nmt::Run();
}
