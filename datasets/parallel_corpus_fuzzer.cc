// Fuzzes the parallel-corpus reader (ReadParallelFiles and ReadTsv) through real files, so
// gzip detection and decompression, line splitting and UTF-8 checks are all reached.
//
// Input: byte 0 picks the reader (bit 0: TSV) and ParallelCorpusOptions::max_words (the
// other bits); byte 1 is where the rest splits into the source and target files (the
// target is unused for TSV). Whatever the bytes, the reader returns a Status or a corpus
// that keeps its own promises: counts add up, kept pairs are non-empty, within
// max_words, valid UTF-8, and in line order.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "base/check.h"
#include "base/fuzz_testing.h"
#include "datasets/parallel_corpus.h"
#include "datasets/text_file.h"

namespace nmt::datasets {
namespace {

int64_t Words(absl::string_view text) {
  return static_cast<int64_t>(
      std::vector<absl::string_view>(absl::StrSplit(text, absl::ByAnyChar(" \t\n\r\f\v"), absl::SkipEmpty())).size());
}

void CheckCorpus(const ParallelCorpus& corpus, const ParallelCorpusOptions& options) {
  const CorpusStats& stats = corpus.stats;
  NMT_CHECK(stats.pairs_kept == static_cast<int64_t>(corpus.pairs.size()));
  NMT_CHECK(stats.lines_read == stats.empty_skipped + stats.too_long_skipped + stats.pairs_kept);
  int64_t previous_line = 0;
  for (const SentencePair& pair : corpus.pairs) {
    NMT_CHECK(pair.line > previous_line && pair.line <= stats.lines_read) << pair.line;
    previous_line = pair.line;
    for (const std::string* side : {&pair.source, &pair.target}) {
      const int64_t words = Words(*side);
      NMT_CHECK(words > 0);
      NMT_CHECK(options.max_words == 0 || words <= options.max_words) << words;
      NMT_CHECK(!FindInvalidUtf8(*side).has_value());
      NMT_CHECK(side->find('\n') == std::string::npos);
    }
  }
}

}  // namespace
}  // namespace nmt::datasets

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nmt::datasets;
  if (size < 2) return 0;
  const bool tsv = (data[0] & 1) != 0;
  ParallelCorpusOptions options;
  options.max_words = data[0] >> 1;
  const absl::string_view rest = nmt::FuzzBytes(data + 2, size - 2);
  const size_t split = rest.size() * data[1] / 255;
  const std::string& source = nmt::WriteFuzzInputFile("source", rest.substr(0, split));
  absl::StatusOr<ParallelCorpus> corpus;
  if (tsv) {
    corpus = ReadTsv(source, options);
  } else {
    const std::string& target = nmt::WriteFuzzInputFile("target", rest.substr(split));
    corpus = ReadParallelFiles(source, target, options);
  }
  if (corpus.ok()) CheckCorpus(*corpus, options);
  return 0;
}
