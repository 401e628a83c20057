// The main job: train a translation model, then translate the test set and score it.
//
//   ./bazelw run //:train                               # RNNsearch on the Bible corpus, ~15 min
//   ./bazelw run //:train -- --model=rnnencdec --minutes=30
//   ./bazelw run //:train -- --preset=paper --vocab=words   # the paper's sizes and recipe
//   ./bazelw run //:train -- --train_src=a.de --train_tgt=a.en --dev_src=... --test_tgt=...
//   ./bazelw run //:train -- --config=my_run.textproto      # a TrainConfig in text format
//
// With no corpus flags it builds the default English-Spanish Bible corpus into
// data/bible-en-es on first use (datasets/bible_corpus.h). Running it again on the
// same --run_dir resumes from the last checkpoint; a run that already finished
// goes straight to evaluation.
#include <cstdio>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "base/flags.h"
#include "datasets/text_file.h"
#include "google/protobuf/text_format.h"
#include "models/registry.h"
#include "tools/default_corpus.h"
#include "tools/device_flag.h"
#include "tools/evaluate.h"
#include "tools/translator.h"
#include "tools/user_path.h"
#include "trainers/mpi_communicator.h"
#include "trainers/run_directory.h"
#include "trainers/train_config.h"
#include "trainers/trainer.h"

// Every flag but --preset, --config and --skip_eval overrides one TrainConfig field when
// given; a given value is applied as it is and then validated with the rest.
ABSL_FLAG(std::string, preset, "default", "default (RNNsearch for ~15 min on 2 cores) or paper (Appendix A/B sizes)");
ABSL_FLAG(std::string, config, "", "a TrainConfig in text format; every field it sets replaces the preset's");
ABSL_FLAG(std::optional<std::string>, model, std::nullopt,
          "a model of models/registry.cc: rnnsearch, rnnencdec, cgru, luong");
ABSL_FLAG(std::optional<std::string>, optimizer, std::nullopt, "adam or adadelta (the paper's)");
ABSL_FLAG(std::optional<double>, lr, std::nullopt, "learning rate of the chosen optimizer (Adadelta's is 1)");
ABSL_FLAG(std::optional<std::string>, vocab, std::nullopt, "words (the paper's shortlist) or subwords (SentencePiece)");
ABSL_FLAG(std::optional<int32_t>, src_vocab, std::nullopt,
          "source vocabulary size (unset or 0: from the corpus, trainers/README.md)");
ABSL_FLAG(std::optional<int32_t>, tgt_vocab, std::nullopt, "target vocabulary size (unset or 0: from the corpus)");
ABSL_FLAG(std::optional<float>, dropout, std::nullopt,
          "dropout of the embeddings and of the states and contexts the readout reads, in [0, 1) "
          "(unset: 0.3 below 20,000 training pairs, else 0)");
ABSL_FLAG(std::optional<float>, dropout_rnn, std::nullopt,
          "variational dropout of every recurrent state, one mask per sentence (unset: 0.2 / 0 by corpus size)");
ABSL_FLAG(std::optional<float>, dropout_src, std::nullopt,
          "source word dropout: a whole word's embedding zeroed (unset: 0.1 / 0 by corpus size)");
ABSL_FLAG(std::optional<float>, dropout_tgt, std::nullopt, "target word dropout (unset: 0.1 / 0 by corpus size)");
ABSL_FLAG(std::optional<float>, label_smoothing, std::nullopt,
          "label smoothing of the training loss, in [0, 1) (unset: 0.1 / 0 by corpus size)");
ABSL_FLAG(std::optional<double>, minutes, std::nullopt, "training time budget (0: none)");
ABSL_FLAG(std::optional<int64_t>, max_steps, std::nullopt, "training steps (0: none)");
ABSL_FLAG(std::optional<int32_t>, batch_size, std::nullopt, "sentences per update");
ABSL_FLAG(std::optional<std::string>, corpus_dir, std::nullopt, "directory with {train,dev,test}.{src,tgt} files");
ABSL_FLAG(std::optional<std::string>, src_lang, std::nullopt,
          "source language code (file suffix; en and es have tokenizer rules)");
