#include "tools/text_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "tools/tokenizer_13a.h"

namespace nmt::tools {

absl::StatusOr<std::vector<std::string>> ReadUtf8Lines(const std::string& path) {
  std::string contents;
  if (path == "-") {
    contents.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(absl::StrCat(path, ": cannot open (", std::strerror(errno), ")"));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    contents = std::move(buffer).str();
  }
  const std::string name = path == "-" ? "<stdin>" : path;

  std::vector<std::string> lines = absl::StrSplit(contents, '\n');
  // "a\nb\n" holds two lines, like Python's readlines(); "" holds none.
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!IsValidUtf8(lines[i])) {
      return absl::InvalidArgumentError(absl::StrCat(name, ":", i + 1, ": invalid UTF-8"));
    }
  }
  return lines;
}

absl::Status WriteTextFile(const std::string& path, absl::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

std::string ResolveUserPath(const std::string& path) {
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path == "-" || path[0] == '/' || cwd == nullptr || *cwd == '\0') {
    return path;
  }
  return absl::StrCat(cwd, "/", path);
}

}  // namespace nmt::tools
