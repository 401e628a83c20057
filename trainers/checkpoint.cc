#include "trainers/checkpoint.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "autograd/tensor_codec.h"
#include "autograd/tensor_file.h"
#include "base/atomic_file.h"
#include "trainers/optimizer_checkpoint.h"

namespace nmt::trainers {

absl::StatusOr<Checkpoint> MakeCheckpoint(const models::ModelConfig& model_config, const NamedParameters& parameters,
                                          const Optimizer& optimizer, const OptimizerConfig& optimizer_config) {
  Checkpoint checkpoint;
  checkpoint.set_format_version(kCheckpointFormatVersion);
  checkpoint.set_model_kind(models::ModelConfig::Kind_Name(model_config.kind()));
  checkpoint.set_model_config(model_config.SerializeAsString());
  NamedTensorList values;
  for (const auto& [name, p] : parameters) values.emplace_back(name, p->value());
  absl::StatusOr<NamedTensors> tensors = NamedTensorsToProto(values);
  if (!tensors.ok()) return tensors.status();
  *checkpoint.mutable_parameters() = *std::move(tensors);
  absl::StatusOr<OptimizerCheckpoint> slots = SaveOptimizer(optimizer, optimizer_config);
  if (!slots.ok()) return slots.status();
  *checkpoint.mutable_optimizer() = *std::move(slots);
  return checkpoint;
}

absl::Status WriteCheckpoint(const std::string& path, const Checkpoint& checkpoint) {
  return WriteFileAtomically(path, checkpoint.SerializeAsString());
}

absl::StatusOr<Checkpoint> ReadCheckpoint(const std::string& path, const models::ModelConfig& expected) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  if (!bytes.ok()) return bytes.status();
  Checkpoint checkpoint;
  if (!checkpoint.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat(path, ": not a checkpoint (corrupt or truncated)"));
  }
  if (checkpoint.format_version() != kCheckpointFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": checkpoint format version ", checkpoint.format_version(),
                                                      ", this build reads ", kCheckpointFormatVersion));
  }
  models::ModelConfig saved;
  if (!saved.ParseFromString(checkpoint.model_config()) || saved.SerializeAsString() != expected.SerializeAsString()) {
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
