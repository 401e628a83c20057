#include "trainers/checkpoint.h"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "autograd/tensor_codec.h"
#include "autograd/tensor_file.h"
#include "base/atomic_file.h"
#include "base/crc32.h"
#include "trainers/optimizer_checkpoint.h"

namespace nmt::trainers {
namespace {

constexpr char kMagic[] = "nmt-checkpoint";
// Far beyond any run's steps or tokens, and far enough below 2^63 to count on from.
constexpr int64_t kMaxProgressCount = int64_t{1} << 62;
constexpr absl::string_view kHeader = "header", kParameters = "parameters", kOptimizer = "optimizer",
                            kDataPosition = "data_position";

uint32_t SectionCrc(absl::string_view name, absl::string_view payload) {
  return Crc32(absl::StrCat(name, absl::string_view("\0", 1), payload));
}

void AddSection(absl::string_view name, std::string payload, CheckpointFile& file) {
  CheckpointSection& section = *file.add_sections();
  section.set_name(std::string(name));
  section.set_crc32(SectionCrc(name, payload));
  section.set_payload(std::move(payload));
}

// The second name of the current file on its way to PreviousCheckpointPath(path).
std::string KeepLinkPath(const std::string& path) { return PreviousCheckpointPath(path) + ".link"; }

// A version-1 file is a bare Checkpoint; say so rather than "corrupt".
absl::Status UnknownFormat(absl::string_view bytes, absl::string_view name) {
  Checkpoint old;
  if (old.ParseFromString(std::string(bytes)) && old.format_version() == 1 && old.parameters().tensors_size() > 0) {
    return absl::FailedPreconditionError(absl::StrCat(name,
                                                      ": checkpoint format version 1 (written by an older build); ",
                                                      "this build reads version ", kCheckpointFormatVersion));
  }
  return absl::DataLossError(absl::StrCat(name, ": not a checkpoint (corrupt or truncated)"));
}

}  // namespace

absl::StatusOr<Checkpoint> MakeCheckpoint(const models::ModelConfig& model_config, const NamedParameters& parameters,
                                          const Optimizer& optimizer, const OptimizerConfig& optimizer_config) {
  Checkpoint checkpoint;
  checkpoint.set_format_version(kCheckpointFormatVersion);
  checkpoint.set_model_kind(models::ModelConfig::Kind_Name(model_config.kind()));
  checkpoint.set_model_config(model_config.SerializeAsString());
  NamedTensorList values;
  for (const auto& [name, p] : parameters) values.emplace_back(name, p->value().ToHost());
  absl::StatusOr<NamedTensors> tensors = NamedTensorsToProto(values);
  if (!tensors.ok()) return tensors.status();
  *checkpoint.mutable_parameters() = *std::move(tensors);
  absl::StatusOr<OptimizerCheckpoint> slots = SaveOptimizer(optimizer, optimizer_config);
  if (!slots.ok()) return slots.status();
  *checkpoint.mutable_optimizer() = *std::move(slots);
  return checkpoint;
}

std::string SerializeCheckpoint(const Checkpoint& checkpoint) {
  Checkpoint header;
  header.set_format_version(kCheckpointFormatVersion);
  header.set_model_kind(checkpoint.model_kind());
  header.set_model_config(checkpoint.model_config());
  header.set_max_grad_norm(checkpoint.max_grad_norm());
  *header.mutable_progress() = checkpoint.progress();
  CheckpointFile file;
  file.set_magic(kMagic);
  file.set_format_version(kCheckpointFormatVersion);
  AddSection(kHeader, header.SerializeAsString(), file);
  AddSection(kParameters, checkpoint.parameters().SerializeAsString(), file);
  AddSection(kOptimizer, checkpoint.optimizer().SerializeAsString(), file);
  AddSection(kDataPosition, checkpoint.data_position(), file);
  return file.SerializeAsString();
}

absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view bytes, absl::string_view name) {
  CheckpointFile file;
  if (!file.ParseFromString(std::string(bytes)) || file.magic() != kMagic) return UnknownFormat(bytes, name);
  if (file.format_version() != kCheckpointFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, ": checkpoint format version ", file.format_version(), " (written by ",
                     file.format_version() > kCheckpointFormatVersion ? "a newer" : "an older",
                     " build); this build reads version ", kCheckpointFormatVersion));
  }
  absl::flat_hash_map<std::string, const std::string*> sections;
  for (const CheckpointSection& section : file.sections()) {
    if (SectionCrc(section.name(), section.payload()) != section.crc32()) {
      return absl::DataLossError(absl::StrCat(name, ": section '", absl::CHexEscape(section.name()),
                                              "' fails its CRC-32 check (the file is corrupt)"));
    }
    if (!sections.emplace(section.name(), &section.payload()).second) {
      return absl::DataLossError(absl::StrCat(name, ": section '", section.name(), "' appears twice"));
    }
  }
  for (absl::string_view required : {kHeader, kParameters, kOptimizer, kDataPosition}) {
    if (!sections.contains(required)) {
      return absl::DataLossError(absl::StrCat(name, ": no '", required, "' section (corrupt or truncated)"));
    }
  }
  if (sections.size() != 4) return absl::DataLossError(absl::StrCat(name, ": unexpected sections"));
  Checkpoint checkpoint;
  auto unreadable = [&](absl::string_view section) {
    return absl::DataLossError(absl::StrCat(name, ": section '", section, "' does not parse"));
  };
  if (!checkpoint.ParseFromString(*sections[kHeader])) return unreadable(kHeader);
  // A resumed run counts on from these (step + 1, tokens seen + a batch's): a count no run
  // reaches, or a negative one, would overflow there or mean nothing.
  const TrainingProgress& progress = checkpoint.progress();
  for (const auto& [field, count] : {std::pair<absl::string_view, int64_t>{"step", progress.step()},
                                     {"epoch", progress.epoch()},
                                     {"sentences_seen", progress.sentences_seen()},
                                     {"target_tokens_seen", progress.target_tokens_seen()},
                                     {"skipped_steps", progress.skipped_steps()},
                                     {"best_dev_step", progress.best_dev_step()}}) {
    if (count < 0 || count > kMaxProgressCount) {
      return absl::DataLossError(
          absl::StrCat(name, ": progress.", field, " is ", count, ", outside [0, 2^62] (the file is corrupt)"));
    }
  }
  if (progress.has_lr_plateau_scale() && !(progress.lr_plateau_scale() > 0 && progress.lr_plateau_scale() <= 1)) {
    return absl::DataLossError(absl::StrCat(name, ": progress.lr_plateau_scale is ", progress.lr_plateau_scale(),
                                            ", outside (0, 1] (the file is corrupt)"));
  }
  for (const auto& [field, count] : {std::pair<absl::string_view, int32_t>{"validations_without_improvement",
                                                                           progress.validations_without_improvement()},
                                     {"lr_stalled_validations", progress.lr_stalled_validations()}}) {
    if (count < 0) {
      return absl::DataLossError(
          absl::StrCat(name, ": progress.", field, " is ", count, ", negative (the file is corrupt)"));
    }
  }
  if (!checkpoint.mutable_parameters()->ParseFromString(*sections[kParameters])) return unreadable(kParameters);
  if (!checkpoint.mutable_optimizer()->ParseFromString(*sections[kOptimizer])) return unreadable(kOptimizer);
  checkpoint.set_data_position(*sections[kDataPosition]);
  return checkpoint;
}

