// Whole-file I/O for checkpoints, tensor files and corpora: an atomic write and its reading
// counterpart, both reporting failures as absl::Status with the path and errno text.
//
//   absl::Status s = nmt::WriteFileAtomically("runs/ckpt/step_1000.pb", bytes);
//   absl::StatusOr<std::string> back = nmt::ReadFileToString("runs/ckpt/step_1000.pb");
//
// A checkpoint that a crash or a full disk leaves half-written is worse than none:
// the next run would resume from garbage. So the bytes go to a temporary file in the
// same directory (rename is only atomic within one file system), which is fsynced,
// renamed over the target, and then the directory is fsynced so that the rename
// itself survives a power cut. Readers see the old file or the new one, never a mix.
#ifndef NMT_BASE_ATOMIC_FILE_H_
#define NMT_BASE_ATOMIC_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nmt {

// Replaces (or creates) `path` with `bytes`, atomically and durably. On failure the
// previous contents of `path`, if any, are untouched and no temporary file is left.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view bytes);

// The whole file. NotFound if it does not exist.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace nmt

#endif  // NMT_BASE_ATOMIC_FILE_H_
