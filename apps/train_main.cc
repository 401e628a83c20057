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
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "datasets/bible_corpus.h"
#include "datasets/text_file.h"
#include "google/protobuf/text_format.h"
#include "models/registry.h"
#include "tools/evaluate.h"
#include "tools/translator.h"
#include "tools/user_path.h"
#include "trainers/run_directory.h"
#include "trainers/train_config.h"
#include "trainers/trainer.h"

ABSL_FLAG(std::string, preset, "default", "default (RNNsearch for ~15 min on 2 cores) or paper (Appendix A/B sizes)");
ABSL_FLAG(std::string, config, "", "a TrainConfig in text format, applied over the preset");
ABSL_FLAG(std::string, model, "", "a model of models/registry.cc: rnnsearch, rnnencdec, ...");
ABSL_FLAG(std::string, optimizer, "", "adam or adadelta (the paper's)");
ABSL_FLAG(double, lr, 0, "learning rate (Adam; Adadelta's is 1)");
ABSL_FLAG(std::string, vocab, "", "words (the paper's shortlist) or subwords (SentencePiece)");
ABSL_FLAG(int32_t, src_vocab, 0, "source vocabulary size");
ABSL_FLAG(int32_t, tgt_vocab, 0, "target vocabulary size");
ABSL_FLAG(double, minutes, -1, "training time budget (0: none)");
ABSL_FLAG(int64_t, max_steps, -1, "training steps (0: none)");
ABSL_FLAG(int32_t, batch_size, 0, "sentences per update");
ABSL_FLAG(std::string, corpus_dir, "", "directory with {train,dev,test}.{src,tgt} files");
ABSL_FLAG(std::string, src_lang, "", "source language code (file suffix; en and es have tokenizer rules)");
ABSL_FLAG(std::string, tgt_lang, "", "target language code");
ABSL_FLAG(std::string, train_src, "", "training source file (plain text or .gz, one sentence a line)");
ABSL_FLAG(std::string, train_tgt, "", "training target file");
ABSL_FLAG(std::string, dev_src, "", "dev source file");
ABSL_FLAG(std::string, dev_tgt, "", "dev target file");
ABSL_FLAG(std::string, test_src, "", "test source file");
ABSL_FLAG(std::string, test_tgt, "", "test target file");
ABSL_FLAG(std::string, run_dir, "", "where checkpoints, logs and results go");
ABSL_FLAG(int32_t, threads, 0, "CPU threads (0: the preset's)");
ABSL_FLAG(std::string, device, "cpu", "cpu (a CUDA backend is not part of this build)");
ABSL_FLAG(int32_t, beam, 0, "beam size for the test translation (1: greedy)");
ABSL_FLAG(int32_t, test_sentences, 0, "translate only the first N test sentences (0: all)");
ABSL_FLAG(bool, skip_eval, false, "train only");

