#include "trainers/trainer.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "trainers/checkpoint.h"
#include "trainers/run_directory.h"
#include "trainers/train_config.h"

namespace nmt::trainers {
namespace {

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

TEST(Trainer, TrainsOnAnInMemoryCorpusAndDevLossFalls) {
  const TrainingData data = TinyCorpus();
  absl::StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(TinyConfig("falls", 60), data);
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

TEST(Trainer, WritesAValidationRowEveryValidateEverySteps) {
  absl::StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(TinyConfig("log", 40), TinyCorpus());
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
  absl::StatusOr<std::unique_ptr<Trainer>> straight = Trainer::Create(TinyConfig("straight", 40), data);
  ASSERT_TRUE(straight.ok()) << straight.status();
  ASSERT_TRUE((*straight)->Train().ok());

  TrainConfig first = TinyConfig("resumed", 20);
  {
    absl::StatusOr<std::unique_ptr<Trainer>> part = Trainer::Create(first, data);
    ASSERT_TRUE(part.ok()) << part.status();
    ASSERT_TRUE((*part)->Train().ok());
  }
  TrainConfig second = first;
  second.set_max_steps(40);
  absl::StatusOr<std::unique_ptr<Trainer>> resumed = Trainer::Create(second, data);
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

TEST(Trainer, AFinishedRunTrainsNoFurther) {
  const TrainConfig config = TinyConfig("finished", 20);
  const TrainingData data = TinyCorpus();
  absl::StatusOr<std::unique_ptr<Trainer>> first = Trainer::Create(config, data);
  ASSERT_TRUE(first.ok() && (*first)->Train().ok());
  absl::StatusOr<std::unique_ptr<Trainer>> again = Trainer::Create(config, data);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_TRUE((*again)->Train().ok());
  EXPECT_EQ((*again)->progress().step(), 20);
  EXPECT_EQ((*again)->tokens_per_second(), 0.0);
}

TEST(Trainer, RefusesToResumeFromACorruptCheckpointAndPointsToThePreviousOne) {
  const TrainConfig config = TinyConfig("corrupt", 40);
  const TrainingData data = TinyCorpus();
  {
    absl::StatusOr<std::unique_ptr<Trainer>> first = Trainer::Create(config, data);
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
  absl::StatusOr<std::unique_ptr<Trainer>> resumed = Trainer::Create(config, data);
  ASSERT_FALSE(resumed.ok());
  EXPECT_EQ(resumed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(resumed.status().message().find(run.checkpoint()), std::string::npos) << resumed.status();
  EXPECT_NE(resumed.status().message().find("checkpoint.prev.ckpt (step "), std::string::npos) << resumed.status();
}

TEST(Trainer, RemovesTheTemporariesOfARunKilledMidWriteAndResumes) {
  const TrainConfig config = TinyConfig("stale", 20);
  const TrainingData data = TinyCorpus();
  {
    absl::StatusOr<std::unique_ptr<Trainer>> first = Trainer::Create(config, data);
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
  absl::StatusOr<std::unique_ptr<Trainer>> resumed = Trainer::Create(longer, data);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  for (const std::string& file : stale) EXPECT_FALSE(std::filesystem::exists(file)) << file;
  EXPECT_TRUE(std::filesystem::exists(users));
  EXPECT_EQ((*resumed)->progress().step(), 20);
  ASSERT_TRUE((*resumed)->Train().ok());
  EXPECT_EQ((*resumed)->progress().step(), 25);
}

TEST(Trainer, RefusesAConfigWithoutRunDirOrBatchSize) {
  TrainConfig no_dir = TinyConfig("bad", 1);
  no_dir.clear_run_dir();
  EXPECT_EQ(Trainer::Create(no_dir, TinyCorpus()).status().code(), absl::StatusCode::kInvalidArgument);
  TrainConfig no_batch = TinyConfig("bad", 1);
  no_batch.mutable_data()->set_batch_size(0);
  EXPECT_EQ(Trainer::Create(no_batch, TinyCorpus()).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nmt::trainers
