// data_parallel_bench: training speed with N processes on one global batch, run under
// mpirun (trainers/DISTRIBUTED.md; scaling_benchmark.sh runs 1 and 2 side by side):
//
//   mpirun -np 2 bazel-bin/tools/data_parallel_bench --model=rnnsearch --config=small --threads=1
//
// Every rank makes the same model and the same synthetic global batches (tools/bench's
// sizes: `small` is 64 pairs of 30 tokens) and runs trainers/train_step.h's
// data-parallel TrainStep: its shard, the gradient all-reduce, clipping, Adadelta.
// Rank 0 prints one JSON line: ms per step (median; a step is as slow as its slowest
// rank), target tokens per second of the global batch, and the all-reduce of the
// gradients alone (median of as many calls), with the bytes it sums.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "base/flags.h"
#include "datasets/batch.h"
#include "datasets/special_ids.h"
#include "models/registry.h"
#include "tools/bench_workload.h"
#include "tools/device_flag.h"
#include "trainers/adadelta.h"
#include "trainers/clip.h"
#include "trainers/gradient_allreduce.h"
#include "trainers/mpi_communicator.h"
#include "trainers/train_step.h"

ABSL_FLAG(std::string, model, nmt::models::DefaultModel().name, "a model of models/registry.cc");
ABSL_FLAG(std::string, config, "small", "tiny, small or paper (tools/bench's sizes)");
ABSL_FLAG(int, threads, 1, "CPU threads per rank");
ABSL_FLAG(int, steps, 10, "timed training steps");
ABSL_FLAG(int, warmup, 2, "untimed steps first");
ABSL_FLAG(uint64_t, seed, 1234, "initialisation and data seed");

namespace nmt::tools {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Run() {
  absl::StatusOr<std::unique_ptr<trainers::Communicator>> comm = trainers::MakeCommunicator("cpu");
  if (!comm.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(comm.status().message()).c_str());
    return kExitDataError;
  }
  const std::string model_name = absl::GetFlag(FLAGS_model), config = absl::GetFlag(FLAGS_config);
  const models::ModelEntry* entry = models::FindModel(model_name);
  const std::optional<BenchSizes> sizes = BenchSizesNamed(config);
  if (entry == nullptr || !sizes) {
    std::fprintf(stderr, "usage error: --model: one of %s; --config: tiny, small or paper\n",
                 models::RegisteredModelNames().c_str());
    return kExitUsageError;
  }
  const BenchSizes& c = *sizes;
  const models::ModelConfig mc = BenchModelConfig(entry->kind, c, absl::GetFlag(FLAGS_seed));
  int exit_code = 0;
  std::unique_ptr<DeviceContext> context = DeviceContextFromFlag(absl::GetFlag(FLAGS_threads), exit_code);
  if (context == nullptr) return exit_code;
  std::unique_ptr<models::Model> model = *models::MakeModel(mc);
  model->MoveTo(*context);
  trainers::Adadelta optimizer(model->NamedParameters());
  trainers::GradientAllReducer reducer(**comm);
  Tape tape(*context);
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed) + 1);
  const int warmup = absl::GetFlag(FLAGS_warmup), steps = std::max(1, absl::GetFlag(FLAGS_steps));
  std::vector<double> seconds;
  int64_t tokens = 0;
  for (int step = 0; step < warmup + steps; ++step) {
    const datasets::Batch batch = datasets::MakeBatch(RandomSentences(rng, c.batch, c.length, c.vocab),
                                                      RandomSentences(rng, c.batch, c.length, c.vocab));
    if (absl::Status s = (*comm)->Barrier(); !s.ok()) return kExitDataError;
    const auto start = std::chrono::steady_clock::now();
    const trainers::StepResult r =
        trainers::TrainStep(*model, optimizer, tape, batch, trainers::kPaperMaxGradNorm, reducer);
    if (!r.status.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(r.status.message()).c_str());
      (*comm)->Abort(kExitDataError);
    }
    if (step >= warmup) seconds.push_back(SecondsSince(start));
    tokens = batch.num_target_tokens();
  }
  // The all-reduce alone, on the gradients the last step left.
  std::vector<double> reduce_seconds;
  if ((*comm)->size() > 1) {
    for (int i = 0; i < steps; ++i) {
      if (absl::Status s = (*comm)->Barrier(); !s.ok()) return kExitDataError;
      const auto start = std::chrono::steady_clock::now();
      if (absl::Status s = reducer.AllReduce(optimizer.parameters(), 1.0f, {}); !s.ok()) return kExitDataError;
      reduce_seconds.push_back(SecondsSince(start));
    }
  }
  if ((*comm)->rank() != 0) return 0;
  const double step_s = Median(seconds);
  const double reduce_ms = reduce_seconds.empty() ? 0.0 : 1e3 * Median(reduce_seconds);
  std::printf(
      "{\"model\": \"%s\", \"config\": \"%s\", \"ranks\": %d, \"threads\": %d, \"params\": %lld, "
      "\"global_batch\": %lld, \"target_tokens_per_step\": %lld, \"ms_per_step\": %.1f, \"target_tokens_per_s\": %.1f, "
      "\"allreduce_ms\": %.2f, \"allreduce_calls_per_step\": %lld, \"allreduce_bytes\": %lld}\n",
      model_name.c_str(), config.c_str(), (*comm)->size(), absl::GetFlag(FLAGS_threads),
      static_cast<long long>(model->NumScalars()), static_cast<long long>(c.batch), static_cast<long long>(tokens),
      1e3 * step_s, tokens / step_s, reduce_ms,
      static_cast<long long>((*comm)->size() > 1 ? reducer.calls() / (warmup + 2 * steps) : 0),
      static_cast<long long>(4 * model->NumScalars()));
  return 0;
}

}  // namespace
}  // namespace nmt::tools

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Training speed with N processes on one global batch, under mpirun.\n  mpirun -np 2 data_parallel_bench "
      "--model=rnnsearch --config=small --threads=1");
  nmt::ParseFlagsOrExit(argc, argv);
  return nmt::tools::Run();
}
