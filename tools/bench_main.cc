// bench: training (and optionally decoding) speed of any registered model, printed
// as one JSON line with the same fields and FLOP formula as the PyTorch
// reference's `bench` (../shared/reference/README.md, "bench JSON fields"), so the
// two can be compared side by side on one machine.
//
//   bazel run -c opt //tools:bench -- --model=rnnsearch --config=small --threads=2 --steps=5
//
// A step is forward + backward + global-norm clipping at 1.0 + an optimizer update
// on a fresh synthetic batch (seeded), with trainers/ (PyTorch's formulas and
// defaults: Adadelta rho 0.95, eps 1e-6, lr 1; Adam lr 1e-3).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/flags.h"
#include "datasets/batch.h"
#include "datasets/special_ids.h"
#include "models/registry.h"
#include "models/search.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "ops/backend.h"
#include "ops/matmul.h"
#include "tools/bench_workload.h"
#include "tools/device_flag.h"
#include "trainers/adadelta.h"
#include "trainers/adam.h"
#include "trainers/clip.h"
#include "trainers/thread_governor.h"
#include "trainers/train_step.h"

ABSL_FLAG(std::string, model, nmt::models::DefaultModel().name,
          "a model of models/registry.cc: rnnsearch, rnnencdec, ...");
ABSL_FLAG(std::string, config, "small", "tiny, small or paper (the reference's table)");
ABSL_FLAG(int, threads, 2, "CPU threads");
ABSL_FLAG(bool, adapt_threads, true,
          "as train: fewer threads while other processes keep cores busy (trainers/thread_governor.h)");
ABSL_FLAG(std::string, precision, "f32",
          "matrix products in f32, bf16 (f32 accumulation) or auto (bf16 where faster: AMX, AMD AVX512-BF16)");
ABSL_FLAG(int, steps, 10, "timed training steps (0: none)");
ABSL_FLAG(int, warmup, 3, "untimed steps first");
ABSL_FLAG(std::string, optimizer, "adadelta", "adadelta or adam");
ABSL_FLAG(std::string, decode, "none", "none, greedy or beamK (e.g. beam5)");
ABSL_FLAG(int, decode_sentences, 50, "sentences to decode");
ABSL_FLAG(int, beam_batch, 16, "sentences beam search decodes at once (1: one by one, as the reference)");
ABSL_FLAG(double, max_len_factor, 2.0, "output length limit, in source lengths");
ABSL_FLAG(bool, length_norm, false, "rank finished hypotheses by score / length");
ABSL_FLAG(double, peak_gflops, 0,
          "the GFLOP/s fraction_of_peak divides by (0: measured here, the best of 3 runs of one "
          "2048x2048x2048 f32 product on the same threads)");
ABSL_FLAG(uint64_t, seed, 1234, "initialisation and data seed");

