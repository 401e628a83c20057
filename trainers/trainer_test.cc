#include "trainers/trainer.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ops/test_context.h"
#include "trainers/checkpoint.h"
#include "trainers/clip.h"
#include "trainers/optimizer_checkpoint.h"
#include "trainers/run_directory.h"
#include "trainers/train_config.h"

namespace nmt::trainers {
namespace {

using ::testing::HasSubstr;

// Numbered phrases and their word-reordered "translations": learnable in a few dozen steps.
TrainingData TinyCorpus() {
  const std::vector<std::string> words = {"house", "water", "light", "earth", "day", "night", "king", "city"};
  const std::vector<std::string> palabras = {"casa", "agua", "luz", "tierra", "dia", "noche", "rey", "ciudad"};
  TrainingData data;
  for (int i = 0; i < 96; ++i) {
    const int a = i % 8, b = (i / 8 + i) % 8;
    datasets::SentencePair pair{absl::StrCat("the ", words[a], " of the ", words[b]),
                                absl::StrCat("la ", palabras[b], " de la ", palabras[a]), i + 1};
    (i % 8 == 7 ? data.dev : data.train).push_back(pair);
  }
  return data;
}

TrainConfig TinyConfig(const std::string& name, int64_t max_steps) {
  TrainConfig c = DefaultTrainConfig();
  DataConfig& d = *c.mutable_data();
  d.set_vocabulary(DataConfig::WORDS);
  d.set_src_vocab_size(50);
  d.set_tgt_vocab_size(50);
  d.set_batch_size(8);
  d.set_batches_per_chunk(4);
  models::ModelConfig& m = *c.mutable_model();
  m.set_m(8);
  m.set_n(12);
  m.set_n_align(8);
  m.set_l(6);
  c.mutable_optimizer()->mutable_adam()->set_lr(1e-2);
  c.set_max_steps(max_steps);
  c.set_max_minutes(0);
  c.set_validate_every(20);
  c.set_checkpoint_every(20);
  c.set_checkpoint_minutes(0);
  c.set_threads(1);
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  std::filesystem::remove_all(dir);
  c.set_run_dir(dir);
  return c;
}

std::vector<datasets::Example> Encode(const Trainer& t, const std::vector<datasets::SentencePair>& pairs) {
  std::vector<datasets::Example> out;
  for (const auto& p : pairs) out.push_back({t.src_codec().Encode(p.source), t.tgt_codec().Encode(p.target)});
  return out;
}

// Every parameter's values as bytes: equal means bit for bit, NaNs included.
std::vector<std::string> ParameterBytes(Trainer& t) {
  std::vector<std::string> bytes;
  for (const auto& [name, p] : t.model().NamedParameters()) {
    bytes.emplace_back(reinterpret_cast<const char*>(p->value().data()), p->value().size() * sizeof(float));
  }
  return bytes;
}

std::string OptimizerBytes(const Trainer& t) {
  absl::StatusOr<OptimizerCheckpoint> state = SaveOptimizer(t.optimizer(), t.config().optimizer());
  return state.ok() ? state->SerializeAsString() : "";
}

// The rows of train_log.csv of one kind, split at the commas.
std::vector<std::vector<std::string>> LogRows(const Trainer& t, const std::string& kind) {
  std::ifstream log(t.run().train_log());
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(log, line);) {
    std::vector<std::string> row = absl::StrSplit(line, ',');
    if (row[0] == kind) rows.push_back(row);
  }
  return rows;
}

void Poison(Parameter& p) {
  std::fill(p.value().data(), p.value().data() + p.value().size(), std::numeric_limits<float>::quiet_NaN());
}

TEST(Trainer, TrainsOnAnInMemoryCorpusAndDevLossFalls) {
  const TrainingData data = TinyCorpus();
  absl::StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(TinyConfig("falls", 60), data, TestContext());
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  Trainer& t = **trainer;
  const std::vector<datasets::Example> dev = Encode(t, data.dev);
  const double before = t.DevLoss(dev);
  ASSERT_TRUE(t.Train().ok());
  EXPECT_EQ(t.progress().step(), 60);
  EXPECT_EQ(t.progress().skipped_steps(), 0);
  EXPECT_LT(t.DevLoss(dev), 0.8 * before);
  EXPECT_TRUE(std::filesystem::exists(t.run().checkpoint()));
  EXPECT_TRUE(std::filesystem::exists(t.run().best()));
  EXPECT_TRUE(ReadRunConfig(t.run()).ok());
}

TEST(Trainer, MaxGradNormZeroTrainsWithoutClipping) {
  TrainConfig config = TinyConfig("noclip", 20);
  config.set_max_grad_norm(0);
  absl::StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(config, TinyCorpus(), TestContext());
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  ASSERT_TRUE((*trainer)->Train().ok());
  EXPECT_EQ((*trainer)->progress().step(), 20);
}

TEST(Trainer, WritesAValidationRowEveryValidateEverySteps) {
  absl::StatusOr<std::unique_ptr<Trainer>> trainer =
      Trainer::Create(TinyConfig("log", 40), TinyCorpus(), TestContext());
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  ASSERT_TRUE((*trainer)->Train().ok());
  std::ifstream log((*trainer)->run().train_log());
  std::string line;
  std::vector<std::string> kinds;
  while (std::getline(log, line)) kinds.push_back(std::vector<std::string>(absl::StrSplit(line, ','))[0]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"kind", "validation", "validation", "final"}));
}

