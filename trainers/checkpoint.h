// Training checkpoints (checkpoint.proto) to and from files, without the training loop:
// the trainer writes them, and translate, the tools and resumed runs read them.
//
//   absl::StatusOr<Checkpoint> checkpoint = ReadCheckpoint(path, config.model());
//   absl::Status s = LoadParameters(*checkpoint, path, model->NamedParameters());
//   ...
//   absl::StatusOr<Checkpoint> out = MakeCheckpoint(config.model(), parameters, optimizer,
//                                                   config.optimizer());
//   out->set_data_position(...);  *out->mutable_progress() = progress;
//   absl::Status w = WriteCheckpoint(path, *out);      // keeps the previous one, atomic
//
// A file is a CheckpointFile: every section carries a CRC-32, checked before anything in
// it is used, so a corrupt file is refused with its name and the damaged section, never
// trusted. WriteCheckpoint first keeps the file it replaces as PreviousCheckpointPath
// (checkpoint.ckpt -> checkpoint.prev.ckpt), then writes the new one atomically (a new
// file, fsync, rename, fsync of the directory): at every moment both names hold either
// nothing or a complete checkpoint.
#ifndef NMT_TRAINERS_CHECKPOINT_H_
#define NMT_TRAINERS_CHECKPOINT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "models/model_config.pb.h"
#include "trainers/checkpoint.pb.h"
#include "trainers/optimizer.h"

namespace nmt::trainers {

// The checkpoint format this build writes and reads.
inline constexpr uint32_t kCheckpointFormatVersion = 2;

// A checkpoint of `model_config` with its parameters and the optimizer's state; the
// caller adds progress, clipping and data position.
absl::StatusOr<Checkpoint> MakeCheckpoint(const models::ModelConfig& model_config, const NamedParameters& parameters,
                                          const Optimizer& optimizer, const OptimizerConfig& optimizer_config);

// The file's bytes: a CheckpointFile with checksummed sections.
std::string SerializeCheckpoint(const Checkpoint& checkpoint);
// The inverse, strictly: DataLoss for anything corrupt or truncated (naming the
// section whose checksum fails), FailedPrecondition for another format version.
// `name` (usually the path) starts every message.
absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view bytes, absl::string_view name);

// Where WriteCheckpoint keeps the checkpoint it replaces: "a/checkpoint.ckpt" ->
// "a/checkpoint.prev.ckpt".
std::string PreviousCheckpointPath(const std::string& path);

// Keeps the current file at `path` (if any) as PreviousCheckpointPath(path), then
// writes `checkpoint` atomically. On failure (a full disk, say) the file at `path` is
// the previous checkpoint, intact.
absl::Status WriteCheckpoint(const std::string& path, const Checkpoint& checkpoint);

// Removes what WriteCheckpoint(path, ...) leaves when its process is killed mid-write:
// the atomic writer's "<path>.tmp.XXXXXX" files and the ".link" next to
// PreviousCheckpointPath(path). Neither checkpoint is touched. For the program that
// owns `path`, on start (base/atomic_file.h's RemoveStaleTemporaries); returns the
// paths removed.
absl::StatusOr<std::vector<std::string>> RemoveStaleCheckpointTemporaries(const std::string& path);

// Reads and parses a checkpoint file (ParseCheckpoint's checks).
absl::StatusOr<Checkpoint> ReadCheckpointFile(const std::string& path);

// ReadCheckpointFile, and a model config other than `expected` is an error too.
absl::StatusOr<Checkpoint> ReadCheckpoint(const std::string& path, const models::ModelConfig& expected);

// Copies the checkpoint's parameters into `parameters`, reporting every missing,
// unexpected or misshapen name at once.
absl::Status LoadParameters(const Checkpoint& checkpoint, const std::string& path, const NamedParameters& parameters);

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_CHECKPOINT_H_