ABSL_FLAG(std::optional<std::string>, tgt_lang, std::nullopt, "target language code");
ABSL_FLAG(std::optional<std::string>, train_src, std::nullopt,
          "training source file (plain text or .gz, one sentence a line)");
ABSL_FLAG(std::optional<std::string>, train_tgt, std::nullopt, "training target file");
ABSL_FLAG(std::optional<std::string>, dev_src, std::nullopt, "dev source file");
ABSL_FLAG(std::optional<std::string>, dev_tgt, std::nullopt, "dev target file");
ABSL_FLAG(std::optional<std::string>, test_src, std::nullopt, "test source file");
ABSL_FLAG(std::optional<std::string>, test_tgt, std::nullopt, "test target file");
ABSL_FLAG(std::optional<std::string>, run_dir, std::nullopt, "where checkpoints, logs and results go");
ABSL_FLAG(std::optional<int32_t>, threads, std::nullopt, "CPU threads");
ABSL_FLAG(std::optional<bool>, adapt_threads, std::nullopt,
          "run fewer threads while other processes keep cores busy (default true)");
ABSL_FLAG(std::optional<std::string>, precision, std::nullopt,
          "matrix products in f32 (default), bf16 (mixed precision: bf16 operands, f32 accumulation, weights, "
          "optimizer and loss) or auto (bf16 where it is faster: AMX, AMD AVX512-BF16; ops/PRECISION.md)");
ABSL_FLAG(std::optional<int32_t>, beam, std::nullopt, "beam size for the test translation (1: greedy)");
ABSL_FLAG(std::optional<int64_t>, lr_warmup_steps, std::nullopt, "linear learning-rate warmup over N steps (0: none)");
ABSL_FLAG(std::optional<int64_t>, lr_decay_inv_sqrt_steps, std::nullopt,
          "after N steps, lr · sqrt(N / step) (Marian's --lr-decay-inv-sqrt; 0: none)");
ABSL_FLAG(std::optional<int64_t>, lr_decay_linear_steps, std::nullopt,
          "over the last N of --max_steps, the lr falls linearly to 0 (0: none)");
ABSL_FLAG(std::optional<double>, lr_plateau_factor, std::nullopt,
          "multiply the lr by this (in (0, 1)) after --lr_plateau_validations validations without improvement "
          "(Marian's --lr-decay-strategy stalled; 0: never)");
ABSL_FLAG(std::optional<int32_t>, lr_plateau_validations, std::nullopt,
          "validations without improvement before each plateau decay");
ABSL_FLAG(std::optional<int32_t>, validate_every, std::nullopt, "validate every N steps (0: never)");
ABSL_FLAG(std::optional<std::string>, valid_metric, std::nullopt,
          "loss or bleu: what keep-best (best.ckpt), --patience and the plateau decay follow");
ABSL_FLAG(std::optional<int32_t>, patience, std::nullopt,
          "stop after N validations without improvement of --valid_metric (0: never)");
ABSL_FLAG(std::optional<int32_t>, dev_bleu_sentences, std::nullopt,
          "dev sentences translated for dev BLEU at each validation (0: no dev BLEU)");
ABSL_FLAG(std::optional<int32_t>, dev_bleu_beam, std::nullopt, "beam size of dev BLEU (1: greedy)");
ABSL_FLAG(std::optional<double>, length_penalty, std::nullopt,
          "Wu et al.'s length penalty alpha for beam search (e.g. 0.6; replaces length normalisation; 0: off)");
ABSL_FLAG(std::optional<double>, coverage_penalty, std::nullopt,
          "Wu et al.'s coverage penalty beta for beam search (e.g. 0.2; models with attention; 0: off)");