TEST(Trainer, ResumedRunEndsWhereAnUninterruptedOneDoes) {
  const TrainingData data = TinyCorpus();
  absl::StatusOr<std::unique_ptr<Trainer>> straight = Trainer::Create(TinyConfig("straight", 40), data, TestContext());
  ASSERT_TRUE(straight.ok()) << straight.status();
  ASSERT_TRUE((*straight)->Train().ok());

  TrainConfig first = TinyConfig("resumed", 20);
  {
    absl::StatusOr<std::unique_ptr<Trainer>> part = Trainer::Create(first, data, TestContext());
    ASSERT_TRUE(part.ok()) << part.status();
    ASSERT_TRUE((*part)->Train().ok());
  }
  TrainConfig second = first;
  second.set_max_steps(40);
  absl::StatusOr<std::unique_ptr<Trainer>> resumed = Trainer::Create(second, data, TestContext());
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ((*resumed)->progress().step(), 20);
  ASSERT_TRUE((*resumed)->Train().ok());
  EXPECT_EQ((*resumed)->progress().step(), 40);
  // Both end by loading their best dev parameters; compare the last checkpoints instead.
  absl::StatusOr<Checkpoint> a = ReadCheckpoint((*straight)->run().checkpoint(), (*straight)->config().model());
  absl::StatusOr<Checkpoint> b = ReadCheckpoint((*resumed)->run().checkpoint(), (*resumed)->config().model());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->parameters().SerializeAsString(), b->parameters().SerializeAsString());
  EXPECT_EQ(a->optimizer().SerializeAsString(), b->optimizer().SerializeAsString());
  EXPECT_EQ(a->data_position(), b->data_position());
}

TEST(Trainer, PatienceCountsOnAcrossAResume) {
  // With lr 0 nothing moves, so no validation after the first improves on it.
  TrainConfig config = TinyConfig("patience", 10);
  config.mutable_optimizer()->mutable_adam()->set_lr(0);
  config.set_validate_every(5);
  config.set_patience(3);
  const TrainingData data = TinyCorpus();
  {
    absl::StatusOr<std::unique_ptr<Trainer>> first = Trainer::Create(config, data, TestContext());
    ASSERT_TRUE(first.ok() && (*first)->Train().ok());
    EXPECT_EQ((*first)->progress().validations_without_improvement(), 1);
  }
  config.set_max_steps(100);
  absl::StatusOr<std::unique_ptr<Trainer>> resumed = Trainer::Create(config, data, TestContext());
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_TRUE((*resumed)->Train().ok());
  EXPECT_EQ((*resumed)->progress().step(), 20) << "validations at 5 (best), 10, 15, 20: the third without improvement";
}

