// Fuzzes reading a TrainConfig in text format (--config=run.textproto, a run
// directory's config): any text is refused or parses into a config that prints and
// parses back to the same text, whose data files resolve, and that merges over the
// presets as train_main does.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/check.h"
#include "base/fuzz_testing.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "trainers/train_config.h"
#include "trainers/train_config.pb.h"

namespace nmt::trainers {
namespace {

// Plain TextFormat parsing, as run_directory.cc and train_main.cc do today.
absl::StatusOr<TrainConfig> ParseTextFormat(absl::string_view text, absl::string_view name) {
  TrainConfig config;
  if (!google::protobuf::TextFormat::ParseFromString(std::string(text), &config)) {
    return absl::InvalidArgumentError(std::string(name) + ": not a TrainConfig in text format");
  }
  return config;
}

// The parser under test. Once trainers/train_config.h has ParseTrainConfig (parsing with
// validation), this becomes: return ParseTrainConfig(text, name);
absl::StatusOr<TrainConfig> Parse(absl::string_view text, absl::string_view name) {
  return ParseTextFormat(text, name);
}

std::string Print(const TrainConfig& config) {
  std::string text;
  NMT_CHECK(google::protobuf::TextFormat::PrintToString(config, &text));
  return text;
}

}  // namespace
}  // namespace nmt::trainers

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // TextFormat logs every syntax error at ERROR level; a fuzzer makes millions.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nmt::trainers;
  absl::StatusOr<TrainConfig> config = Parse(nmt::FuzzBytes(data, size), "fuzz.textproto");
  if (!config.ok()) return 0;
  const std::string text = Print(*config);
  absl::StatusOr<TrainConfig> again = Parse(text, "printed.textproto");
  NMT_CHECK(again.ok()) << again.status() << "\n" << text;
  NMT_CHECK(Print(*again) == text) << text;

  (void)ResolveDataFiles(config->data());
  TrainConfig merged = DefaultTrainConfig();
  ApplyPaperPreset(merged);
  merged.MergeFrom(*config);
  (void)ResolveDataFiles(merged.data());
  (void)Print(merged);
  return 0;
}
