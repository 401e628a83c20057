#include "trainers/checkpoint.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "autograd/tensor.h"
#include "autograd/tensor_codec.h"
#include "base/atomic_file.h"
#include "gtest/gtest.h"

namespace nmt::trainers {
namespace {

Checkpoint SmallCheckpoint(float scale) {
  Checkpoint c;
  c.set_format_version(kCheckpointFormatVersion);
  c.set_model_kind("SOME_MODEL");
  models::ModelConfig config;
  config.set_n(4);
  c.set_model_config(config.SerializeAsString());
  NamedTensorList tensors;
  tensors.emplace_back("decoder.W_o", Tensor::FromVector({2, 3}, {1 * scale, 2, 3, 4, 5, 6}));
  tensors.emplace_back("encoder.E", Tensor::FromVector({3}, {-1, 0.5f * scale, 7}));
  *c.mutable_parameters() = *NamedTensorsToProto(tensors);
  c.mutable_optimizer()->set_step_count(17);
  c.set_max_grad_norm(1.0);
  c.mutable_progress()->set_step(42);
  c.set_data_position("position bytes");
  return c;
}

std::string TempPath(const std::string& name) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/checkpoint_test");
  std::filesystem::create_directories(dir);
  return absl::StrCat(dir, "/", name);
}

TEST(Checkpoint, RoundTripsThroughItsFileFormat) {
  const Checkpoint original = SmallCheckpoint(1);
  absl::StatusOr<Checkpoint> back = ParseCheckpoint(SerializeCheckpoint(original), "mem");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->SerializeAsString(), original.SerializeAsString());
}

TEST(Checkpoint, EveryChangedByteIsRefused) {
  const std::string bytes = SerializeCheckpoint(SmallCheckpoint(1));
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string corrupt = bytes;
      corrupt[i] = static_cast<char>(corrupt[i] ^ flip);
      absl::StatusOr<Checkpoint> parsed = ParseCheckpoint(corrupt, "ckpt");
      ASSERT_FALSE(parsed.ok()) << "byte " << i << " ^ " << int{flip} << " was accepted";
      EXPECT_EQ(parsed.status().message().substr(0, 6), "ckpt: ");
    }
  }
}

TEST(Checkpoint, EveryTruncationIsRefused) {
  const std::string bytes = SerializeCheckpoint(SmallCheckpoint(1));
  for (size_t length = 0; length < bytes.size(); ++length) {
    EXPECT_FALSE(ParseCheckpoint(bytes.substr(0, length), "ckpt").ok()) << "length " << length;
  }
}

TEST(Checkpoint, NamesTheDamagedSection) {
  std::string bytes = SerializeCheckpoint(SmallCheckpoint(1));
  const size_t at = bytes.find("position bytes");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 'P';
  absl::StatusOr<Checkpoint> parsed = ParseCheckpoint(bytes, "run/checkpoint.ckpt");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(parsed.status().message(),
            "run/checkpoint.ckpt: section 'data_position' fails its CRC-32 check (the file is corrupt)");
}

// A checksum shows only that the file is as written: progress counts that a resumed run
// would overflow counting on from (step + 1 at the largest int64), or negative ones, are
// refused like any other corruption.
TEST(Checkpoint, ImplausibleProgressCountsAreRefused) {
  for (int64_t count : {int64_t{-1}, std::numeric_limits<int64_t>::max(), (int64_t{1} << 62) + 1}) {
    Checkpoint c = SmallCheckpoint(1);
    c.mutable_progress()->set_target_tokens_seen(count);
    absl::StatusOr<Checkpoint> parsed = ParseCheckpoint(SerializeCheckpoint(c), "run/checkpoint.ckpt");
    ASSERT_FALSE(parsed.ok()) << count;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(parsed.status().message().find("progress.target_tokens_seen"), std::string::npos) << parsed.status();
  }
  Checkpoint c = SmallCheckpoint(1);
  c.mutable_progress()->set_step(int64_t{1} << 62);
  EXPECT_TRUE(ParseCheckpoint(SerializeCheckpoint(c), "ckpt").ok());
}

