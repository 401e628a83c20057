// Paths the user typed on a tool's command line, as the user meant them.
//
//   const std::string hyp_path = ResolveUserPath(absl::GetFlag(FLAGS_hyp));
//
// `bazel run` starts binaries in their runfiles directory; relative paths the user typed
// are meant against the directory they ran bazel from (BUILD_WORKING_DIRECTORY).
#ifndef NMT_TOOLS_USER_PATH_H_
#define NMT_TOOLS_USER_PATH_H_

#include <string>

namespace nmt::tools {

// `path` joined to $BUILD_WORKING_DIRECTORY when it is relative. Absolute paths, "-"
// (standard input) and runs outside bazel come back unchanged.
std::string ResolveUserPath(const std::string& path);

}  // namespace nmt::tools

#endif  // NMT_TOOLS_USER_PATH_H_
