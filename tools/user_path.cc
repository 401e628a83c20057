#include "tools/user_path.h"

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace nmt::tools {

std::string ResolveUserPath(const std::string& path) {
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path == "-" || path[0] == '/' || cwd == nullptr || *cwd == '\0') {
    return path;
  }
  return absl::StrCat(cwd, "/", path);
}

}  // namespace nmt::tools
