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
// A process killed mid-write (SIGKILL, a power cut) cannot remove its temporary file;
// the program that owns `path` removes such leftovers when it starts:
//
//   absl::StatusOr<std::vector<std::string>> removed = nmt::RemoveStaleTemporaries(path);
#ifndef NMT_BASE_ATOMIC_FILE_H_
#define NMT_BASE_ATOMIC_FILE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nmt {

// Replaces (or creates) `path` with `bytes`, atomically and durably. On failure the
// previous contents of `path`, if any, are untouched and no temporary file is left.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view bytes);

// Removes the temporary files that WriteFileAtomically(path, ...) leaves when its
// process dies mid-write: the files "<path>.tmp.XXXXXX" next to `path`, where XXXXXX
// are the six letters or digits mkstemp chose; files of any other name are left alone.
// Returns the paths removed (none when the directory does not exist). Only for a
// program that owns `path`, when no other process can be writing it: a live writer's
// temporary file would be removed under it and its rename would fail.
absl::StatusOr<std::vector<std::string>> RemoveStaleTemporaries(const std::string& path);

// The whole file. NotFound if it does not exist.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace nmt

#endif  // NMT_BASE_ATOMIC_FILE_H_
