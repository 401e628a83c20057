#include "trainers/train_config.h"

#include <string>

#include "gtest/gtest.h"

namespace nmt::trainers {
namespace {

TrainConfig Merged(const std::string& text) {
  TrainConfig config = DefaultTrainConfig();
  const absl::Status status = MergeTrainConfigText(text, "test.textproto", config);
  EXPECT_TRUE(status.ok()) << status;
  return config;
}

std::string Invalid(const std::string& text) {
  const absl::Status status = ValidateTrainConfig(Merged(text));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
  return std::string(status.message());
}

TEST(TrainConfig, BothPresetsAreValid) {
  EXPECT_TRUE(ValidateTrainConfig(DefaultTrainConfig()).ok()) << ValidateTrainConfig(DefaultTrainConfig());
  TrainConfig paper = DefaultTrainConfig();
  ApplyPaperPreset(paper);
  EXPECT_TRUE(ValidateTrainConfig(paper).ok()) << ValidateTrainConfig(paper);
  EXPECT_EQ(paper.max_steps(), 0) << "the paper preset trains until stopped";
  EXPECT_EQ(paper.max_minutes(), 0);
}

TEST(TrainConfig, AZeroInTheTextMeansZero) {
  const TrainConfig c = Merged(
      "max_grad_norm: 0 max_minutes: 0 validate_every: 0 patience: 0 "
      "checkpoint_minutes: 0 data { max_length: 0 }");
  EXPECT_EQ(c.max_grad_norm(), 0);
  EXPECT_EQ(c.max_minutes(), 0);
  EXPECT_EQ(c.validate_every(), 0);
  EXPECT_EQ(c.patience(), 0);
  EXPECT_EQ(c.checkpoint_minutes(), 0);
  EXPECT_EQ(c.data().max_length(), 0);
  EXPECT_TRUE(ValidateTrainConfig(c).ok());
}

TEST(TrainConfig, FieldsTheTextDoesNotSetKeepThePresets) {
  const TrainConfig c = Merged("data { batch_size: 8 } model { n: 12 }");
  EXPECT_EQ(c.data().batch_size(), 8);
  EXPECT_EQ(c.data().corpus_dir(), DefaultTrainConfig().data().corpus_dir());
  EXPECT_EQ(c.data().src_vocab_size(), 0) << "left to the corpus rule";
  EXPECT_FALSE(c.model().has_dropout());
  EXPECT_FALSE(c.has_label_smoothing());
  EXPECT_EQ(c.model().n(), 12);
  EXPECT_EQ(c.model().m(), 128);
  EXPECT_EQ(c.max_steps(), 1800);
  EXPECT_EQ(c.max_minutes(), 0);
  EXPECT_TRUE(c.optimizer().has_adam());
}

TEST(TrainConfig, AnOptimizerInTheTextReplacesThePresetsOne) {
  const TrainConfig c = Merged("optimizer { adadelta { } }");
  EXPECT_TRUE(c.optimizer().has_adadelta());
  EXPECT_FALSE(c.optimizer().has_adam());
  EXPECT_EQ(Merged("optimizer { adam { beta2: 0.98 } }").optimizer().adam().lr(), 2e-3);
}

TEST(TrainConfig, SyntaxErrorsAndUnknownFieldsNameTheFileLineAndColumn) {
  TrainConfig config = DefaultTrainConfig();
  const absl::Status unknown = MergeTrainConfigText("max_steps: 3\nmax_stepz: 3\n", "run.textproto", config);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.message().substr(0, 18), "run.textproto:2:10") << unknown;
  EXPECT_NE(unknown.message().find("max_stepz"), std::string::npos);
  EXPECT_EQ(config.max_steps(), DefaultTrainConfig().max_steps()) << "a failed merge changes nothing";
  EXPECT_FALSE(ParseTrainConfig("data { batch_size: ", "x").ok());
  EXPECT_FALSE(ParseTrainConfig("data { vocabulary: LETTERS }", "x").ok());
}

TEST(TrainConfig, EveryOutOfRangeValueIsRefusedWithItsFieldValueAndRule) {
  EXPECT_EQ(Invalid("max_grad_norm: -1"), "invalid configuration: max_grad_norm = -1: must be >= 0 (0: no clipping)");
  EXPECT_EQ(Invalid("data { batch_size: -3 }"), "invalid configuration: data.batch_size = -3: must be > 0");
  EXPECT_NE(Invalid("optimizer { adam { lr: -1 } }").find("optimizer: Adam: invalid options lr=-1"), std::string::npos);
  EXPECT_NE(Invalid("optimizer { adadelta { rho: 1.5 } }").find("optimizer: Adadelta"), std::string::npos);
  EXPECT_NE(Invalid("patience: -1").find("patience = -1"), std::string::npos);
  EXPECT_NE(Invalid("validate_every: -5").find("validate_every = -5"), std::string::npos);
  EXPECT_NE(Invalid("max_minutes: -1").find("max_minutes = -1"), std::string::npos);
  EXPECT_NE(Invalid("max_steps: -1").find("max_steps = -1"), std::string::npos);
  EXPECT_NE(Invalid("precision: \"fp8\"").find("precision: precision \"fp8\": expected f32, bf16 or auto"),
            std::string::npos);
  EXPECT_NE(Invalid("threads: 0").find("threads = 0"), std::string::npos);
  EXPECT_NE(Invalid("max_consecutive_skipped_steps: -1").find("max_consecutive_skipped_steps = -1"), std::string::npos);
  EXPECT_NE(Invalid("beam_size: 0").find("beam_size = 0"), std::string::npos);
  EXPECT_NE(Invalid("run_dir: ''").find("run_dir is empty"), std::string::npos);
  EXPECT_NE(Invalid("model { n: 0 }").find("model.n = 0"), std::string::npos);
  EXPECT_NE(Invalid("model { kind: KIND_UNSPECIFIED }").find("model.kind = 0"), std::string::npos);
  EXPECT_NE(Invalid("data { vocabulary: VOCABULARY_UNSPECIFIED }").find("data.vocabulary"), std::string::npos);
  EXPECT_NE(Invalid("data { vocabulary: SUBWORDS src_vocab_size: 3 }").find("data.src_vocab_size = 3"),
            std::string::npos);
  EXPECT_NE(Invalid("data { batches_per_chunk: 0 }").find("data.batches_per_chunk = 0"), std::string::npos);
  EXPECT_NE(Invalid("data { src_lang: '' }").find("data.src_lang is empty"), std::string::npos);
  EXPECT_EQ(Invalid("model { dropout: 1 }"), "invalid configuration: model.dropout = 1: must be in [0, 1) (0: off)");
  EXPECT_NE(Invalid("model { dropout: -0.1 }").find("model.dropout = -0.1"), std::string::npos);
  EXPECT_NE(Invalid("model { dropout_rnn: 1.5 }").find("model.dropout_rnn = 1.5"), std::string::npos);
  EXPECT_NE(Invalid("model { dropout_src: 1 }").find("model.dropout_src = 1"), std::string::npos);
  EXPECT_NE(Invalid("model { dropout_tgt: -1 }").find("model.dropout_tgt = -1"), std::string::npos);
  EXPECT_NE(Invalid("label_smoothing: 1").find("label_smoothing = 1: must be in [0, 1)"), std::string::npos);
  EXPECT_NE(Invalid("label_smoothing: nan").find("label_smoothing = nan"), std::string::npos);
  EXPECT_NE(Invalid("data { src_vocab_size: -1 }").find("data.src_vocab_size = -1"), std::string::npos);
  EXPECT_TRUE(ValidateTrainConfig(Merged("model { dropout: 0 dropout_rnn: 0.99 } label_smoothing: 0")).ok());
}

TEST(CorpusDefaults, VocabularySizesFollowTheCorpusRule) {
  // Pieces: distinct / 3 rounded to 500, in [1000, 8000].
  EXPECT_EQ(CorpusVocabularySize(DataConfig::SUBWORDS, 10), 1000);
  EXPECT_EQ(CorpusVocabularySize(DataConfig::SUBWORDS, 5539), 2000);   // 2,000 Bible verses, English
  EXPECT_EQ(CorpusVocabularySize(DataConfig::SUBWORDS, 9660), 3000);   // 5,500 verses, English (3,220)
  EXPECT_EQ(CorpusVocabularySize(DataConfig::SUBWORDS, 14375), 5000);  // 5,500 verses, Spanish (4,792)
  EXPECT_EQ(CorpusVocabularySize(DataConfig::SUBWORDS, 29749), 8000);  // the whole Bible corpus, English
  EXPECT_EQ(CorpusVocabularySize(DataConfig::SUBWORDS, 50160), 8000);  // and Spanish
  EXPECT_EQ(CorpusVocabularySize(DataConfig::SUBWORDS, 10000000), 8000);
  // Shortlists: distinct / 2 rounded to 500, in [1000, 30000].
  EXPECT_EQ(CorpusVocabularySize(DataConfig::WORDS, 10), 1000);
  EXPECT_EQ(CorpusVocabularySize(DataConfig::WORDS, 9660), 5000);
  EXPECT_EQ(CorpusVocabularySize(DataConfig::WORDS, 50160), 25000);
  EXPECT_EQ(CorpusVocabularySize(DataConfig::WORDS, 10000000), 30000);
}

TrainConfig Resolved(TrainConfig config, int64_t pairs) {
  ApplyCorpusDefaults({.pairs = pairs, .source_words = 9660, .target_words = 14375}, config);
  return config;
}

TEST(CorpusDefaults, ASmallCorpusIsRegularisedAndALargeOneIsNot) {
  for (int64_t pairs : {int64_t{1}, int64_t{100}, int64_t{5500}, kSmallCorpusPairs - 1}) {
    const TrainConfig c = Resolved(DefaultTrainConfig(), pairs);
    EXPECT_EQ(c.model().dropout(), kSmallCorpusDropout) << pairs;
    EXPECT_EQ(c.model().dropout_rnn(), kSmallCorpusDropoutRnn) << pairs;
    EXPECT_EQ(c.model().dropout_src(), kSmallCorpusWordDropout) << pairs;
    EXPECT_EQ(c.model().dropout_tgt(), kSmallCorpusWordDropout) << pairs;
    EXPECT_EQ(c.label_smoothing(), kSmallCorpusLabelSmoothing) << pairs;
    EXPECT_EQ(c.data().src_vocab_size(), 3000);
    EXPECT_EQ(c.data().tgt_vocab_size(), 5000);
    EXPECT_TRUE(ValidateTrainConfig(c).ok()) << ValidateTrainConfig(c);
  }
  for (int64_t pairs : {kSmallCorpusPairs, int64_t{28132}, int64_t{4000000}}) {
    const TrainConfig c = Resolved(DefaultTrainConfig(), pairs);
    EXPECT_TRUE(c.model().has_dropout() && c.has_label_smoothing()) << "set, so the run's config says what ran";
    EXPECT_EQ(c.model().dropout(), 0.0f) << pairs;
    EXPECT_EQ(c.model().dropout_rnn(), 0.0f) << pairs;
    EXPECT_EQ(c.model().dropout_src(), 0.0f) << pairs;
    EXPECT_EQ(c.model().dropout_tgt(), 0.0f) << pairs;
    EXPECT_EQ(c.label_smoothing(), 0.0f) << pairs;
  }
}

TEST(CorpusDefaults, ExplicitValuesWin) {
  TrainConfig config =
      Merged("data { src_vocab_size: 700 } model { dropout: 0 dropout_tgt: 0.25 } label_smoothing: 0.2");
  const std::string recipe = ApplyCorpusDefaults({.pairs = 100, .source_words = 9660, .target_words = 14375}, config);
  EXPECT_EQ(config.data().src_vocab_size(), 700);
  EXPECT_EQ(config.data().tgt_vocab_size(), 5000);
  EXPECT_EQ(config.model().dropout(), 0.0f) << "an explicit 0 is not unset";
  EXPECT_EQ(config.model().dropout_rnn(), kSmallCorpusDropoutRnn);
  EXPECT_EQ(config.model().dropout_tgt(), 0.25f);
  EXPECT_EQ(config.label_smoothing(), 0.2f);
  EXPECT_NE(recipe.find("700 (given)"), std::string::npos) << recipe;
  EXPECT_NE(recipe.find("5000 (14375 distinct words / 3)"), std::string::npos) << recipe;
  EXPECT_NE(recipe.find("dropout 0, dropout_tgt 0.25, label_smoothing 0.2 (given)"), std::string::npos) << recipe;
  EXPECT_NE(recipe.find("dropout_rnn 0.2, dropout_src 0.1 (by corpus size)"), std::string::npos) << recipe;
  EXPECT_NE(recipe.find("100 training pairs, a small corpus"), std::string::npos) << recipe;
}

TEST(CorpusDefaults, ThePaperPresetHasNoRegularisationOnAnyCorpus) {
  TrainConfig paper = DefaultTrainConfig();
  ApplyPaperPreset(paper);
  const TrainConfig c = Resolved(paper, 100);
  EXPECT_EQ(c.model().dropout(), 0.0f);
  EXPECT_EQ(c.model().dropout_rnn(), 0.0f);
  EXPECT_EQ(c.model().dropout_src(), 0.0f);
  EXPECT_EQ(c.model().dropout_tgt(), 0.0f);
  EXPECT_EQ(c.label_smoothing(), 0.0f);
  EXPECT_EQ(c.data().src_vocab_size(), 30000);
}

TEST(TrainConfig, ScheduleValidationAndDecodingFieldsAreChecked) {
  EXPECT_NE(Invalid("lr_warmup_steps: -1").find("lr_warmup_steps = -1: must be >= 0"), std::string::npos);
  EXPECT_NE(Invalid("lr_decay_inv_sqrt_steps: -4").find("lr_decay_inv_sqrt_steps = -4"), std::string::npos);
  EXPECT_NE(Invalid("lr_decay_linear_steps: -1").find("lr_decay_linear_steps = -1: must be >= 0"), std::string::npos);
  EXPECT_NE(Invalid("max_steps: 100 lr_decay_linear_steps: 101")
                .find("lr_decay_linear_steps = 101: must be at most "
                      "max_steps (100)"),
            std::string::npos);
  EXPECT_NE(Invalid("max_steps: 0 lr_decay_linear_steps: 5").find("must be at most max_steps (0)"), std::string::npos);
  EXPECT_NE(
      Invalid("lr_plateau_factor: 1.5 lr_plateau_validations: 2").find("lr_plateau_factor = 1.5: must be in (0, 1)"),
      std::string::npos);
  EXPECT_NE(Invalid("lr_plateau_factor: -0.5").find("lr_plateau_factor = -0.5"), std::string::npos);
  EXPECT_NE(Invalid("lr_plateau_factor: 0.5").find("lr_plateau_validations = 0: must be > 0 with lr_plateau_factor"),
            std::string::npos);
  EXPECT_NE(Invalid("lr_plateau_factor: 0.5 lr_plateau_validations: 2 validate_every: 0").find("validate_every = 0"),
            std::string::npos);
  EXPECT_NE(Invalid("lr_plateau_validations: 3").find("lr_plateau_validations = 3: needs lr_plateau_factor"),
            std::string::npos);
  EXPECT_NE(Invalid("valid_metric: BLEU dev_bleu_sentences: 0")
                .find("dev_bleu_sentences = 0: must be > 0 with valid_metric BLEU"),
            std::string::npos);
  EXPECT_NE(Invalid("dev_bleu_sentences: -1").find("dev_bleu_sentences = -1"), std::string::npos);
  EXPECT_NE(Invalid("dev_bleu_beam: 0").find("dev_bleu_beam = 0: must be > 0"), std::string::npos);
  EXPECT_NE(Invalid("length_penalty: -0.2 length_norm: false").find("length_penalty = -0.2"), std::string::npos);
  EXPECT_NE(Invalid("coverage_penalty: -1").find("coverage_penalty = -1"), std::string::npos);
  EXPECT_NE(Invalid("length_penalty: 0.6").find("length_penalty = 0.6: replaces length_norm"), std::string::npos);
}

TEST(TrainConfig, TheNewOptionsInRangeAreAccepted) {
  TrainConfig config = DefaultTrainConfig();
  ASSERT_TRUE(MergeTrainConfigText("lr_warmup_steps: 100 lr_decay_inv_sqrt_steps: 100 lr_plateau_factor: 0.5 "
                                   "lr_plateau_validations: 2 valid_metric: BLEU dev_bleu_sentences: 50 "
                                   "dev_bleu_beam: 4 length_norm: false length_penalty: 0.6 coverage_penalty: 0.2",
                                   "t", config)
                  .ok());
  EXPECT_TRUE(ValidateTrainConfig(config).ok()) << ValidateTrainConfig(config);
  // The default run: no schedule, keep-best by dev loss, dev BLEU shown, decoding as before.
  const TrainConfig defaults = DefaultTrainConfig();
  EXPECT_EQ(defaults.lr_warmup_steps(), 0);
  EXPECT_EQ(defaults.lr_decay_inv_sqrt_steps(), 0);
  EXPECT_EQ(defaults.lr_plateau_factor(), 0);
  EXPECT_NE(defaults.valid_metric(), TrainConfig::BLEU);
  EXPECT_GT(defaults.dev_bleu_sentences(), 0);
  EXPECT_EQ(defaults.length_penalty(), 0);
  EXPECT_EQ(defaults.coverage_penalty(), 0);
}

TEST(TrainConfig, ReportsEveryProblemAtOnce) {
  const std::string message = Invalid("threads: 0 beam_size: 0 max_grad_norm: -2");
  EXPECT_NE(message.find("threads = 0"), std::string::npos);
  EXPECT_NE(message.find("beam_size = 0"), std::string::npos);
  EXPECT_NE(message.find("max_grad_norm = -2"), std::string::npos);
}

}  // namespace
}  // namespace nmt::trainers
