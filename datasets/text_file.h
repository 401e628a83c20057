// Line-oriented reading for corpora: gzip-transparent reading and UTF-8 checks.
// (Writes go through base/atomic_file.h's WriteFileAtomically: temp file,
// fsync, rename, directory fsync.)
//
//   absl::StatusOr<std::vector<std::string>> lines = ReadLines("train.en.gz");
//   if (auto bad = FindInvalidUtf8(line)) { ... *bad is the byte offset ... }
//
// Compression is detected from the gzip magic bytes (1f 8b), never from the file name,
// so a renamed file still reads.
#ifndef NMT_DATASETS_TEXT_FILE_H_
#define NMT_DATASETS_TEXT_FILE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nmt::datasets {

// Reads a whole file, decompressing it if it starts with the gzip magic bytes.
// Errors name the file: NotFound when it does not exist, DataLoss for a corrupt gzip stream.
absl::StatusOr<std::string> ReadFileContents(const std::string& path);

// Splits ReadFileContents on '\n'. A final line without '\n' counts; a trailing '\r' is
// removed (files written on Windows). An empty file yields no lines.
absl::StatusOr<std::vector<std::string>> ReadLines(const std::string& path);

// The byte offset of the first byte that does not belong to a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points past U+10FFFF are invalid), or nullopt.
std::optional<size_t> FindInvalidUtf8(absl::string_view text);


}  // namespace nmt::datasets

#endif  // NMT_DATASETS_TEXT_FILE_H_
