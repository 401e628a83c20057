// Fuzzes the checkpoint loader as resuming and translating use it: ParseCheckpoint, the
// model config inside, LoadParameters into a model's parameters, RestoreOptimizer and a
// step of the restored optimizer.
//
// Byte 0, bit 0 clear: the rest is the whole file. Set: the rest, if it parses as a
// CheckpointFile, gets every section's CRC-32 recomputed, so that mutations reach the
// section parsers and the loaders behind the checksums. A file is either refused with a
// Status or loads into a state that saves and loads back the same.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "autograd/tape.h"
#include "autograd/tensor.h"
#include "base/check.h"
#include "base/crc32.h"
#include "base/fuzz_testing.h"
#include "google/protobuf/stubs/logging.h"
#include "models/model_config.pb.h"
#include "ops/test_context.h"
#include "trainers/checkpoint.h"
#include "trainers/checkpoint.pb.h"
#include "trainers/optimizer.h"
#include "trainers/optimizer_checkpoint.h"

namespace nmt::trainers {
namespace {

// The CheckpointFile in `bytes` with correct checksums, or `bytes` if it does not parse.
std::string WithChecksums(absl::string_view bytes) {
  CheckpointFile file;
  if (!file.ParseFromString(std::string(bytes))) return std::string(bytes);
  for (CheckpointSection& section : *file.mutable_sections()) {
    section.set_crc32(Crc32(absl::StrCat(section.name(), absl::string_view("\0", 1), section.payload())));
  }
  return file.SerializeAsString();
}

}  // namespace
}  // namespace nmt::trainers

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // protobuf logs every string field with invalid UTF-8 at ERROR level; a fuzzer makes millions.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nmt;
  using namespace nmt::trainers;
  if (size < 1) return 0;
  const absl::string_view rest = FuzzBytes(data + 1, size - 1);
  const std::string bytes = (data[0] & 1) != 0 ? WithChecksums(rest) : std::string(rest);
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpoint(bytes, "fuzz.ckpt");
  if (!checkpoint.ok()) return 0;

  // What is written reads back as the same checkpoint.
  const std::string serialized = SerializeCheckpoint(*checkpoint);
  absl::StatusOr<Checkpoint> again = ParseCheckpoint(serialized, "again.ckpt");
  NMT_CHECK(again.ok()) << again.status();
  NMT_CHECK(SerializeCheckpoint(*again) == serialized);

  models::ModelConfig model_config;
  (void)model_config.ParseFromString(checkpoint->model_config());

  // A model of two parameters, as the seeds were written from.
  Parameter w(Tensor::Zeros({2, 3})), b(Tensor::Zeros({3}));
  const NamedParameters parameters = {{"w", &w}, {"b", &b}};
  if (!LoadParameters(*checkpoint, "fuzz.ckpt", parameters).ok()) return 0;
  absl::StatusOr<std::unique_ptr<Optimizer>> optimizer = RestoreOptimizer(checkpoint->optimizer(), parameters);
  if (!optimizer.ok()) return 0;
  const int64_t steps = (*optimizer)->step_count();
  w.grad().Fill(0.5f);
  b.grad().Fill(-0.25f);
  (*optimizer)->Step(TestContext());
  NMT_CHECK((*optimizer)->step_count() == steps + 1);
  absl::StatusOr<OptimizerCheckpoint> saved = SaveOptimizer(**optimizer, checkpoint->optimizer().config());
  NMT_CHECK(saved.ok()) << saved.status();
  return 0;
}