namespace nmt {
namespace {

using trainers::DataConfig;
using trainers::DataFiles;
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

// --config: a TrainConfig in text format, merged over the preset.
absl::Status ApplyConfigFile(TrainConfig& c) {
  const std::string path = absl::GetFlag(FLAGS_config);
  if (path.empty()) return absl::OkStatus();
  absl::StatusOr<std::string> text = ReadFileToString(tools::ResolveUserPath(path));
  if (!text.ok()) return text.status();
  TrainConfig overrides;
  if (!google::protobuf::TextFormat::ParseFromString(*text, &overrides)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a TrainConfig in text format"));
  }
  c.MergeFrom(overrides);
  return absl::OkStatus();
}

// --model, --optimizer, --lr, --vocab: the recipe.
absl::Status ApplyRecipeFlags(TrainConfig& c) {
  if (const std::string m = absl::GetFlag(FLAGS_model); !m.empty()) {
    const models::ModelEntry* entry = models::FindModel(m);
    if (entry == nullptr) return absl::InvalidArgumentError("--model: one of " + models::RegisteredModelNames());
    c.mutable_model()->set_kind(entry->kind);
    if (absl::GetFlag(FLAGS_run_dir).empty() && absl::GetFlag(FLAGS_preset) == "default") c.set_run_dir("runs/" + m);
  }
  if (const std::string o = absl::GetFlag(FLAGS_optimizer); !o.empty()) {
    if (o == "adam") {
      c.mutable_optimizer()->mutable_adam();
    } else if (o == "adadelta") {
      c.mutable_optimizer()->mutable_adadelta();
    } else {
      return absl::InvalidArgumentError("--optimizer: adam or adadelta");
    }
  }
  if (const double lr = absl::GetFlag(FLAGS_lr); lr > 0) {
    if (!c.optimizer().has_adam()) return absl::InvalidArgumentError("--lr applies to Adam only");
    c.mutable_optimizer()->mutable_adam()->set_lr(lr);
  }
  if (const std::string v = absl::GetFlag(FLAGS_vocab); !v.empty()) {
    if (v != "words" && v != "subwords") return absl::InvalidArgumentError("--vocab: words or subwords");
    c.mutable_data()->set_vocabulary(v == "words" ? DataConfig::WORDS : DataConfig::SUBWORDS);
  }
  return absl::OkStatus();
}

// --src_vocab, --batch_size, --threads, --beam, --minutes, --max_steps: sizes and budget.
void ApplySizeFlags(TrainConfig& c) {
  auto set_if = [](auto value, auto setter) {
    if (value > 0) setter(value);
  };
  set_if(absl::GetFlag(FLAGS_src_vocab), [&](int32_t v) { c.mutable_data()->set_src_vocab_size(v); });
  set_if(absl::GetFlag(FLAGS_tgt_vocab), [&](int32_t v) { c.mutable_data()->set_tgt_vocab_size(v); });
  set_if(absl::GetFlag(FLAGS_batch_size), [&](int32_t v) { c.mutable_data()->set_batch_size(v); });
  set_if(absl::GetFlag(FLAGS_threads), [&](int32_t v) { c.set_threads(v); });
  set_if(absl::GetFlag(FLAGS_beam), [&](int32_t v) { c.set_beam_size(v); });
  if (absl::GetFlag(FLAGS_minutes) >= 0) c.set_max_minutes(absl::GetFlag(FLAGS_minutes));
  if (absl::GetFlag(FLAGS_max_steps) >= 0) c.set_max_steps(absl::GetFlag(FLAGS_max_steps));
}

// The corpus files, languages and run directory, resolved against the user's directory.
void ApplyPathFlags(TrainConfig& c) {
  DataConfig& d = *c.mutable_data();
  auto set_path = [](const std::string& value, std::string* field) {
    if (!value.empty()) *field = tools::ResolveUserPath(value);
  };
  set_path(absl::GetFlag(FLAGS_corpus_dir), d.mutable_corpus_dir());
  set_path(absl::GetFlag(FLAGS_train_src), d.mutable_train_src());
  set_path(absl::GetFlag(FLAGS_train_tgt), d.mutable_train_tgt());
  set_path(absl::GetFlag(FLAGS_dev_src), d.mutable_dev_src());
  set_path(absl::GetFlag(FLAGS_dev_tgt), d.mutable_dev_tgt());
  set_path(absl::GetFlag(FLAGS_test_src), d.mutable_test_src());
  set_path(absl::GetFlag(FLAGS_test_tgt), d.mutable_test_tgt());
  if (!absl::GetFlag(FLAGS_src_lang).empty()) d.set_src_lang(absl::GetFlag(FLAGS_src_lang));
  if (!absl::GetFlag(FLAGS_tgt_lang).empty()) d.set_tgt_lang(absl::GetFlag(FLAGS_tgt_lang));
  if (!absl::GetFlag(FLAGS_run_dir).empty()) c.set_run_dir(absl::GetFlag(FLAGS_run_dir));
  c.set_run_dir(tools::ResolveUserPath(c.run_dir()));
  d.set_corpus_dir(tools::ResolveUserPath(d.corpus_dir()));
}

// The preset, then --config, then the individual flags.
absl::StatusOr<TrainConfig> ConfigFromFlags() {
  absl::StatusOr<TrainConfig> c = PresetFromFlags();
  if (!c.ok()) return c.status();
  if (absl::Status s = ApplyConfigFile(*c); !s.ok()) return s;
  if (absl::Status s = ApplyRecipeFlags(*c); !s.ok()) return s;
  ApplySizeFlags(*c);
  ApplyPathFlags(*c);
  if (absl::GetFlag(FLAGS_device) != "cpu") {
    return absl::UnimplementedError(
        absl::StrCat("--device=", absl::GetFlag(FLAGS_device), ": this build has the CPU backend only"));
  }
  return c;
}

// The default corpus is built on first use; a user's own files are only checked.
absl::Status EnsureCorpus(const TrainConfig& config) {
  const DataConfig& d = config.data();
  if (!d.train_src().empty() || datasets::FindCompleteCorpus(d.corpus_dir()).has_value()) return absl::OkStatus();
  if (std::ifstream(d.corpus_dir() + "/train." + d.src_lang()).good()) return absl::OkStatus();
  std::fprintf(stderr, "building the default corpus (WEB + Reina-Valera 1909) in %s ...\n", d.corpus_dir().c_str());
  datasets::BibleCorpusOptions options;
  options.out_dir = d.corpus_dir();
  absl::StatusOr<datasets::BibleCorpusCounts> counts = datasets::BuildBibleCorpus(options);
  if (!counts.ok()) return counts.status();
  std::fprintf(stderr, "corpus: %lld train, %lld dev, %lld test pairs\n", static_cast<long long>(counts->train),
               static_cast<long long>(counts->dev), static_cast<long long>(counts->test));
  return absl::OkStatus();
}

absl::Status TrainModel(Trainer& t) {
  std::fprintf(stderr, "%s: %lld parameters, vocabularies %d / %d, run directory %s\n",
               models::ModelConfig::Kind_Name(t.config().model().kind()).c_str(),
               static_cast<long long>(t.model().NumScalars()), t.src_codec().size(), t.tgt_codec().size(),
               t.run().dir().c_str());
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
  std::printf("checkpoint:      %s\n", t.run().FinalCheckpoint().c_str());
  std::printf("translations:    %s\n", report->hypotheses_path.c_str());
  std::printf("BLEU by length:  %s (%s)\n", report->bleu_by_length_png.c_str(), report->bleu_by_length_csv.c_str());
  for (const std::string& path : report->heatmap_paths) std::printf("attention:       %s\n", path.c_str());
  std::printf("training log:    %s\n", t.run().train_log().c_str());
  return absl::OkStatus();
}

absl::Status Run() {
  absl::StatusOr<TrainConfig> config = ConfigFromFlags();
  if (!config.ok()) return config.status();
  if (absl::Status s = EnsureCorpus(*config); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(*config);
  if (!trainer.ok()) return trainer.status();
  if (absl::Status s = TrainModel(**trainer); !s.ok()) return s;
  if (absl::GetFlag(FLAGS_skip_eval)) return absl::OkStatus();
  return EvaluateTestSet(**trainer);
}

}  // namespace
}  // namespace nmt

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Trains RNNsearch/RNNencdec, then translates and scores the test set.");
  absl::ParseCommandLine(argc, argv);
  if (absl::Status s = nmt::Run(); !s.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  return 0;
}
