#include "tools/reproduction.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/atomic_file.h"
#include "datasets/text_codec.h"
#include "gtest/gtest.h"
#include "metrics/bleu.h"
#include "trainers/train_config.h"

namespace nmt::tools {
namespace {

std::string TempDir(const std::string& name) {
  const std::string dir = absl::StrCat(::testing::TempDir(), "/", name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(AlignmentInversions, CountsTargetPairsWhoseSourcePositionsGoBackwards) {
  // 3 × 3: identity (monotone), then the anti-diagonal (fully reversed).
  const std::vector<float> identity = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  const std::vector<float> reversed = {0, 0, 1, 0, 1, 0, 1, 0, 0};
  EXPECT_EQ(AlignmentInversions(identity, 3, 3), 0);
  EXPECT_EQ(AlignmentInversions(reversed, 3, 3), 3);
  // "European Economic Area" -> "zone économique européenne": one swap of the outer pair
  // around the middle (2 → 0, 1 → 1, 0 → 2) plus a monotone EOS row.
  const std::vector<float> area = {0.1f, 0.1f, 0.8f, 0, 0.2f, 0.7f, 0.1f, 0, 0.9f, 0, 0.1f, 0, 0, 0, 0, 1};
  EXPECT_EQ(AlignmentInversions(area, 4, 4), 3);
}

TEST(NoUnkSentences, KeepsSentencesWithoutAWordOutsideEitherShortlist) {
  const std::string dir = TempDir("no_unk");
  datasets::TextCodecOptions options;
  options.vocab_size = 3;
  auto src = datasets::TextCodec::Build({"a b c", "a b", "a"}, options, dir + "/src");
  options.language = datasets::Language::kSpanish;
  auto tgt = datasets::TextCodec::Build({"x y z", "x y", "x"}, options, dir + "/tgt");
  ASSERT_TRUE(src.ok() && tgt.ok());
  const std::vector<bool> keep = NoUnkSentences({"a b", "a q", "c", "b a"}, {"x y", "y", "x w", "z"}, **src, **tgt);
  EXPECT_EQ(keep, (std::vector<bool>{true, false, false, true}));
}

TEST(ReadLoggedLosses, ReadsColumnsByName) {
  const std::string dir = TempDir("log");
  ASSERT_TRUE(WriteFileAtomically(dir + "/old.csv",
                                  "kind,step,epoch,elapsed_s,train_loss_per_token,dev_loss_per_token,"
                                  "target_tokens_per_s,detail\n"
                                  "progress,100,0,1.0,5.5,0.00000,10,\n"
                                  "validation,200,0,2.0,4.5,4.75,10,\n"
                                  "progress,300,0,3.0,4.25,0.00000,10,\n")
                  .ok());
  TrainingStatistics s;
  ASSERT_TRUE(ReadLoggedLosses(dir + "/old.csv", s).ok());
  EXPECT_EQ(s.train_nll_per_token, 4.25);
  EXPECT_EQ(s.dev_nll_per_token, 4.75);

  ASSERT_TRUE(WriteFileAtomically(dir + "/new.csv",
                                  "kind,step,dev_bleu,dev_loss_per_token,train_loss_per_token\n"
                                  "validation,200,12.5,3.5,3.25\n")
                  .ok());
  ASSERT_TRUE(ReadLoggedLosses(dir + "/new.csv", s).ok());
  EXPECT_EQ(s.train_nll_per_token, 3.25);
  EXPECT_EQ(s.dev_nll_per_token, 3.5);

  ASSERT_TRUE(WriteFileAtomically(dir + "/none.csv",
                                  "kind,step,epoch,elapsed_s,train_loss_per_token,dev_loss_per_token\n"
                                  "progress,100,0,1.0,5.5,0.00000\n")
                  .ok());
  EXPECT_TRUE(absl::IsNotFound(ReadLoggedLosses(dir + "/none.csv", s)));
  EXPECT_FALSE(ReadLoggedLosses(dir + "/missing.csv", s).ok());
}

TEST(ExperimentConfig, IsThePaperRecipeAtTheOptionsSizes) {
  ExperimentOptions options;
  options.out_dir = "/tmp/x";
  const std::vector<ExperimentModel> models = PaperExperimentModels();
  ASSERT_EQ(models.size(), 4u);
  const trainers::TrainConfig c = ExperimentConfig(models[3], options, trainers::DefaultTrainConfig().data());
  EXPECT_TRUE(trainers::ValidateTrainConfig(c).ok()) << trainers::ValidateTrainConfig(c);
  EXPECT_EQ(models[3].name, "RNNsearch-50");
  EXPECT_EQ(c.data().max_length(), 50);
  EXPECT_EQ(ExperimentConfig(models[0], options, c.data()).data().max_length(), 30);
  EXPECT_EQ(c.data().vocabulary(), trainers::DataConfig::WORDS);
  EXPECT_EQ(c.data().src_vocab_size(), options.shortlist);
  EXPECT_EQ(c.data().batch_size(), 80);
  EXPECT_EQ(c.data().batches_per_chunk(), 20);
  ASSERT_TRUE(c.optimizer().has_adam()) << "the default: the budget's deviation";
  EXPECT_EQ(c.optimizer().adam().lr(), options.adam_lr);
  EXPECT_EQ(c.max_grad_norm(), 1.0);
  EXPECT_EQ(c.model().init(), models::ModelConfig::INIT_PAPER);
  EXPECT_EQ(c.model().n(), options.n);
  EXPECT_EQ(c.max_steps(), options.budget_steps);
  EXPECT_EQ(c.patience(), 0) << "the paper did not stop early";
  EXPECT_EQ(c.run_dir(), "/tmp/x/rnnsearch-50");

  options.optimizer = "adadelta";
  const trainers::TrainConfig paper = ExperimentConfig(models[3], options, c.data());
  ASSERT_TRUE(paper.optimizer().has_adadelta());
  trainers::TrainConfig preset = trainers::DefaultTrainConfig();
  trainers::ApplyPaperPreset(preset);
  EXPECT_EQ(paper.optimizer().SerializeAsString(), preset.optimizer().SerializeAsString()) << "the paper's ρ and ε";
  options.optimizer = "rmsprop";
  EXPECT_FALSE(trainers::ValidateTrainConfig(ExperimentConfig(models[3], options, c.data())).ok());
}

TEST(ExperimentConfig, CarriesThePrecisionToValidation) {
  ExperimentOptions options;
  const ExperimentModel model = PaperExperimentModels()[0];
  const trainers::DataConfig data = trainers::DefaultTrainConfig().data();
  EXPECT_EQ(ExperimentConfig(model, options, data).precision(), "f32");
  options.precision = "auto";
  EXPECT_EQ(ExperimentConfig(model, options, data).precision(), "auto");
  EXPECT_TRUE(trainers::ValidateTrainConfig(ExperimentConfig(model, options, data)).ok());
  options.precision = "f16";
  EXPECT_FALSE(trainers::ValidateTrainConfig(ExperimentConfig(model, options, data)).ok()) << "refused, not ignored";
}

// A corpus of a few dozen pairs: the whole experiment at toy sizes, twice.
trainers::DataConfig TinyCorpus(const std::string& dir) {
  const std::vector<std::string> en_words = {"the", "man", "sees", "a", "dog", "house", "big", "red", "and", "cat"};
  const std::vector<std::string> es_words = {"el",   "hombre", "ve",   "un", "perro",
                                             "casa", "grande", "roja", "y",  "gato"};
  std::vector<std::string> en, es;
  for (int i = 0; i < 48; ++i) {
    std::vector<std::string> e, s;
    const int length = 3 + i % 11;  // up to 13 words: some test sentences get heatmaps
    for (int k = 0; k < length; ++k) {
      const size_t w = (i * 7 + k * 3) % en_words.size();
      e.push_back(en_words[w]);
      s.push_back(es_words[w]);
    }
    en.push_back(absl::StrJoin(e, " "));
    es.push_back(absl::StrJoin(s, " "));
  }
  auto write = [&](const std::string& name, size_t begin, size_t end, const std::vector<std::string>& lines) {
    std::vector<std::string> part(lines.begin() + begin, lines.begin() + end);
    EXPECT_TRUE(WriteFileAtomically(dir + "/" + name, absl::StrCat(absl::StrJoin(part, "\n"), "\n")).ok());
  };
  write("train.en", 0, 40, en);
  write("train.es", 0, 40, es);
  write("dev.en", 40, 44, en);
  write("dev.es", 40, 44, es);
  write("test.en", 36, 48, en);
  write("test.es", 36, 48, es);
  trainers::DataConfig data = trainers::DefaultTrainConfig().data();
  data.set_corpus_dir(dir);
  data.set_src_lang("en");
  data.set_tgt_lang("es");
  return data;
}

TEST(RunExperiment, TrainsFourModelsWritesTheReportAndResumesToTheSameNumbers) {
  const std::string dir = TempDir("experiment");
  const trainers::DataConfig data = TinyCorpus(dir);
  ExperimentOptions options;
  options.out_dir = dir + "/out";
  options.budget_steps = 6;
  options.shortlist = 20;
  options.m = 6;
  options.n = 8;
  options.n_align = 6;
  options.l = 4;
  options.batch_size = 8;
  options.threads = 1;
  options.beam = 2;
  options.validate_every = 3;
  options.bootstrap_samples = 50;
  options.heatmaps = 2;
  options.binning.min_sentences = 1;
  options.show_progress = false;
  absl::StatusOr<ExperimentReport> first = RunExperiment(options, data);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->results.size(), 4u);
  EXPECT_EQ(first->test_sentences, 12);
  EXPECT_EQ(first->differences.size(), 2u);
  for (const ModelResult& r : first->results) {
    EXPECT_EQ(r.training.updates, 6) << r.model.name;
    EXPECT_GT(r.training.dev_nll_per_token, 0) << r.model.name;
    EXPECT_GT(r.training.train_nll_per_token, 0) << r.model.name;
    EXPECT_TRUE(std::filesystem::exists(r.run_dir + "/eval/test.hyp")) << r.model.name;
    EXPECT_TRUE(std::filesystem::exists(r.run_dir + "/eval/test_no_unk.hyp")) << "decoded with UNK forbidden";
  }
  for (const std::string& file : first->files) EXPECT_TRUE(std::filesystem::exists(file)) << file;
  int heatmaps = 0;
  for (const std::string& file : first->files) heatmaps += file.find("/attention_") != std::string::npos;
  EXPECT_EQ(heatmaps, 2) << "RNNsearch-50's reordering example and one random one";
  const std::string tables = ReportTables(*first, options);
  EXPECT_NE(tables.find("| RNNsearch-50 |"), std::string::npos) << tables;
  EXPECT_NE(tables.find("RNNsearch-30 − RNNencdec-30"), std::string::npos) << tables;

  // Again on the same directory: nothing trains again, the numbers are the same.
  absl::StatusOr<ExperimentReport> second = RunExperiment(options, data);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(ReportTables(*second, options), tables);

  // A larger budget continues every run from its checkpoint.
  options.budget_steps = 9;
  absl::StatusOr<ExperimentReport> longer = RunExperiment(options, data);
  ASSERT_TRUE(longer.ok()) << longer.status();
  for (const ModelResult& r : longer->results) EXPECT_EQ(r.training.updates, 9) << r.model.name;

  // Too few test sentences for any length bin (a quick look): the report is still written,
  // without the plot.
  options.binning.min_sentences = 100;
  absl::StatusOr<ExperimentReport> few = RunExperiment(options, data);
  ASSERT_TRUE(few.ok()) << few.status();
  for (const std::string& file : few->files) EXPECT_EQ(file.find("bleu_by_length.png"), std::string::npos) << file;
  EXPECT_NE(std::find(few->files.begin(), few->files.end(), options.out_dir + "/tables.md"), few->files.end());
}

}  // namespace
}  // namespace nmt::tools
