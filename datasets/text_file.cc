#include "datasets/text_file.h"

#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace nmt::datasets {
namespace {

constexpr char kStdin[] = "-";
constexpr char kStdinName[] = "<stdin>";

// The name of `path` in messages.
std::string DisplayName(const std::string& path) { return path == kStdin ? kStdinName : path; }

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  const int error = errno;
  std::string message = absl::StrCat(what, " ", path, ": ", std::strerror(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  return absl::InternalError(message);
}

bool HasGzipMagic(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  return in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

// Reads `file` to its end and closes it. zlib reads data without the gzip magic bytes
// through unchanged, which standard input relies on. `path` names the file in errors.
absl::StatusOr<std::string> ReadGzip(gzFile file, const std::string& path) {
  std::string contents;
  char buffer[1 << 16];
  while (true) {
    const int n = gzread(file, buffer, sizeof(buffer));
    if (n < 0) {
      int code = 0;
      std::string message = absl::StrCat(path, ": corrupt gzip stream: ", gzerror(file, &code));
      gzclose(file);
      return absl::DataLossError(message);
    }
    if (n == 0) break;
    contents.append(buffer, n);
  }
  // gzread returns 0 both at the end and on a truncated stream; gzclose tells them apart.
  if (gzclose(file) != Z_OK) {
    return absl::DataLossError(absl::StrCat(path, ": truncated gzip stream"));
  }
  return contents;
}

}  // namespace

absl::StatusOr<std::string> ReadFileContents(const std::string& path) {
  if (path == kStdin) {
    // A duplicate, because gzclose closes the descriptor it reads.
    const int fd = dup(STDIN_FILENO);
    gzFile file = fd < 0 ? nullptr : gzdopen(fd, "rb");
    if (file == nullptr) {
      absl::Status error = ErrnoError("cannot read", kStdinName);
      if (fd >= 0) close(fd);
      return error;
    }
    return ReadGzip(file, kStdinName);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("cannot open", path);
  if (HasGzipMagic(path)) {
    gzFile file = gzopen(path.c_str(), "rb");
    if (file == nullptr) return ErrnoError("cannot open", path);
    return ReadGzip(file, path);
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return ErrnoError("cannot read", path);
  return std::move(contents).str();
}

absl::StatusOr<std::vector<std::string>> ReadLines(const std::string& path) {
  absl::StatusOr<std::string> contents = ReadFileContents(path);
  if (!contents.ok()) return contents.status();
  std::vector<std::string> lines;
  if (contents->empty()) return lines;
  lines = absl::StrSplit(*contents, '\n');
  if (contents->back() == '\n') lines.pop_back();
  for (std::string& line : lines) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
  }
  return lines;
}

absl::StatusOr<std::vector<std::string>> ReadUtf8Lines(const std::string& path) {
  absl::StatusOr<std::vector<std::string>> lines = ReadLines(path);
  if (!lines.ok()) return lines.status();
  for (size_t i = 0; i < lines->size(); ++i) {
    if (std::optional<size_t> bad = FindInvalidUtf8((*lines)[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat(DisplayName(path), ":", i + 1, ": invalid UTF-8 at byte offset ", *bad));
    }
  }
  return lines;
}

std::optional<size_t> FindInvalidUtf8(absl::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char lead = bytes[i];
    int length;
    uint32_t code_point;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xe0) == 0xc0) {
      length = 2;
      code_point = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      code_point = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return i;
    }
    if (i + length > n) return i;
    for (int k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xc0) != 0x80) return i;
      code_point = (code_point << 6) | (bytes[i + k] & 0x3f);
    }
    static constexpr uint32_t kMinForLength[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinForLength[length] || code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return i;
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace nmt::datasets