TEST(Trainer, AFinishedRunTrainsNoFurther) {
  const TrainConfig config = TinyConfig("finished", 20);
  const TrainingData data = TinyCorpus();
  absl::StatusOr<std::unique_ptr<Trainer>> first = Trainer::Create(config, data, TestContext());
  ASSERT_TRUE(first.ok() && (*first)->Train().ok());
  absl::StatusOr<std::unique_ptr<Trainer>> again = Trainer::Create(config, data, TestContext());
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_TRUE((*again)->Train().ok());
  EXPECT_EQ((*again)->progress().step(), 20);
  EXPECT_EQ((*again)->tokens_per_second(), 0.0);
}

TEST(Trainer, RefusesToResumeFromACorruptCheckpointAndPointsToThePreviousOne) {
  const TrainConfig config = TinyConfig("corrupt", 40);
  const TrainingData data = TinyCorpus();
  {
    absl::StatusOr<std::unique_ptr<Trainer>> first = Trainer::Create(config, data, TestContext());
    ASSERT_TRUE(first.ok() && (*first)->Train().ok());
  }
  const RunDirectory run(config.run_dir());
  std::string bytes;
  {
    std::ifstream in(run.checkpoint(), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[bytes.size() / 2] ^= 0x20;
  std::ofstream(run.checkpoint(), std::ios::binary | std::ios::trunc) << bytes;
  absl::StatusOr<std::unique_ptr<Trainer>> resumed = Trainer::Create(config, data, TestContext());
  ASSERT_FALSE(resumed.ok());
  EXPECT_EQ(resumed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(resumed.status().message().find(run.checkpoint()), std::string::npos) << resumed.status();
  EXPECT_NE(resumed.status().message().find("checkpoint.prev.ckpt (step "), std::string::npos) << resumed.status();
}

TEST(Trainer, RemovesTheTemporariesOfARunKilledMidWriteAndResumes) {
  const TrainConfig config = TinyConfig("stale", 20);
  const TrainingData data = TinyCorpus();
  {
    absl::StatusOr<std::unique_ptr<Trainer>> first = Trainer::Create(config, data, TestContext());
    ASSERT_TRUE(first.ok() && (*first)->Train().ok());
  }
  // What SIGKILLs during the atomic writes leave, and a file of the user's.
  const RunDirectory run(config.run_dir());
  const std::vector<std::string> stale = {
      run.checkpoint() + ".tmp.Ab12Cd", PreviousCheckpointPath(run.checkpoint()) + ".link", run.best() + ".tmp.x9Y8z7",
      run.config() + ".tmp.000aaa", run.source_vocabulary() + ".words.tmp.QQQQQQ"};
  for (const std::string& file : stale) std::ofstream(file) << "half written";
  const std::string users = run.dir() + "/notes.tmp.Ab12Cd";
  std::ofstream(users) << "not the trainer's";

  TrainConfig longer = config;
  longer.set_max_steps(25);
  absl::StatusOr<std::unique_ptr<Trainer>> resumed = Trainer::Create(longer, data, TestContext());
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  for (const std::string& file : stale) EXPECT_FALSE(std::filesystem::exists(file)) << file;
  EXPECT_TRUE(std::filesystem::exists(users));
  EXPECT_EQ((*resumed)->progress().step(), 20);
  ASSERT_TRUE((*resumed)->Train().ok());
  EXPECT_EQ((*resumed)->progress().step(), 25);
}

TEST(Trainer, NonFiniteStepsAreSkippedNamedAndStopTrainingAfterTheLimit) {
  const TrainingData data = TinyCorpus();
  TrainConfig config = TinyConfig("nan_stop", 10);
  {
    absl::StatusOr<std::unique_ptr<Trainer>> first = Trainer::Create(config, data, TestContext());
    ASSERT_TRUE(first.ok() && (*first)->Train().ok());
  }
  config.set_max_steps(30);
  config.set_checkpoint_every(1);
  config.set_max_consecutive_skipped_steps(3);
  absl::StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(config, data, TestContext());
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  Trainer& t = **trainer;
  ASSERT_EQ(t.progress().step(), 10);
  const std::vector<std::string> good = ParameterBytes(t);
  // Every loss and gradient from here on is NaN.
  Poison(*t.model().NamedParameters()[0].second);
  const std::vector<std::string> poisoned = ParameterBytes(t);
  const std::string optimizer_state = OptimizerBytes(t);
  const int64_t optimizer_steps = t.optimizer().step_count();

  testing::internal::CaptureStderr();
  const absl::Status status = t.Train();
  const std::string stderr_text = testing::internal::GetCapturedStderr();

  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_THAT(status.message(), HasSubstr("3 consecutive steps (11 to 13) were skipped"));
  EXPECT_THAT(status.message(), HasSubstr("(max_consecutive_skipped_steps: 3)"));
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat(t.run().checkpoint(), " (step 10), predates them")));
  EXPECT_EQ(t.progress().step(), 13);
  EXPECT_EQ(t.progress().skipped_steps(), 3);
  // Nothing moved: the parameters (poison and all) and the optimizer state.
  EXPECT_EQ(ParameterBytes(t), poisoned);
  EXPECT_EQ(OptimizerBytes(t), optimizer_state);
  EXPECT_EQ(t.optimizer().step_count(), optimizer_steps);

  // The last step's grads are still in place: the report names their first non-finite one.
  const std::optional<NonFiniteGrad> culprit = FirstNonFiniteGrad(t.model().NamedParameters());
  ASSERT_TRUE(culprit.has_value());
  const std::string cause = absl::StrCat("first non-finite gradient: ", culprit->parameter, " element ");
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("at step 13, ", cause)));
  for (int step : {11, 12, 13}) {
    EXPECT_THAT(stderr_text,
                HasSubstr(absl::StrCat("step ", step, ": update skipped (loss nan, gradient norm nan); ", cause)));
  }
  EXPECT_THAT(stderr_text, HasSubstr("3 in a row, training stops at 3"));
  const std::vector<std::vector<std::string>> skipped = LogRows(t, "skipped");
  ASSERT_EQ(skipped.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(skipped[i][1], absl::StrCat(11 + i));
    EXPECT_THAT(skipped[i].back(), HasSubstr(cause));
  }

  // No checkpoint was written during the streak: the one on disk is step 10's, unpoisoned.
  absl::StatusOr<Checkpoint> on_disk = ReadCheckpoint(t.run().checkpoint(), t.config().model());
  ASSERT_TRUE(on_disk.ok()) << on_disk.status();
  EXPECT_EQ(on_disk->progress().step(), 10);
  ASSERT_EQ(on_disk->parameters().tensors_size(), static_cast<int>(good.size()));
  for (size_t i = 0; i < good.size(); ++i) EXPECT_EQ(on_disk->parameters().tensors(i).tensor().data(), good[i]);
}

