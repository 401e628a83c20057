// Training checkpoints (checkpoint.proto) to and from files, without the training loop:
// the trainer writes them, and translate, the tools and resumed runs read them.
//
//   absl::StatusOr<Checkpoint> checkpoint = ReadCheckpoint(path, config.model());
//   absl::Status s = LoadParameters(*checkpoint, path, model->NamedParameters());
//   ...
//   absl::StatusOr<Checkpoint> out = MakeCheckpoint(config.model(), parameters, optimizer,
//                                                   config.optimizer());
//   out->set_data_position(...);  *out->mutable_progress() = progress;
//   absl::Status w = WriteCheckpoint(path, *out);                  // atomic: new file, fsync, rename
#ifndef NMT_TRAINERS_CHECKPOINT_H_
#define NMT_TRAINERS_CHECKPOINT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "models/model_config.pb.h"
#include "trainers/checkpoint.pb.h"
#include "trainers/optimizer.h"

namespace nmt::trainers {

// The checkpoint.proto format this build writes and reads.
inline constexpr uint32_t kCheckpointFormatVersion = 1;

// A checkpoint of `model_config` with its parameters and the optimizer's state; the
// caller adds progress, clipping and data position.
absl::StatusOr<Checkpoint> MakeCheckpoint(const models::ModelConfig& model_config, const NamedParameters& parameters,
                                          const Optimizer& optimizer, const OptimizerConfig& optimizer_config);

// Writes atomically (a crash leaves the previous file intact).
absl::Status WriteCheckpoint(const std::string& path, const Checkpoint& checkpoint);

// Reads a checkpoint file strictly: a corrupt file, another format version or a model
// config other than `expected` is an error naming the file.
absl::StatusOr<Checkpoint> ReadCheckpoint(const std::string& path, const models::ModelConfig& expected);

// Copies the checkpoint's parameters into `parameters`, reporting every missing,
// unexpected or misshapen name at once.
absl::Status LoadParameters(const Checkpoint& checkpoint, const std::string& path, const NamedParameters& parameters);

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_CHECKPOINT_H_
