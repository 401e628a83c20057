// Reading and validating parallel text: a source file plus a target file with one sentence
// per line, or one TSV file of "source<TAB>target" lines; any of them may be gzip-compressed.
//
//   ParallelCorpusOptions options;
//   options.max_words = 50;   // the paper's RNNsearch-50 limit (Sec. 4.2)
//   absl::StatusOr<ParallelCorpus> corpus =
//       ReadParallelFiles("train.en", "train.es.gz", options);
//   if (!corpus.ok()) return corpus.status();   // e.g. "train.es.gz:17: invalid UTF-8 at byte 4"
//   for (const SentencePair& pair : corpus->pairs) ...
//
// Structural problems that make the whole corpus untrustworthy are errors: a missing or empty
// file, different line counts, invalid UTF-8, a TSV line without exactly one tab. Ordinary
// noise (an empty side, an over-long pair) is skipped and counted in CorpusStats, because real
// corpora always carry some and training should neither crash nor silently lose track of it.
// Text is returned as read (no tokenization); words are counted by splitting on whitespace.
#ifndef NMT_DATASETS_PARALLEL_CORPUS_H_
#define NMT_DATASETS_PARALLEL_CORPUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace nmt::datasets {

struct SentencePair {
  std::string source;
  std::string target;
  int64_t line = 0;  // 1-based line number in the input, so results can be traced back.
};

struct CorpusStats {
  int64_t lines_read = 0;
  int64_t empty_skipped = 0;     // either side empty or only whitespace
  int64_t too_long_skipped = 0;  // either side over max_words
  int64_t pairs_kept = 0;
};

struct ParallelCorpusOptions {
  // Pairs where either side has more whitespace-separated words are skipped; 0 keeps all.
  int max_words = 0;
};

struct ParallelCorpus {
  std::vector<SentencePair> pairs;
  CorpusStats stats;
};

absl::StatusOr<ParallelCorpus> ReadParallelFiles(const std::string& source_path, const std::string& target_path,
                                                 const ParallelCorpusOptions& options = {});

absl::StatusOr<ParallelCorpus> ReadTsv(const std::string& path, const ParallelCorpusOptions& options = {});

}  // namespace nmt::datasets

#endif  // NMT_DATASETS_PARALLEL_CORPUS_H_