TEST(Checkpoint, OtherFormatVersionsGetAVersionError) {
  Checkpoint version1 = SmallCheckpoint(1);
  version1.set_format_version(1);
  absl::StatusOr<Checkpoint> old = ParseCheckpoint(version1.SerializeAsString(), "old.ckpt");
  EXPECT_EQ(old.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(old.status().message().find("format version 1 (written by an older build)"), std::string::npos)
      << old.status();

  CheckpointFile newer;
  newer.set_magic("nmt-checkpoint");
  newer.set_format_version(kCheckpointFormatVersion + 1);
  absl::StatusOr<Checkpoint> future = ParseCheckpoint(newer.SerializeAsString(), "new.ckpt");
  EXPECT_EQ(future.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(future.status().message().find("(written by a newer build)"), std::string::npos) << future.status();
}

TEST(Checkpoint, WritingKeepsThePreviousCheckpoint) {
  const std::string path = TempPath("keep.ckpt");
  EXPECT_EQ(PreviousCheckpointPath(path), TempPath("keep.prev.ckpt"));
  ASSERT_TRUE(WriteCheckpoint(path, SmallCheckpoint(1)).ok());
  EXPECT_FALSE(std::filesystem::exists(PreviousCheckpointPath(path)));
  ASSERT_TRUE(WriteCheckpoint(path, SmallCheckpoint(2)).ok());
  absl::StatusOr<Checkpoint> current = ReadCheckpointFile(path);
  absl::StatusOr<Checkpoint> previous = ReadCheckpointFile(PreviousCheckpointPath(path));
  ASSERT_TRUE(current.ok() && previous.ok());
  EXPECT_EQ(current->SerializeAsString(), SmallCheckpoint(2).SerializeAsString());
  EXPECT_EQ(previous->SerializeAsString(), SmallCheckpoint(1).SerializeAsString());
}

TEST(Checkpoint, AFullDiskLeavesThePreviousCheckpointIntact) {
  const std::string path = TempPath("full.ckpt");
  ASSERT_TRUE(WriteCheckpoint(path, SmallCheckpoint(1)).ok());
  Checkpoint big = SmallCheckpoint(2);
  big.set_data_position(std::string(1 << 20, 'x'));
  // RLIMIT_FSIZE makes a write past 64 KiB fail with EFBIG, as a full disk fails with ENOSPC.
  struct rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 64 << 10;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const absl::Status status = WriteCheckpoint(path, big);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &saved), 0);
  signal(SIGXFSZ, SIG_DFL);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(path), std::string::npos) << status;
  absl::StatusOr<Checkpoint> still = ReadCheckpointFile(path);
  ASSERT_TRUE(still.ok()) << still.status();
  EXPECT_EQ(still->SerializeAsString(), SmallCheckpoint(1).SerializeAsString());
}

// A run killed mid-write leaves the previous checkpoint and the current one as two
// names of one file; the next write must still keep a previous one and leave no link.
TEST(Checkpoint, WritingAfterAKillBetweenTheRenamesLeavesNoLink) {
  const std::string path = TempPath("killed.ckpt");
  const std::string previous = PreviousCheckpointPath(path);
  ASSERT_TRUE(WriteCheckpoint(path, SmallCheckpoint(1)).ok());
  ASSERT_EQ(link(path.c_str(), previous.c_str()), 0);
  ASSERT_TRUE(WriteCheckpoint(path, SmallCheckpoint(2)).ok());
  EXPECT_FALSE(std::filesystem::exists(previous + ".link"));
  absl::StatusOr<Checkpoint> current = ReadCheckpointFile(path);
  absl::StatusOr<Checkpoint> kept = ReadCheckpointFile(previous);
  ASSERT_TRUE(current.ok() && kept.ok());
  EXPECT_EQ(current->SerializeAsString(), SmallCheckpoint(2).SerializeAsString());
  EXPECT_EQ(kept->SerializeAsString(), SmallCheckpoint(1).SerializeAsString());
}

TEST(Checkpoint, RemovesTheTemporariesAKilledWriteLeavesAndNothingElse) {
  const std::string path = TempPath("stale.ckpt");
  const std::string previous = PreviousCheckpointPath(path);
  ASSERT_TRUE(WriteCheckpoint(path, SmallCheckpoint(1)).ok());
  ASSERT_TRUE(WriteCheckpoint(path, SmallCheckpoint(2)).ok());
  const std::vector<std::string> stale = {path + ".tmp.Ab12Cd", previous + ".link"};
  for (const std::string& file : stale) std::ofstream(file) << "half a checkpoint";
  const std::string other = TempPath("other.ckpt.tmp.Ab12Cd");
  std::ofstream(other) << "another file's";

  absl::StatusOr<std::vector<std::string>> removed = RemoveStaleCheckpointTemporaries(path);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, stale);
  for (const std::string& file : stale) EXPECT_FALSE(std::filesystem::exists(file)) << file;
  EXPECT_TRUE(std::filesystem::exists(other));
  EXPECT_TRUE(ReadCheckpointFile(path).ok());
  EXPECT_TRUE(ReadCheckpointFile(previous).ok());
  EXPECT_TRUE(RemoveStaleCheckpointTemporaries(path)->empty());
}

TEST(Checkpoint, ReadRefusesAnotherModelConfig) {
  const std::string path = TempPath("model.ckpt");
  ASSERT_TRUE(WriteCheckpoint(path, SmallCheckpoint(1)).ok());
  models::ModelConfig other;
  other.set_n(5);
  EXPECT_EQ(ReadCheckpoint(path, other).status().code(), absl::StatusCode::kFailedPrecondition);
  models::ModelConfig same;
  same.set_n(4);
  EXPECT_TRUE(ReadCheckpoint(path, same).ok());
  // Dropout rates shape no parameter: other rates, or rates set where the checkpoint
  // (written before they existed) has none, still match.
  same.set_dropout(0.0f);
  same.set_dropout_rnn(0.2f);
  EXPECT_TRUE(ReadCheckpoint(path, same).ok());
}

}  // namespace
}  // namespace nmt::trainers
