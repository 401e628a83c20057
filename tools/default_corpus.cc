#include "tools/default_corpus.h"

#include <cstdio>
#include <fstream>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "datasets/bible_corpus.h"
#include "tools/user_path.h"
#include "trainers/train_config.h"

namespace nmt::tools {

absl::Status EnsureCorpus(const trainers::DataConfig& d) {
  if (!d.train_src().empty() || datasets::FindCompleteCorpus(d.corpus_dir()).has_value()) return absl::OkStatus();
  if (std::ifstream(d.corpus_dir() + "/train." + d.src_lang()).good()) return absl::OkStatus();
  // Only the default corpus is built; another directory without a corpus is the user's mistake.
  if (d.corpus_dir() != ResolveUserPath(trainers::DefaultTrainConfig().data().corpus_dir()) || d.src_lang() != "en" ||
      d.tgt_lang() != "es") {
    return absl::NotFoundError(absl::StrCat("no corpus in ", d.corpus_dir(), ": expected train/dev/test.", d.src_lang(),
                                            " and .", d.tgt_lang(),
                                            " files (or --train_src and the other file flags)"));
  }
  std::fprintf(stderr, "building the default corpus (WEB + Reina-Valera 1909) in %s ...\n", d.corpus_dir().c_str());
  datasets::BibleCorpusOptions options;
  options.out_dir = d.corpus_dir();
  absl::StatusOr<datasets::BibleCorpusCounts> counts = datasets::BuildBibleCorpus(options);
  if (!counts.ok()) return counts.status();
  std::fprintf(stderr, "corpus: %lld train, %lld dev, %lld test pairs\n", static_cast<long long>(counts->train),
               static_cast<long long>(counts->dev), static_cast<long long>(counts->test));
  return absl::OkStatus();
}

}  // namespace nmt::tools