TEST(Trainer, StopsAfterTenSkippedStepsByDefaultAndNeverWithZero) {
  const TrainingData data = TinyCorpus();
  absl::StatusOr<std::unique_ptr<Trainer>> by_default =
      Trainer::Create(TinyConfig("nan_default", 30), data, TestContext());
  ASSERT_TRUE(by_default.ok()) << by_default.status();
  Poison(*(*by_default)->model().NamedParameters()[0].second);
  testing::internal::CaptureStderr();
  const absl::Status status = (*by_default)->Train();
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_THAT(status.message(), HasSubstr("10 consecutive steps (1 to 10) were skipped"));
  EXPECT_THAT(status.message(), HasSubstr("(max_consecutive_skipped_steps: 10)"));
  EXPECT_THAT(status.message(), HasSubstr("no checkpoint was written before them"));
  EXPECT_EQ((*by_default)->progress().skipped_steps(), 10);
  EXPECT_FALSE(std::filesystem::exists((*by_default)->run().checkpoint()));

  TrainConfig never = TinyConfig("nan_never", 12);
  never.set_max_consecutive_skipped_steps(0);
  absl::StatusOr<std::unique_ptr<Trainer>> endless = Trainer::Create(never, data, TestContext());
  ASSERT_TRUE(endless.ok()) << endless.status();
  Poison(*(*endless)->model().NamedParameters()[0].second);
  testing::internal::CaptureStderr();
  const absl::Status finished = (*endless)->Train();
  testing::internal::GetCapturedStderr();
  EXPECT_TRUE(finished.ok()) << finished;
  EXPECT_EQ((*endless)->progress().step(), 12);
  EXPECT_EQ((*endless)->progress().skipped_steps(), 12);
}

