// Translates text with a trained run: one sentence a line from a file or stdin,
// translations on stdout in order.
//
//   bazel run //tools:translate -- --run_dir=$PWD/runs/default --beam=5 < input.en
//   bazel run //tools:translate -- --run_dir=... --input=test.en --nbest=3        # "i ||| text ||| score"
//   bazel run //tools:translate -- --run_dir=... --input=test.en --alignments=$PWD/align   # PNG heatmaps
//   bazel run //tools:translate -- --run_dir=... --length_penalty=0.6 --coverage_penalty=0.2  # Wu et al. 2016
//   bazel run //tools:translate -- --run_dir=... --device=cuda    # on the GPU (a build with the CUDA backend)
//   bazel run //tools:translate -- --run_dir=... --precision=bf16 # bf16 matrix products (ops/PRECISION.md)
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/flags.h"
#include "datasets/text_file.h"
#include "ops/backend.h"
#include "tools/device_flag.h"
#include "tools/plot.h"
#include "tools/translator.h"
#include "tools/user_path.h"

ABSL_FLAG(std::string, run_dir, "", "a training run directory (config.textproto, vocab.*, *.ckpt)");
ABSL_FLAG(std::string, checkpoint, "", "checkpoint file (default: the run's best.ckpt, else checkpoint.ckpt)");
ABSL_FLAG(std::string, input, "-", "source sentences, one a line (- for stdin)");
ABSL_FLAG(int32_t, beam, 5, "beam size (1: greedy)");
ABSL_FLAG(int32_t, nbest, 1, "print this many hypotheses per sentence as 'i ||| text ||| score'");
ABSL_FLAG(std::optional<bool>, length_norm, std::nullopt,
          "rank finished hypotheses by log-probability per word (default: on, unless --length_penalty is given)");
ABSL_FLAG(double, length_penalty, 0.0,
          "Wu et al.'s length penalty alpha: rank by log P / ((5 + |Y|) / 6)^alpha (e.g. 0.6; 0: off)");
ABSL_FLAG(double, coverage_penalty, 0.0,
          "Wu et al.'s coverage penalty beta: + beta * sum_i log(min(attention to source word i, 1)) "
          "(e.g. 0.2; models with attention; 0: off)");
ABSL_FLAG(bool, suppress_unk, false, "never emit UNK");
ABSL_FLAG(double, max_len_factor, 2.0, "output length limit, in source lengths");
ABSL_FLAG(std::string, alignments, "", "write an attention heatmap per sentence into this directory");
ABSL_FLAG(int32_t, threads, 2, "CPU threads");
ABSL_FLAG(std::string, precision, "f32",
          "matrix products in f32, bf16 (f32 accumulation) or auto (bf16 where faster: AMX, AMD AVX512-BF16)");

