// The project's default corpus: English→Spanish Bible verses from Debian's SWORD modules
// (World English Bible `engWEB2015eb`, package sword-text-web; Reina-Valera 1909
// `spaRV1909eb`, package sword-text-sparv), exported by `mod2imp` (package libsword-utils).
//
//   BibleCorpusOptions options;
//   options.out_dir = "data/bible";
//   absl::StatusOr<BibleCorpusCounts> counts = BuildBibleCorpus(options);
//   // data/bible/{train,dev,test}.{en,es,refs} and MANIFEST
//
// Steps: ParseImp splits the export into "$$$Book C:V" entries; chapter 0 and verse 0
// entries (book prefaces, chapter headings) are skipped; CleanOsis (osis_cleaner.h) turns
// markup into text; AlignVerses keeps the references present and non-empty in both
// modules, in the English module's order.
//
// Split rule, fixed so that a verse never changes split when the extraction improves:
// h = FNV-1a 64-bit hash of the reference's UTF-8 bytes (e.g. "Genesis 1:1"), bucket =
// h % 1000; bucket < 64 → test (6.4 %, about 2,000 of ~31,000 pairs), bucket < 96 → dev
// (3.2 %, about 1,000), otherwise train. The text is written raw (untokenized), one verse per
// line, with the references in `<split>.refs`. Files are written atomically and MANIFEST
// (the line count of every file) last, so an interrupted run is redone and a complete one
// is reused (Build checks every count before skipping).
#ifndef NMT_DATASETS_BIBLE_CORPUS_H_
#define NMT_DATASETS_BIBLE_CORPUS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nmt::datasets {

struct ImpEntry {
  std::string reference;  // "Genesis 1:1", as SWORD names it (both modules agree)
  int chapter = 0;
  int verse = 0;
  std::string markup;  // OSIS, all lines of the entry joined by '\n'
};

// Entries whose key is "<book> <chapter>:<verse>"; module and testament headings are skipped.
std::vector<ImpEntry> ParseImp(absl::string_view imp_text);

struct VersePair {
  std::string reference;
  std::string english;
  std::string spanish;
};

// Cleans both sides and keeps references with chapter > 0, verse > 0 and non-empty text in
// both, in the order of `english`.
std::vector<VersePair> AlignVerses(const std::vector<ImpEntry>& english, const std::vector<ImpEntry>& spanish);

enum class Split { kTrain, kDev, kTest };
Split SplitOf(absl::string_view reference);

struct BibleCorpusCounts {
  int64_t train = 0;
  int64_t dev = 0;
  int64_t test = 0;
};

// Writes the nine files and MANIFEST into an existing directory.
absl::StatusOr<BibleCorpusCounts> WriteBibleCorpus(const std::vector<VersePair>& pairs, const std::string& out_dir);

// The counts of a complete corpus in `out_dir` (MANIFEST present and every file's line count
// matching it), nullopt if there is none or it is incomplete.
std::optional<BibleCorpusCounts> FindCompleteCorpus(const std::string& out_dir);

// Runs `mod2imp module` and returns its output. NotFound names the Debian package when
// mod2imp is not installed; FailedPrecondition when the module yields no entries.
absl::StatusOr<std::string> ExportSwordModule(const std::string& module, const std::string& debian_package);

struct BibleCorpusOptions {
  std::string out_dir;
  std::string english_module = "engWEB2015eb";
  std::string spanish_module = "spaRV1909eb";
  // Named in the error when a module is missing.
  std::string english_package = "sword-text-web";
  std::string spanish_package = "sword-text-sparv";
  bool force = false;  // rebuild even if a complete corpus exists
};

// Exports, aligns, splits and writes, unless a complete corpus is already in out_dir.
absl::StatusOr<BibleCorpusCounts> BuildBibleCorpus(const BibleCorpusOptions& options);

}  // namespace nmt::datasets

#endif  // NMT_DATASETS_BIBLE_CORPUS_H_