TEST(Trainer, OneBadBatchAmongGoodOnesIsSkippedEachEpochWithoutStopping) {
  // One training pair holds a word no other has, and its embedding row is poisoned:
  // the one batch of each epoch that holds it is skipped, the others are applied.
  TrainingData data = TinyCorpus();
  data.train.push_back({"the zebra of the house", "la casa de la cebra", 1000});
  TrainConfig config = TinyConfig("nan_once", 45);
  config.set_max_consecutive_skipped_steps(2);
  absl::StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(config, data, TestContext());
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  Trainer& t = **trainer;
  const int32_t zebra = t.src_codec().Encode("zebra")[0];
  Parameter* embedding = nullptr;
  for (const auto& [name, p] : t.model().NamedParameters()) {
    if (name == "src_embedding") embedding = p;
  }
  ASSERT_NE(embedding, nullptr);
  const int64_t width = embedding->value().shape()[1];
  std::fill(embedding->value().data() + zebra * width, embedding->value().data() + (zebra + 1) * width,
            std::numeric_limits<float>::quiet_NaN());

  testing::internal::CaptureStderr();
  const absl::Status status = t.Train();
  testing::internal::GetCapturedStderr();
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(t.progress().step(), 45);
  // More skipped steps than the limit: the count starts over after every applied step.
  EXPECT_GT(t.progress().skipped_steps(), config.max_consecutive_skipped_steps());
  EXPECT_LT(t.progress().skipped_steps(), 10);
  const std::vector<std::vector<std::string>> skipped = LogRows(t, "skipped");
  EXPECT_EQ(static_cast<int64_t>(skipped.size()), t.progress().skipped_steps());
  for (const std::vector<std::string>& row : skipped) {
    EXPECT_THAT(row.back(), HasSubstr("first non-finite gradient: src_embedding element ")) << row.back();
  }
  EXPECT_TRUE(std::isfinite(t.DevLoss(Encode(t, data.dev))));
}

TEST(Trainer, RefusesANegativeSkippedStepLimit) {
  TrainConfig config = TinyConfig("bad_limit", 1);
  config.set_max_consecutive_skipped_steps(-1);
  const absl::Status status = Trainer::Create(config, TinyCorpus(), TestContext()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("max_consecutive_skipped_steps"));
}

TEST(Trainer, RefusesAConfigWithoutRunDirOrBatchSize) {
  TrainConfig no_dir = TinyConfig("bad", 1);
  no_dir.clear_run_dir();
  EXPECT_EQ(Trainer::Create(no_dir, TinyCorpus(), TestContext()).status().code(), absl::StatusCode::kInvalidArgument);
  TrainConfig no_batch = TinyConfig("bad", 1);
  no_batch.mutable_data()->set_batch_size(0);
  EXPECT_EQ(Trainer::Create(no_batch, TinyCorpus(), TestContext()).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nmt::trainers
