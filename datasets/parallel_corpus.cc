#include "datasets/parallel_corpus.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "datasets/text_file.h"

namespace nmt::datasets {
namespace {

// Reads all lines of a file that must be non-empty, valid UTF-8 text.
absl::StatusOr<std::vector<std::string>> ReadCheckedLines(const std::string& path) {
  absl::StatusOr<std::vector<std::string>> lines = ReadUtf8Lines(path);
  if (!lines.ok()) return lines.status();
  if (lines->empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": file is empty"));
  return lines;
}

int64_t CountWords(absl::string_view text) {
  std::vector<absl::string_view> words = absl::StrSplit(text, absl::ByAnyChar(" \t\n\r\f\v"), absl::SkipEmpty());
  return static_cast<int64_t>(words.size());
}

// Applies the skip rules to one pair and counts the outcome.
void AddPair(std::string source, std::string target, int64_t line, const ParallelCorpusOptions& options,
             ParallelCorpus& corpus) {
  ++corpus.stats.lines_read;
  const int64_t source_words = CountWords(source);
  const int64_t target_words = CountWords(target);
  if (source_words == 0 || target_words == 0) {
    ++corpus.stats.empty_skipped;
    return;
  }
  if (options.max_words > 0 && std::max(source_words, target_words) > options.max_words) {
    ++corpus.stats.too_long_skipped;
    return;
  }
  ++corpus.stats.pairs_kept;
  corpus.pairs.push_back({std::move(source), std::move(target), line});
}

}  // namespace

absl::StatusOr<ParallelCorpus> ReadParallelFiles(const std::string& source_path, const std::string& target_path,
                                                 const ParallelCorpusOptions& options) {
  absl::StatusOr<std::vector<std::string>> source = ReadCheckedLines(source_path);
  if (!source.ok()) return source.status();
  absl::StatusOr<std::vector<std::string>> target = ReadCheckedLines(target_path);
  if (!target.ok()) return target.status();
  if (source->size() != target->size()) {
    return absl::InvalidArgumentError(absl::StrCat("line counts differ: ", source_path, " has ", source->size(),
                                                   " lines, ", target_path, " has ", target->size()));
  }
  ParallelCorpus corpus;
  for (size_t i = 0; i < source->size(); ++i) {
    AddPair(std::move((*source)[i]), std::move((*target)[i]), i + 1, options, corpus);
  }
  return corpus;
}

absl::StatusOr<ParallelCorpus> ReadTsv(const std::string& path, const ParallelCorpusOptions& options) {
  absl::StatusOr<std::vector<std::string>> lines = ReadCheckedLines(path);
  if (!lines.ok()) return lines.status();
  ParallelCorpus corpus;
  for (size_t i = 0; i < lines->size(); ++i) {
    const std::string& line = (*lines)[i];
    const size_t tabs = std::count(line.begin(), line.end(), '\t');
    if (tabs != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", i + 1, ": expected exactly one tab between source and target, found ", tabs));
    }
    std::pair<std::string, std::string> sides = absl::StrSplit(line, '\t');
    AddPair(std::move(sides.first), std::move(sides.second), i + 1, options, corpus);
  }
  return corpus;
}

}  // namespace nmt::datasets