namespace nmt::tools {
namespace {

int Run() {
  if (absl::GetFlag(FLAGS_run_dir).empty()) {
    std::fprintf(stderr, "error: --run_dir is required\n");
    return 2;
  }
  if (absl::GetFlag(FLAGS_beam) < 1 || absl::GetFlag(FLAGS_nbest) < 1 ||
      absl::GetFlag(FLAGS_nbest) > std::max(1, absl::GetFlag(FLAGS_beam))) {
    std::fprintf(stderr, "error: need --beam >= 1 and 1 <= --nbest <= --beam\n");
    return 2;
  }
  if (absl::GetFlag(FLAGS_threads) < 1 || !(absl::GetFlag(FLAGS_max_len_factor) > 0)) {
    std::fprintf(stderr, "error: need --threads >= 1 and --max_len_factor > 0\n");
    return 2;
  }
  const double length_penalty = absl::GetFlag(FLAGS_length_penalty);
  const double coverage_penalty = absl::GetFlag(FLAGS_coverage_penalty);
  if (!(length_penalty >= 0 && std::isfinite(length_penalty)) ||
      !(coverage_penalty >= 0 && std::isfinite(coverage_penalty))) {
    std::fprintf(stderr, "error: need finite --length_penalty >= 0 and --coverage_penalty >= 0 (0: off)\n");
    return 2;
  }
  const std::optional<bool> length_norm_flag = absl::GetFlag(FLAGS_length_norm);
  if (length_penalty > 0 && length_norm_flag.value_or(false)) {
    std::fprintf(stderr, "error: --length_penalty replaces --length_norm: give one of them\n");
    return 2;
  }
  const absl::StatusOr<MatmulPrecision> precision = ParseMatmulPrecision(
      absl::GetFlag(FLAGS_precision), ParseDevice(absl::GetFlag(FLAGS_device)).value_or(Device::kCPU));
  if (!precision.ok()) {
    std::fprintf(stderr, "error: --precision: %s\n", std::string(precision.status().message()).c_str());
    return 2;
  }
  int exit_code = 0;
  std::unique_ptr<DeviceContext> context = DeviceContextFromFlag(absl::GetFlag(FLAGS_threads), exit_code);
  if (context == nullptr) return exit_code;
  context->set_matmul_precision(*precision);
  const std::string checkpoint = absl::GetFlag(FLAGS_checkpoint);
  absl::StatusOr<std::unique_ptr<LoadedRun>> run = LoadRun(ResolveUserPath(absl::GetFlag(FLAGS_run_dir)), *context,
                                                           checkpoint.empty() ? "" : ResolveUserPath(checkpoint));
  if (!run.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(run.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<std::vector<std::string>> lines = datasets::ReadUtf8Lines(ResolveUserPath(absl::GetFlag(FLAGS_input)));
  if (!lines.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(lines.status().message()).c_str());
    return 1;
  }
  models::SearchOptions options;
  options.beam_size = absl::GetFlag(FLAGS_beam);
  options.length_norm = length_norm_flag.value_or(length_penalty == 0);
  options.length_penalty = length_penalty;
  options.coverage_penalty = coverage_penalty;
  options.suppress_unk = absl::GetFlag(FLAGS_suppress_unk);
  options.max_len_factor = static_cast<float>(absl::GetFlag(FLAGS_max_len_factor));
  LoadedRun& r = **run;
  Translator translator(*r.model, *context, *r.src_codec, *r.tgt_codec, options);
  const std::string alignments =
      absl::GetFlag(FLAGS_alignments).empty() ? "" : ResolveUserPath(absl::GetFlag(FLAGS_alignments));
  const int nbest = absl::GetFlag(FLAGS_nbest);
  // Decoded in batches of similar length (Translator::TranslateAll); printed in input order.
  const std::vector<Translation> translations = translator.TranslateAll(*lines);
  for (size_t i = 0; i < translations.size(); ++i) {
    const Translation& t = translations[i];
    if (nbest == 1) {
      std::printf("%s\n", t.text.c_str());
    } else {
      for (int k = 0; k < nbest && k < static_cast<int>(t.nbest.size()); ++k) {
        std::printf("%zu ||| %s ||| %.4f\n", i, r.tgt_codec->Decode(t.nbest[k].ids).c_str(), t.nbest[k].score);
      }
    }
    std::fflush(stdout);
    if (!alignments.empty() && t.alignment.defined()) {
      std::filesystem::create_directories(alignments);
      const std::string path = absl::StrCat(alignments, "/attention_", i + 1, ".png");
      absl::Status s = WriteAttentionHeatmap(path, r.src_codec->Labels(t.source_ids), r.tgt_codec->Labels(t.ids),
                                             t.alignment.values());
      if (!s.ok()) std::fprintf(stderr, "warning: %s\n", std::string(s.message()).c_str());
    }
  }
  return 0;
}

}  // namespace
}  // namespace nmt::tools

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Translates text with a trained run, one sentence a line (stdin or --input), to stdout.\n  translate "
      "--run_dir=RUN [--beam=5] [--nbest=N] [--input=FILE] [--alignments=DIR]");
  nmt::ParseFlagsOrExit(argc, argv);
  return nmt::tools::Run();
}