ABSL_FLAG(std::optional<double>, max_len_factor, std::nullopt, "outputs stop at this many times the source length");
ABSL_FLAG(int32_t, test_sentences, 0, "translate only the first N test sentences (0: all)");
ABSL_FLAG(bool, skip_eval, false, "train only");

namespace nmt {
namespace {

using trainers::DataConfig;
using trainers::DataFiles;
using trainers::OptimizerConfig;
using trainers::TrainConfig;
using trainers::Trainer;

absl::StatusOr<TrainConfig> PresetFromFlags() {
  TrainConfig c = trainers::DefaultTrainConfig();
  const std::string preset = absl::GetFlag(FLAGS_preset);
  if (preset == "paper") {
    trainers::ApplyPaperPreset(c);
  } else if (preset != "default") {
    return absl::InvalidArgumentError(absl::StrCat("--preset: expected default or paper, got ", preset));
  }
  return c;
}

// --config: a TrainConfig in text format; every field it sets replaces the preset's.
absl::Status ApplyConfigFile(TrainConfig& c) {
  const std::string path = absl::GetFlag(FLAGS_config);
  if (path.empty()) return absl::OkStatus();
  absl::StatusOr<std::string> text = ReadFileToString(tools::ResolveUserPath(path));
  if (!text.ok()) return text.status();
  return trainers::MergeTrainConfigText(*text, path, c);
}

// --model, --optimizer, --lr, --vocab: the recipe.
absl::Status ApplyRecipeFlags(TrainConfig& c) {
  if (const std::optional<std::string> m = absl::GetFlag(FLAGS_model)) {
    const models::ModelEntry* entry = models::FindModel(*m);
    if (entry == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("--model=", *m, ": expected one of ", models::RegisteredModelNames()));
    }
    c.mutable_model()->set_kind(entry->kind);
    if (!absl::GetFlag(FLAGS_run_dir) && absl::GetFlag(FLAGS_preset) == "default") c.set_run_dir("runs/" + *m);
  }
  if (const std::optional<std::string> o = absl::GetFlag(FLAGS_optimizer)) {
    if (*o == "adam") {
      c.mutable_optimizer()->mutable_adam();
    } else if (*o == "adadelta") {
      c.mutable_optimizer()->mutable_adadelta();
    } else {
      return absl::InvalidArgumentError(absl::StrCat("--optimizer=", *o, ": expected adam or adadelta"));
    }
  }
  if (const std::optional<double> lr = absl::GetFlag(FLAGS_lr)) {
    OptimizerConfig& o = *c.mutable_optimizer();
    if (o.has_adam()) o.mutable_adam()->set_lr(*lr);
    if (o.has_adadelta()) o.mutable_adadelta()->set_lr(*lr);
    if (o.has_sgd()) o.mutable_sgd()->set_lr(*lr);
  }
  if (const std::optional<std::string> v = absl::GetFlag(FLAGS_vocab)) {
    if (*v != "words" && *v != "subwords") {
      return absl::InvalidArgumentError(absl::StrCat("--vocab=", *v, ": expected words or subwords"));
    }
    c.mutable_data()->set_vocabulary(*v == "words" ? DataConfig::WORDS : DataConfig::SUBWORDS);
  }
  if (const std::optional<std::string> p = absl::GetFlag(FLAGS_precision)) c.set_precision(*p);  // validated later
  return absl::OkStatus();
}

// Sizes, budget and regularisation: applied as given (a given value always wins over
// the corpus rule); ValidateTrainConfig refuses what is out of range.
void ApplySizeFlags(TrainConfig& c) {
  auto apply = [](const auto& flag, auto setter) {
    if (const auto value = absl::GetFlag(flag)) setter(*value);
  };
  DataConfig& d = *c.mutable_data();
  apply(FLAGS_src_vocab, [&](int32_t v) { d.set_src_vocab_size(v); });
  apply(FLAGS_tgt_vocab, [&](int32_t v) { d.set_tgt_vocab_size(v); });
  apply(FLAGS_batch_size, [&](int32_t v) { d.set_batch_size(v); });
  apply(FLAGS_threads, [&](int32_t v) { c.set_threads(v); });
  apply(FLAGS_adapt_threads, [&](bool v) { c.set_adapt_threads(v); });
  apply(FLAGS_beam, [&](int32_t v) { c.set_beam_size(v); });
  apply(FLAGS_minutes, [&](double v) { c.set_max_minutes(v); });
  apply(FLAGS_max_steps, [&](int64_t v) { c.set_max_steps(v); });
  models::ModelConfig& m = *c.mutable_model();
  apply(FLAGS_dropout, [&](float v) { m.set_dropout(v); });
  apply(FLAGS_dropout_rnn, [&](float v) { m.set_dropout_rnn(v); });
  apply(FLAGS_dropout_src, [&](float v) { m.set_dropout_src(v); });
  apply(FLAGS_dropout_tgt, [&](float v) { m.set_dropout_tgt(v); });
  apply(FLAGS_label_smoothing, [&](float v) { c.set_label_smoothing(v); });
}

// The schedule, validation and decoding: applied as given, then validated.
absl::Status ApplyScheduleAndValidationFlags(TrainConfig& c) {
  auto apply = [](const auto& flag, auto setter) {
    if (const auto value = absl::GetFlag(flag)) setter(*value);
  };
  apply(FLAGS_lr_warmup_steps, [&](int64_t v) { c.set_lr_warmup_steps(v); });
  apply(FLAGS_lr_decay_inv_sqrt_steps, [&](int64_t v) { c.set_lr_decay_inv_sqrt_steps(v); });
  apply(FLAGS_lr_decay_linear_steps, [&](int64_t v) { c.set_lr_decay_linear_steps(v); });
  apply(FLAGS_lr_plateau_factor, [&](double v) { c.set_lr_plateau_factor(v); });
  apply(FLAGS_lr_plateau_validations, [&](int32_t v) { c.set_lr_plateau_validations(v); });
  apply(FLAGS_validate_every, [&](int32_t v) { c.set_validate_every(v); });
  apply(FLAGS_patience, [&](int32_t v) { c.set_patience(v); });
  apply(FLAGS_dev_bleu_sentences, [&](int32_t v) { c.set_dev_bleu_sentences(v); });
  apply(FLAGS_dev_bleu_beam, [&](int32_t v) { c.set_dev_bleu_beam(v); });
  apply(FLAGS_coverage_penalty, [&](double v) { c.set_coverage_penalty(v); });
  apply(FLAGS_max_len_factor, [&](double v) { c.set_max_len_factor(v); });
  // The length penalty replaces length normalisation (on in both presets).
  apply(FLAGS_length_penalty, [&](double v) {
    c.set_length_penalty(v);
    if (v > 0) c.set_length_norm(false);
  });
  if (const std::optional<std::string> m = absl::GetFlag(FLAGS_valid_metric)) {
    if (*m != "loss" && *m != "bleu") {
      return absl::InvalidArgumentError(absl::StrCat("--valid_metric=", *m, ": expected loss or bleu"));
    }
    c.set_valid_metric(*m == "bleu" ? TrainConfig::BLEU : TrainConfig::LOSS);
  }
  return absl::OkStatus();
}

// The corpus files, languages and run directory, resolved against the user's directory.
void ApplyPathFlags(TrainConfig& c) {
  DataConfig& d = *c.mutable_data();
  auto set_path = [](const std::optional<std::string>& value, std::string* field) {
    if (value) *field = tools::ResolveUserPath(*value);
  };
  set_path(absl::GetFlag(FLAGS_corpus_dir), d.mutable_corpus_dir());
  set_path(absl::GetFlag(FLAGS_train_src), d.mutable_train_src());
  set_path(absl::GetFlag(FLAGS_train_tgt), d.mutable_train_tgt());
  set_path(absl::GetFlag(FLAGS_dev_src), d.mutable_dev_src());
  set_path(absl::GetFlag(FLAGS_dev_tgt), d.mutable_dev_tgt());
  set_path(absl::GetFlag(FLAGS_test_src), d.mutable_test_src());
  set_path(absl::GetFlag(FLAGS_test_tgt), d.mutable_test_tgt());
  if (const auto lang = absl::GetFlag(FLAGS_src_lang)) d.set_src_lang(*lang);
  if (const auto lang = absl::GetFlag(FLAGS_tgt_lang)) d.set_tgt_lang(*lang);
  if (const auto dir = absl::GetFlag(FLAGS_run_dir)) c.set_run_dir(*dir);
  if (!c.run_dir().empty()) c.set_run_dir(tools::ResolveUserPath(c.run_dir()));
  if (!d.corpus_dir().empty()) d.set_corpus_dir(tools::ResolveUserPath(d.corpus_dir()));
}

// The preset, then --config, then the individual flags; then every field is validated.
absl::StatusOr<TrainConfig> ConfigFromFlags() {
  absl::StatusOr<TrainConfig> c = PresetFromFlags();
  if (!c.ok()) return c.status();
  if (absl::Status s = ApplyConfigFile(*c); !s.ok()) return s;
  if (absl::Status s = ApplyRecipeFlags(*c); !s.ok()) return s;
  ApplySizeFlags(*c);
  if (absl::Status s = ApplyScheduleAndValidationFlags(*c); !s.ok()) return s;
  ApplyPathFlags(*c);
  if (absl::GetFlag(FLAGS_test_sentences) < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--test_sentences=", absl::GetFlag(FLAGS_test_sentences), ": must be >= 0 (0: all)"));
  }
  if (absl::Status s = trainers::ValidateTrainConfig(*c); !s.ok()) return s;
  return c;
}

absl::Status TrainModel(Trainer& t) {
  std::fprintf(stderr, "%s: %lld parameters, vocabularies %d / %d, %s matrix products, run directory %s\n",
               models::ModelConfig::Kind_Name(t.config().model().kind()).c_str(),
               static_cast<long long>(t.model().NumScalars()), t.src_codec().size(), t.tgt_codec().size(),
               MatmulPrecisionName(t.context().matmul_precision()), t.run().dir().c_str());
  if (absl::Status s = t.Train(); !s.ok()) return s;
  if (t.tokens_per_second() > 0) {
    std::fprintf(stderr, "trained %lld steps (%lld epochs) in %.1f min, %.0f target tokens/s\n",
                 static_cast<long long>(t.progress().step()), static_cast<long long>(t.progress().epoch() + 1),
                 t.progress().elapsed_seconds() / 60, t.tokens_per_second());
  } else {
    std::fprintf(stderr, "the run in %s has finished training (%lld steps); evaluating it\n", t.run().dir().c_str(),
                 static_cast<long long>(t.progress().step()));
  }
  return absl::OkStatus();
}

// Translates the test set (or its first --test_sentences), scores it and draws the pictures.
absl::Status EvaluateTestSet(Trainer& t) {
  const DataFiles files = trainers::ResolveDataFiles(t.config().data());
  absl::StatusOr<std::vector<std::string>> sources = datasets::ReadUtf8Lines(files.test_src);
  if (!sources.ok()) return sources.status();
  absl::StatusOr<std::vector<std::string>> references = datasets::ReadUtf8Lines(files.test_tgt);
  if (!references.ok()) return references.status();
  if (const int n = absl::GetFlag(FLAGS_test_sentences); n > 0 && static_cast<size_t>(n) < sources->size()) {
    sources->resize(n);
    references->resize(n);
  }
  models::SearchOptions search;
  search.beam_size = t.config().beam_size();
  search.length_norm = t.config().length_norm();
  search.length_penalty = t.config().length_penalty();
  search.coverage_penalty = t.config().coverage_penalty();
  search.max_len_factor = t.config().max_len_factor();
  tools::Translator translator(t.model(), t.context(), t.src_codec(), t.tgt_codec(), search);
  tools::EvaluationOptions eval;
  eval.heatmaps = t.config().heatmaps();
  eval.curve_label = models::FindModel(t.config().model().kind())->label;
  absl::StatusOr<tools::EvaluationReport> report =
      tools::Evaluate(translator, *sources, *references, t.run().eval(), eval);
  if (!report.ok()) return report.status();
  std::printf("test set: %zu sentences, beam %d, translated in %.0f s\n", sources->size(), search.beam_size,
              report->seconds);
  std::printf("%s\n%s\n", report->bleu.Format().c_str(), report->signature.c_str());
  std::printf("looping outputs: %lld of %zu (%.1f%%; an n-gram, n <= 4, three times in a row): %s\n",
              static_cast<long long>(report->looping_outputs), sources->size(), 100 * report->looping_share,
              report->loops_path.c_str());
  std::printf("checkpoint:      %s\n", t.run().FinalCheckpoint().c_str());
  std::printf("translations:    %s\n", report->hypotheses_path.c_str());
  std::printf("BLEU by length:  %s (%s)\n", report->bleu_by_length_png.c_str(), report->bleu_by_length_csv.c_str());
  for (const std::string& path : report->heatmap_paths) std::printf("attention:       %s\n", path.c_str());
  std::printf("training log:    %s\n", t.run().train_log().c_str());
  return absl::OkStatus();
}

// Exit status: 0, kExitDataError, or kExitUsageError for flags and config values.
int Run() {
  absl::StatusOr<TrainConfig> config = ConfigFromFlags();
  if (!config.ok()) {
    std::fprintf(stderr, "usage error: %s\n", std::string(config.status().message()).c_str());
    return kExitUsageError;
  }
  // MPI under mpirun (README.md, "Several processes"), else one process; rank 0 builds,
  // writes, prints and evaluates.
  absl::StatusOr<std::unique_ptr<trainers::Communicator>> comm =
      trainers::MakeCommunicator(absl::GetFlag(FLAGS_device));
  if (!comm.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(comm.status().message()).c_str());
    return kExitDataError;
  }
  if (!absl::GetFlag(FLAGS_threads) && trainers::MpirunWorldSize() > 0) {
    config->set_threads(trainers::DefaultThreadsPerRank());
  }
  // --device (tools/device_flag.h): a device this build has no backend for is a usage error.
  int exit_code = 0;
  std::unique_ptr<DeviceContext> context = tools::DeviceContextFromFlag(config->threads(), exit_code);
  if (context == nullptr) return exit_code;
  const int rank = (*comm)->rank(), ranks = (*comm)->size();
  absl::Status status = rank == 0 ? tools::EnsureCorpus(config->data()) : absl::OkStatus();
  if (status.ok()) status = (*comm)->Barrier();
  absl::StatusOr<std::unique_ptr<Trainer>> trainer;
  if (status.ok()) {
    trainer = Trainer::Create(*config, **comm, *context);
    status = trainer.status();
  }
  if (status.ok()) status = rank == 0 ? TrainModel(**trainer) : (*trainer)->Train();
  if (status.ok() && rank == 0 && !absl::GetFlag(FLAGS_skip_eval)) status = EvaluateTestSet(**trainer);
  if (!status.ok()) {
    std::fprintf(stderr, "error%s: %s\n", ranks > 1 ? absl::StrCat(" on rank ", rank, " of ", ranks).c_str() : "",
                 std::string(status.message()).c_str());
    // The other ranks may be waiting in a collective: end the whole job.
    if (ranks > 1) (*comm)->Abort(kExitDataError);
    return kExitDataError;
  }
  return 0;
}

}  // namespace
}  // namespace nmt

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Trains RNNsearch/RNNencdec, then translates and scores the test set.");
  nmt::ParseFlagsOrExit(argc, argv);
  return nmt::Run();
}
