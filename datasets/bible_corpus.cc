#include "datasets/bible_corpus.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/atomic_file.h"
#include "base/fnv1a.h"
#include "datasets/osis_cleaner.h"
#include "datasets/text_file.h"

namespace nmt::datasets {
namespace {

constexpr char kManifestName[] = "MANIFEST";
constexpr char kManifestFormat[] = "bible-corpus-v1";
constexpr const char* kSplitNames[] = {"train", "dev", "test"};
constexpr const char* kFileKinds[] = {"en", "es", "refs"};

// Parses "Book Name C:V"; false for keys such as "[ Module Heading ]".
bool ParseReference(absl::string_view key, int& chapter, int& verse) {
  const size_t space = key.rfind(' ');
  if (space == absl::string_view::npos || space == 0) return false;
  std::pair<absl::string_view, absl::string_view> cv = absl::StrSplit(key.substr(space + 1), ':');
  return absl::SimpleAtoi(cv.first, &chapter) && absl::SimpleAtoi(cv.second, &verse);
}

std::string FilePath(const std::string& dir, absl::string_view split, absl::string_view kind) {
  return absl::StrCat(dir, "/", split, ".", kind);
}

int64_t& CountOf(BibleCorpusCounts& counts, int split) {
  return split == 0 ? counts.train : split == 1 ? counts.dev : counts.test;
}

bool IsExecutableOnPath(absl::string_view program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    if (access(absl::StrCat(dir, "/", program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

}  // namespace

std::vector<ImpEntry> ParseImp(absl::string_view imp_text) {
  std::vector<ImpEntry> entries;
  bool in_verse = false;
  for (absl::string_view line : absl::StrSplit(imp_text, '\n')) {
    if (absl::ConsumePrefix(&line, "$$$")) {
      line = absl::StripAsciiWhitespace(line);
      ImpEntry entry;
      in_verse = ParseReference(line, entry.chapter, entry.verse);
      if (in_verse) {
        entry.reference = std::string(line);
        entries.push_back(std::move(entry));
      }
      continue;
    }
    if (!in_verse) continue;
    std::string& markup = entries.back().markup;
    if (!markup.empty()) markup += '\n';
    absl::StrAppend(&markup, line);
  }
  return entries;
}

std::vector<VersePair> AlignVerses(const std::vector<ImpEntry>& english, const std::vector<ImpEntry>& spanish) {
  absl::flat_hash_map<absl::string_view, const ImpEntry*> spanish_by_reference;
  for (const ImpEntry& entry : spanish) spanish_by_reference[entry.reference] = &entry;
  std::vector<VersePair> pairs;
  for (const ImpEntry& entry : english) {
    if (entry.chapter <= 0 || entry.verse <= 0) continue;
    auto it = spanish_by_reference.find(entry.reference);
    if (it == spanish_by_reference.end()) continue;
    VersePair pair{entry.reference, CleanOsis(entry.markup), CleanOsis(it->second->markup)};
    if (pair.english.empty() || pair.spanish.empty()) continue;
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

Split SplitOf(absl::string_view reference) {
  const uint64_t bucket = Fnv1a64(reference) % 1000;
  if (bucket < 64) return Split::kTest;
  if (bucket < 96) return Split::kDev;
  return Split::kTrain;
}

absl::StatusOr<BibleCorpusCounts> WriteBibleCorpus(const std::vector<VersePair>& pairs, const std::string& out_dir) {
  // contents[split][kind]
  std::string contents[3][3];
  BibleCorpusCounts counts;
  for (const VersePair& pair : pairs) {
    const int split = static_cast<int>(SplitOf(pair.reference));
    absl::StrAppend(&contents[split][0], pair.english, "\n");
    absl::StrAppend(&contents[split][1], pair.spanish, "\n");
    absl::StrAppend(&contents[split][2], pair.reference, "\n");
    ++CountOf(counts, split);
  }
  // Remove a stale manifest first: until the new one is written the directory is incomplete.
  std::remove(absl::StrCat(out_dir, "/", kManifestName).c_str());
  for (int split = 0; split < 3; ++split) {
    for (int kind = 0; kind < 3; ++kind) {
      absl::Status status =
          WriteFileAtomically(FilePath(out_dir, kSplitNames[split], kFileKinds[kind]), contents[split][kind]);
      if (!status.ok()) return status;
    }
  }
  const std::string manifest =
      absl::StrCat(kManifestFormat, "\ntrain ", counts.train, "\ndev ", counts.dev, "\ntest ", counts.test, "\n");
  absl::Status status = WriteFileAtomically(absl::StrCat(out_dir, "/", kManifestName), manifest);
  if (!status.ok()) return status;
  return counts;
}

std::optional<BibleCorpusCounts> FindCompleteCorpus(const std::string& out_dir) {
  absl::StatusOr<std::vector<std::string>> manifest = ReadLines(absl::StrCat(out_dir, "/", kManifestName));
  if (!manifest.ok() || manifest->size() != 4 || (*manifest)[0] != kManifestFormat) {
    return std::nullopt;
  }
  BibleCorpusCounts counts;
  for (int split = 0; split < 3; ++split) {
    std::pair<absl::string_view, absl::string_view> fields = absl::StrSplit((*manifest)[split + 1], ' ');
    int64_t& count = CountOf(counts, split);
    if (fields.first != kSplitNames[split] || !absl::SimpleAtoi(fields.second, &count)) {
      return std::nullopt;
    }
    for (const char* kind : kFileKinds) {
      absl::StatusOr<std::vector<std::string>> lines = ReadLines(FilePath(out_dir, kSplitNames[split], kind));
      if (!lines.ok() || static_cast<int64_t>(lines->size()) != count) return std::nullopt;
    }
  }
  return counts;
}

absl::StatusOr<std::string> ExportSwordModule(const std::string& module, const std::string& debian_package) {
  if (!IsExecutableOnPath("mod2imp")) {
    return absl::NotFoundError("mod2imp not found on PATH; install the Debian package libsword-utils");
  }
  // The module name goes into a shell command line: allow only what SWORD names contain.
  for (char c : module) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return absl::InvalidArgumentError(absl::StrCat("bad SWORD module name \"", module, "\""));
    }
  }
  const std::string command = absl::StrCat("mod2imp ", module, " 2>/dev/null");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError(absl::StrCat("cannot run ", command));
  std::string output;
  char buffer[1 << 16];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0 || ParseImp(output).empty()) {
    return absl::FailedPreconditionError(absl::StrCat("mod2imp ", module, " exported no verses (exit status ",
                                                      WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                                                      "); install the Debian package ", debian_package));
  }
  return output;
}

absl::StatusOr<BibleCorpusCounts> BuildBibleCorpus(const BibleCorpusOptions& options) {
  if (options.out_dir.empty()) return absl::InvalidArgumentError("out_dir is empty");
  if (!options.force) {
    if (std::optional<BibleCorpusCounts> existing = FindCompleteCorpus(options.out_dir)) {
      return *existing;
    }
  }
  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);  // parents too: data/bible-en-es
  if (error) return absl::InternalError(absl::StrCat("cannot create ", options.out_dir, ": ", error.message()));
  absl::StatusOr<std::string> english = ExportSwordModule(options.english_module, options.english_package);
  if (!english.ok()) return english.status();
  absl::StatusOr<std::string> spanish = ExportSwordModule(options.spanish_module, options.spanish_package);
  if (!spanish.ok()) return spanish.status();
  std::vector<VersePair> pairs = AlignVerses(ParseImp(*english), ParseImp(*spanish));
  if (pairs.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no verse references shared by ", options.english_module, " and ", options.spanish_module));
  }
  return WriteBibleCorpus(pairs, options.out_dir);
}

}  // namespace nmt::datasets
