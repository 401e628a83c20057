// bleu: corpus BLEU of a hypothesis file against one or more reference files, printed as
// sacreBLEU 2.x prints it (see tools/bleu.h), then the signature on the next line.
//
//   bazel run //tools:bleu -- --ref=newstest2014.fr --hyp=out.fr
//   bazel run //tools:bleu -- --ref=ref1.fr --ref=ref2.fr --hyp=- < out.fr
//   bazel run //tools:bleu -- --ref=ref.fr --hyp=out.fr --score_only
//   bazel run //tools:bleu -- --ref=ref.fr --hyp=baseline.fr --paired_bootstrap=new.fr
//
// --paired_bootstrap=B also scores B and prints BLEU(B) − BLEU(hyp) with its 95% interval
// over --bootstrap_samples resamplings of the segments (Koehn 2004; sacreBLEU's --paired-bs).
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/flags.h"
#include "datasets/text_file.h"
#include "metrics/bleu.h"
#include "metrics/bleu_bootstrap.h"
#include "tools/user_path.h"

ABSL_FLAG(std::vector<std::string>, ref, {},
          "Reference file(s), one segment per line; repeat --ref (or separate by commas) "
          "for several references per segment.");
ABSL_FLAG(std::string, hyp, "-", "Hypothesis file, one segment per line; '-' is stdin.");
ABSL_FLAG(bool, score_only, false, "Print only the BLEU score, like sacreBLEU's -b.");
ABSL_FLAG(std::string, paired_bootstrap, "",
          "A second hypothesis file: also score it, and print its BLEU minus --hyp's with a 95% paired "
          "bootstrap interval (Koehn 2004).");
ABSL_FLAG(int32_t, bootstrap_samples, 1000, "Resamplings of --paired_bootstrap (> 0).");

namespace nmt::tools {
namespace {

// Abseil keeps only the last occurrence of a flag; fold every "--ref=X" / "--ref X" into
// one comma-separated --ref so that repeating the flag adds references.
std::vector<std::string> MergeRepeatedRefFlags(int argc, char** argv) {
  std::vector<std::string> args = {argv[0]};
  std::vector<std::string> refs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      args.insert(args.end(), argv + i, argv + argc);
      break;
    }
    if (absl::StartsWith(arg, "--ref=")) {
      refs.push_back(arg.substr(6));
    } else if (arg == "--ref" && i + 1 < argc) {
      refs.push_back(argv[++i]);
    } else {
      args.push_back(arg);
    }
  }
  if (!refs.empty()) args.push_back(absl::StrCat("--ref=", absl::StrJoin(refs, ",")));
  return args;
}

absl::Status Run() {
  const std::vector<std::string> ref_paths = absl::GetFlag(FLAGS_ref);
  if (ref_paths.empty()) return absl::InvalidArgumentError("give at least one --ref=FILE");
  const std::string hyp_path = ResolveUserPath(absl::GetFlag(FLAGS_hyp));

  absl::StatusOr<std::vector<std::string>> hyps = datasets::ReadUtf8Lines(hyp_path);
  if (!hyps.ok()) return hyps.status();
  std::vector<std::vector<std::string>> refs;
  for (const std::string& ref_path : ref_paths) {
    absl::StatusOr<std::vector<std::string>> ref = datasets::ReadUtf8Lines(ResolveUserPath(ref_path));
    if (!ref.ok()) return ref.status();
    if (ref->size() != hyps->size()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("line counts differ: hypotheses %s have %d lines, reference %s has %d",
                          hyp_path == "-" ? "<stdin>" : hyp_path, hyps->size(), ref_path, ref->size()));
    }
    refs.push_back(*std::move(ref));
  }

  absl::StatusOr<metrics::BleuScore> bleu = metrics::CorpusBleu(*hyps, refs);
  if (!bleu.ok()) return bleu.status();
  if (absl::GetFlag(FLAGS_score_only)) {
    std::cout << absl::StrFormat("%.2f", bleu->score) << "\n";
  } else {
    std::cout << bleu->Format() << "\n" << metrics::BleuSignature(refs) << "\n";
  }
  const std::string other_path = absl::GetFlag(FLAGS_paired_bootstrap);
  if (other_path.empty()) return absl::OkStatus();
  const int32_t samples = absl::GetFlag(FLAGS_bootstrap_samples);
  absl::StatusOr<std::vector<std::string>> other = datasets::ReadUtf8Lines(ResolveUserPath(other_path));
  if (!other.ok()) return other.status();
  if (other->size() != hyps->size()) {
    return absl::InvalidArgumentError(absl::StrFormat("line counts differ: %s has %d lines, %s has %d", other_path,
                                                      other->size(), hyp_path, hyps->size()));
  }
  absl::StatusOr<std::vector<metrics::BleuStats>> a = metrics::CorpusSegmentStats(*hyps, refs);
  if (!a.ok()) return a.status();
  absl::StatusOr<std::vector<metrics::BleuStats>> b = metrics::CorpusSegmentStats(*other, refs);
  if (!b.ok()) return b.status();
  const metrics::BootstrapInterval d = metrics::PairedBootstrap(*a, *b, samples, /*seed=*/1234);
  metrics::BleuStats other_total;  // B's segments are scored once, for the bootstrap and its line
  for (const metrics::BleuStats& segment : *b) other_total += segment;
  std::cout << other_path << ": " << metrics::ScoreFromStats(other_total).Format() << "\n"
            << absl::StrFormat(
                   "paired bootstrap, %d resamplings: %s - %s = %+.2f BLEU, 95%% interval [%+.2f, %+.2f]; "
                   "%s not better in %.1f%% of them\n",
                   d.samples, other_path, hyp_path, d.delta, d.low, d.high, other_path, 100 * d.p_b_not_better);
  return absl::OkStatus();
}

}  // namespace
}  // namespace nmt::tools

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Corpus BLEU as sacreBLEU 2.x computes it by default.\n"
      "  bleu --ref=REF [--ref=REF2 ...] --hyp=HYP|- [--score_only]");
  std::vector<std::string> args = nmt::tools::MergeRepeatedRefFlags(argc, argv);
  std::vector<char*> arg_pointers;
  for (std::string& arg : args) arg_pointers.push_back(arg.data());
  nmt::ParseFlagsOrExit(static_cast<int>(arg_pointers.size()), arg_pointers.data());
  if (const int32_t samples = absl::GetFlag(FLAGS_bootstrap_samples); samples <= 0) {
    std::cerr << "usage error: --bootstrap_samples=" << samples << ": must be > 0\n";
    return nmt::kExitUsageError;
  }

  const absl::Status status = nmt::tools::Run();
  if (!status.ok()) {
    std::cerr << "bleu: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
