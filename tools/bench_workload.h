// The benchmarks' synthetic workload, shared by //tools:bench and
// //tools:data_parallel_bench: the sizes of the PyTorch reference's bench table, a model
// config at those sizes, random sentences, and the median of the timings.
//
//   std::optional<BenchSizes> sizes = BenchSizesNamed("small");
//   models::ModelConfig config = BenchModelConfig(entry->kind, *sizes, seed);
//   datasets::Batch batch = datasets::MakeBatch(RandomSentences(rng, sizes->batch, sizes->length,
//                                               sizes->vocab), ...);
#ifndef NMT_TOOLS_BENCH_WORKLOAD_H_
#define NMT_TOOLS_BENCH_WORKLOAD_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "models/model_config.pb.h"

namespace nmt::tools {

struct BenchSizes {
  int64_t vocab, m, n, n_align, l, batch, length;
};

// "tiny", "small" or "paper"; nullopt for any other name.
std::optional<BenchSizes> BenchSizesNamed(const std::string& name);

models::ModelConfig BenchModelConfig(models::ModelConfig::Kind kind, const BenchSizes& sizes, uint64_t seed);

// `count` sentences of `length` ids: words uniform in [2, vocab) as the reference's bench
// draws them, then EOS.
std::vector<std::vector<int32_t>> RandomSentences(std::mt19937_64& rng, int64_t count, int64_t length, int64_t vocab);

double Median(std::vector<double> values);

}  // namespace nmt::tools

#endif  // NMT_TOOLS_BENCH_WORKLOAD_H_
