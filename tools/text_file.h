// Reading and writing the plain-text files the evaluation tools meet: one segment per line,
// UTF-8, as sacreBLEU reads them. Errors name the file (and line) so users can fix them.
//
//   absl::StatusOr<std::vector<std::string>> hyps = ReadUtf8Lines(ResolveUserPath("hyp.txt"));
//   if (!hyps.ok()) return hyps.status();  // e.g. "hyp.txt:12: invalid UTF-8"
//
// Lines are split at '\n' only ('\r' stays part of the line, as in sacreBLEU, which opens
// files with newline="\n"); a final newline does not start an extra empty line.
#ifndef NMT_TOOLS_TEXT_FILE_H_
#define NMT_TOOLS_TEXT_FILE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nmt::tools {

// Reads `path` ("-" means standard input) as lines. NotFound when it cannot be opened,
// InvalidArgument ("path:line: invalid UTF-8") when a line is not well-formed UTF-8.
absl::StatusOr<std::vector<std::string>> ReadUtf8Lines(const std::string& path);

// Writes `contents` to `path`; Internal error naming the path when that fails.
absl::Status WriteTextFile(const std::string& path, absl::string_view contents);

// `bazel run` starts binaries in their runfiles directory; relative paths the user typed
// are meant against the directory they ran bazel from (BUILD_WORKING_DIRECTORY).
// Absolute paths, "-" and runs outside bazel come back unchanged.
std::string ResolveUserPath(const std::string& path);

}  // namespace nmt::tools

#endif  // NMT_TOOLS_TEXT_FILE_H_