namespace nmt::models {
namespace {

using tools::BenchSizes;
using tools::Median;
using tools::RandomSentences;

std::string Num(double v) { return absl::StrFormat("%.4g", v); }

struct BenchFlags {
  std::string model, config, decode, optimizer;
  int threads = 0, steps = 0, warmup = 0;
  int beam = 0;  // 0: greedy (or no decoding)
  MatmulPrecision precision = MatmulPrecision::kF32;
  ModelConfig::Kind kind = ModelConfig::KIND_UNSPECIFIED;
};

std::optional<BenchFlags> ParseBenchFlags() {
  BenchFlags f;
  f.model = absl::GetFlag(FLAGS_model);
  f.config = absl::GetFlag(FLAGS_config);
  f.decode = absl::GetFlag(FLAGS_decode);
  f.optimizer = absl::GetFlag(FLAGS_optimizer);
  f.threads = absl::GetFlag(FLAGS_threads);
  f.steps = absl::GetFlag(FLAGS_steps);
  f.warmup = absl::GetFlag(FLAGS_warmup);
  const ModelEntry* entry = FindModel(f.model);
  if (entry == nullptr) {
    std::fprintf(stderr, "bench: --model must be one of %s\n", RegisteredModelNames().c_str());
    return std::nullopt;
  }
  f.kind = entry->kind;
  const absl::StatusOr<MatmulPrecision> precision = ParseMatmulPrecision(
      absl::GetFlag(FLAGS_precision), ParseDevice(absl::GetFlag(FLAGS_device)).value_or(Device::kCPU));
  if (!precision.ok()) {
    std::fprintf(stderr, "bench: --precision: %s\n", std::string(precision.status().message()).c_str());
    return std::nullopt;
  }
  f.precision = *precision;
  if (f.decode != "none" && f.decode != "greedy" &&
      !(f.decode.rfind("beam", 0) == 0 && absl::SimpleAtoi(f.decode.substr(4), &f.beam) && f.beam > 0)) {
    std::fprintf(stderr, "bench: --decode: expected none, greedy or beamK, got %s\n", f.decode.c_str());
    return std::nullopt;
  }
  return f;
}

// This machine's f32 matrix-product ceiling on the bench's context: a nominal peak is
// wrong on every machine but one (turbo, AVX-512 frequency, AVX2-only CPUs).
double MeasuredPeakGflops(DeviceContext& context) {
  constexpr int64_t kSize = 2048;
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  const Tensor a = context.ToDevice(Tensor::Full({kSize, kSize}, 0.5f));
  const Tensor b = context.ToDevice(Tensor::Full({kSize, kSize}, 0.25f));
  double best = 0;
  for (int run = 0; run < 4; ++run) {  // the first one creates the primitive
    const auto start = std::chrono::steady_clock::now();
    MatMul(tape.Constant(a), tape.Constant(b));
    context.Synchronize();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (run > 0) best = std::max(best, 2.0 * kSize * kSize * kSize / s / 1e9);
    tape.Reset();
  }
  return best;
}

// The training fields: --warmup untimed, then --steps timed TrainSteps on fresh batches.
std::string TrainingJson(const BenchFlags& f, const BenchSizes& c, Model& model, DeviceContext& context) {
  if (f.steps <= 0) {
    return R"("target_tokens_per_step": null, "target_tokens_per_s": null, "ms_per_step": null, )"
           R"("ms_per_step_min": null, "ms_per_step_max": null, "est_train_gflop_per_step": null, )"
           R"("gflop_per_s": null, "peak_gflops": null, "fraction_of_peak": null, "threads_per_step": null)";
  }
  std::unique_ptr<trainers::Optimizer> opt;
  if (f.optimizer == "adam") {
    opt = std::make_unique<trainers::Adam>(model.NamedParameters());
  } else {
    opt = std::make_unique<trainers::Adadelta>(model.NamedParameters());
  }
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed) + 1);
  Tape tape(context);
  std::vector<double> seconds;
  int64_t tokens = 0;
  std::optional<trainers::ThreadGovernor> governor;
  if (absl::GetFlag(FLAGS_adapt_threads)) governor.emplace(context.host_threads(), absl::Seconds(1));
  std::vector<int> threads_used;
  for (int step = 0; step < f.warmup + f.steps; ++step) {
    if (governor) {
      if (std::optional<int> threads = governor->Poll()) context.SetHostThreads(*threads);
    }
    if (step >= f.warmup) threads_used.push_back(context.host_threads());
    const datasets::Batch batch = datasets::MakeBatch(RandomSentences(rng, c.batch, c.length, c.vocab),
                                                      RandomSentences(rng, c.batch, c.length, c.vocab));
    const auto start = std::chrono::steady_clock::now();
    trainers::TrainStep(model, *opt, tape, batch, trainers::kPaperMaxGradNorm);
    context.Synchronize();  // a device's update may still be queued
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (step >= f.warmup) seconds.push_back(s);
    tokens = batch.num_target_tokens();
  }
  std::vector<double> rates;
  for (double s : seconds) rates.push_back(tokens / s);
  const double median = Median(seconds);
  // Training = 3 × forward; null where the model does not count its products.
  const double gflop = 3 * model.ForwardFlops(c.batch, c.length, c.length) / 1e9;
  const double peak =
      absl::GetFlag(FLAGS_peak_gflops) > 0 ? absl::GetFlag(FLAGS_peak_gflops) : MeasuredPeakGflops(context);
  auto num_or_null = [&](double v) { return gflop > 0 ? Num(v) : std::string("null"); };
  return absl::StrFormat(R"("target_tokens_per_step": %d, "target_tokens_per_s": %.1f, "ms_per_step": %.1f, )"
                         R"("ms_per_step_min": %.1f, "ms_per_step_max": %.1f, "est_train_gflop_per_step": %s, )"
                         R"("gflop_per_s": %s, "peak_gflops": %s, "fraction_of_peak": %s, "threads_per_step": [%s])",
                         tokens, Median(rates), 1e3 * median, 1e3 * *std::min_element(seconds.begin(), seconds.end()),
                         1e3 * *std::max_element(seconds.begin(), seconds.end()), num_or_null(gflop),
                         num_or_null(gflop / median), Num(peak),
                         gflop > 0 ? absl::StrFormat("%.3g", gflop / median / peak) : std::string("null"),
                         absl::StrJoin(threads_used, ", "));
}

