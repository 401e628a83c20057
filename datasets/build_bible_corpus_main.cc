// Builds the default English→Spanish Bible corpus (see datasets/bible_corpus.h).
//
//   bazel run //datasets:build_bible_corpus -- --out_dir=$PWD/data/bible
//
// Needs the Debian packages libsword-utils, sword-text-web and sword-text-sparv.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "base/flags.h"
#include "datasets/bible_corpus.h"

ABSL_FLAG(std::string, out_dir, "", "Directory for {train,dev,test}.{en,es,refs} and MANIFEST.");
ABSL_FLAG(std::string, english_module, "engWEB2015eb", "SWORD module of the English side.");
ABSL_FLAG(std::string, spanish_module, "spaRV1909eb", "SWORD module of the Spanish side.");
ABSL_FLAG(bool, force, false, "Rebuild even if a complete corpus is already in --out_dir.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Builds the English-Spanish Bible corpus from SWORD modules.");
  nmt::ParseFlagsOrExit(argc, argv);
  nmt::datasets::BibleCorpusOptions options;
  options.out_dir = absl::GetFlag(FLAGS_out_dir);
  options.english_module = absl::GetFlag(FLAGS_english_module);
  options.spanish_module = absl::GetFlag(FLAGS_spanish_module);
  options.force = absl::GetFlag(FLAGS_force);
  absl::StatusOr<nmt::datasets::BibleCorpusCounts> counts = nmt::datasets::BuildBibleCorpus(options);
  if (!counts.ok()) {
    std::fprintf(stderr, "build_bible_corpus: %s\n", counts.status().ToString().c_str());
    return 1;
  }
  std::printf("%s: train %lld, dev %lld, test %lld pairs\n", options.out_dir.c_str(),
              static_cast<long long>(counts->train), static_cast<long long>(counts->dev),
              static_cast<long long>(counts->test));
  return 0;
}