std::string PreviousCheckpointPath(const std::string& path) {
  absl::string_view stem = path;
  const bool has_suffix = absl::ConsumeSuffix(&stem, ".ckpt");
  return absl::StrCat(stem, ".prev", has_suffix ? ".ckpt" : "");
}

absl::Status WriteCheckpoint(const std::string& path, const Checkpoint& checkpoint) {
  const std::string previous = PreviousCheckpointPath(path);
  if (access(path.c_str(), F_OK) == 0) {
    // A second name for the current file, moved over the previous one in one rename:
    // both names always hold complete checkpoints.
    const std::string link_path = KeepLinkPath(path);
    std::remove(link_path.c_str());
    if (link(path.c_str(), link_path.c_str()) != 0 || rename(link_path.c_str(), previous.c_str()) != 0) {
      const int error = errno;
      std::remove(link_path.c_str());
      return absl::InternalError(absl::StrCat("cannot keep ", path, " as ", previous, ": ", std::strerror(error)));
    }
    // When `previous` already was a name of the current file (a run killed between the
    // rename above and WriteFileAtomically's), rename() succeeds without doing
    // anything and the link stays: remove it, or it would outlive the run.
    std::remove(link_path.c_str());
  }
  return WriteFileAtomically(path, SerializeCheckpoint(checkpoint));
}

absl::StatusOr<std::vector<std::string>> RemoveStaleCheckpointTemporaries(const std::string& path) {
  absl::StatusOr<std::vector<std::string>> removed = RemoveStaleTemporaries(path);
  if (!removed.ok()) return removed.status();
  const std::string link_path = KeepLinkPath(path);
  if (unlink(link_path.c_str()) == 0) {
    removed->push_back(link_path);
  } else if (errno != ENOENT) {
    return absl::ErrnoToStatus(errno, absl::StrCat("removing ", link_path));
  }
  return removed;
}

absl::StatusOr<Checkpoint> ReadCheckpointFile(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  if (!bytes.ok()) return bytes.status();
  return ParseCheckpoint(*bytes, path);
}

absl::StatusOr<Checkpoint> ReadCheckpoint(const std::string& path, const models::ModelConfig& expected) {
  absl::StatusOr<Checkpoint> checkpoint = ReadCheckpointFile(path);
  if (!checkpoint.ok()) return checkpoint.status();
  models::ModelConfig saved;
  // The regularisation rates shape no parameter: a run may resume (or fine-tune) with
  // others, and a checkpoint from before they existed (unset) matches a run that sets 0.
  auto architecture = [](models::ModelConfig c) {
    c.clear_dropout();
    c.clear_dropout_rnn();
    c.clear_dropout_src();
    c.clear_dropout_tgt();
    return c.SerializeAsString();
  };
  if (!saved.ParseFromString(checkpoint->model_config()) || architecture(saved) != architecture(expected)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": the checkpoint's model config differs from this run's (another model or vocabulary)"));
  }
  return checkpoint;
}

absl::Status LoadParameters(const Checkpoint& checkpoint, const std::string& path, const NamedParameters& parameters) {
  absl::StatusOr<NamedTensorList> saved = NamedTensorsFromProto(checkpoint.parameters());
  if (!saved.ok()) return saved.status();
  TensorTargets targets;
  for (const auto& [name, p] : parameters) targets[name] = &p->value();
  if (absl::Status s = AssignNamedTensors(*saved, targets); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
  }
  return absl::OkStatus();
}

}  // namespace nmt::trainers