// The decoding fields: --decode_sentences random sources, greedy in batches or beam one by one.
std::string DecodingJson(const BenchFlags& f, const BenchSizes& c, Model& model, DeviceContext& context) {
  if (f.decode == "none") {
    return R"("decode": null, "decode_sentences": null, "decode_max_len": null, "decode_mean_len": null, )"
           R"("decode_sentences_per_s": null)";
  }
  const int count = absl::GetFlag(FLAGS_decode_sentences);
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed) + 2);
  const auto sources = RandomSentences(rng, count, c.length, c.vocab);
  SearchOptions options{.beam_size = std::max(f.beam, 1),
                        .max_len_factor = static_cast<float>(absl::GetFlag(FLAGS_max_len_factor)),
                        .length_norm = absl::GetFlag(FLAGS_length_norm)};
  int64_t words = 0;
  const auto start = std::chrono::steady_clock::now();
  if (f.beam == 0) {
    for (int i = 0; i < count; i += c.batch) {
      std::vector<std::vector<int32_t>> chunk(sources.begin() + i,
                                              sources.begin() + std::min<int64_t>(count, i + c.batch));
      for (const Hypothesis& h : GreedySearch(model, context, datasets::MakeBatch(chunk, {}), options))
        words += h.ids.size();
    }
  } else {
    const int per_batch = std::max(1, absl::GetFlag(FLAGS_beam_batch));
    for (int i = 0; i < count; i += per_batch) {
      std::vector<std::vector<int32_t>> chunk(sources.begin() + i,
                                              sources.begin() + std::min<int64_t>(count, i + per_batch));
      for (const std::vector<Hypothesis>& nbest :
           BatchBeamSearch(model, context, datasets::MakeBatch(chunk, {}), options))
        words += nbest[0].ids.size();
    }
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return absl::StrFormat(R"("decode": "%s", "decode_sentences": %d, "decode_max_len": %d, "decode_mean_len": %.2f, )"
                         R"("decode_sentences_per_s": %.3f, "decode_beam_batch": %d)",
                         f.decode, count, static_cast<int>(c.length * options.max_len_factor),
                         static_cast<double>(words) / count, count / elapsed,
                         f.beam > 0 ? std::max(1, absl::GetFlag(FLAGS_beam_batch)) : 0);
}

int Run() {
  const std::optional<BenchFlags> flags = ParseBenchFlags();
  if (!flags) return 2;
  const BenchFlags& f = *flags;
  const std::optional<BenchSizes> sizes = tools::BenchSizesNamed(f.config);
  if (!sizes) {
    std::fprintf(stderr, "bench: --config: expected tiny, small or paper, got %s\n", f.config.c_str());
    return 2;
  }
  const BenchSizes& c = *sizes;
  const ModelConfig config = tools::BenchModelConfig(f.kind, c, absl::GetFlag(FLAGS_seed));
  int exit_code = 0;
  std::unique_ptr<DeviceContext> context = tools::DeviceContextFromFlag(f.threads, exit_code);
  if (context == nullptr) return exit_code;
  context->set_matmul_precision(f.precision);
  std::unique_ptr<Model> model = *MakeModel(config);
  model->MoveTo(*context);

  std::vector<std::string> fields = {absl::StrCat(R"("device": ")", DeviceName(context->device()), "\""),
                                     absl::StrCat(R"("model": ")", f.model, "\""),
                                     absl::StrCat(R"("config": ")", f.config, "\""),
                                     absl::StrCat(R"("threads": )", f.threads),
                                     absl::StrCat(R"("precision": ")", MatmulPrecisionName(f.precision), "\""),
                                     absl::StrCat(R"("batch": )", c.batch),
                                     absl::StrCat(R"("src_len": )", c.length),
                                     absl::StrCat(R"("tgt_len": )", c.length),
                                     absl::StrCat(R"("params": )", model->NumScalars()),
                                     absl::StrCat(R"("optimizer": ")", f.optimizer, "\""),
                                     absl::StrCat(R"("warmup": )", f.warmup),
                                     absl::StrCat(R"("steps": )", f.steps)};
  fields.push_back(TrainingJson(f, c, *model, *context));
  if (f.decode != "none") {
    model = *MakeModel(config);  // fresh: decoding ignores the training steps
    model->MoveTo(*context);
  }
  fields.push_back(DecodingJson(f, c, *model, *context));
  const dnnl_version_t* v = dnnl_version();
  fields.push_back(R"("torch": null)");
  fields.push_back(absl::StrFormat(R"("blas": "oneDNN %d.%d.%d")", v->major, v->minor, v->patch));
  std::printf("{%s}\n", absl::StrJoin(fields, ", ").c_str());
  return 0;
}

}  // namespace
}  // namespace nmt::models

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Training and decoding speed of a model, as one JSON line with the reference bench fields.\n  bench "
      "--model=rnnsearch --config=small --threads=2 [--steps=10] [--decode=beam5]");
  nmt::ParseFlagsOrExit(argc, argv);
  return nmt::models::Run();
}
