// The project's one text-file reader, for corpora, the test set and the tools alike: plain
// or gzip, one line at a time, UTF-8 checked with errors that name the file and line.
// (Writes go through base/atomic_file.h's WriteFileAtomically: temp file, fsync, rename,
// directory fsync.)
//
//   absl::StatusOr<std::vector<std::string>> lines = ReadUtf8Lines("train.en.gz");
//   if (!lines.ok()) return lines.status();  // e.g. "train.en.gz:17: invalid UTF-8 at byte offset 4"
//   absl::StatusOr<std::vector<std::string>> hyps = ReadUtf8Lines("-");  // standard input
//   if (auto bad = FindInvalidUtf8(token)) { ... *bad is the byte offset ... }
//
// The rules, the same for every caller:
// - Compression is detected from the gzip magic bytes (1f 8b), never from the file name,
//   so a renamed file still reads, and so does gzip on standard input.
// - "-" is standard input, called "<stdin>" in errors.
// - Lines end at '\n'. A '\r' that ends a line is removed: with "\r\n" endings (files
//   written on Windows) and with '\n' endings a file reads the same. A '\r' anywhere else
//   in a line stays. (sacreBLEU keeps a final '\r' in the line but strips trailing
//   whitespace before scoring, so BLEU is the same either way.)
// - A final line without '\n' counts; a final '\n' does not start an empty line; an empty
//   file has no lines.
#ifndef NMT_DATASETS_TEXT_FILE_H_
#define NMT_DATASETS_TEXT_FILE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nmt::datasets {

// Reads a whole file ("-": standard input), decompressing it if it starts with the gzip
// magic bytes. Errors name the file: NotFound when it does not exist, DataLoss for a
// corrupt or truncated gzip stream.
absl::StatusOr<std::string> ReadFileContents(const std::string& path);

// ReadFileContents split into lines by the rules above.
absl::StatusOr<std::vector<std::string>> ReadLines(const std::string& path);

// ReadLines, then every line must be well-formed UTF-8: InvalidArgument
// "path:line: invalid UTF-8 at byte offset N" (line from 1, offset from 0) otherwise.
absl::StatusOr<std::vector<std::string>> ReadUtf8Lines(const std::string& path);

// The byte offset of the first byte that does not belong to a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points past U+10FFFF are invalid, as in Python's
// strict decoder), or nullopt.
std::optional<size_t> FindInvalidUtf8(absl::string_view text);

}  // namespace nmt::datasets

#endif  // NMT_DATASETS_TEXT_FILE_H_
