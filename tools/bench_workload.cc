#include "tools/bench_workload.h"

#include <algorithm>

#include "datasets/special_ids.h"

namespace nmt::tools {

std::optional<BenchSizes> BenchSizesNamed(const std::string& name) {
  if (name == "tiny") return BenchSizes{50, 8, 16, 12, 6, 3, 7};
  if (name == "small") return BenchSizes{8000, 256, 512, 512, 256, 64, 30};
  if (name == "paper") return BenchSizes{30000, 620, 1000, 1000, 500, 80, 30};
  return std::nullopt;
}

models::ModelConfig BenchModelConfig(models::ModelConfig::Kind kind, const BenchSizes& sizes, uint64_t seed) {
  models::ModelConfig config;
  config.set_kind(kind);
  config.set_src_vocab(sizes.vocab);
  config.set_tgt_vocab(sizes.vocab);
  config.set_m(sizes.m);
  config.set_n(sizes.n);
  config.set_n_align(sizes.n_align);
  config.set_l(sizes.l);
  config.set_seed(seed);
  return config;
}

std::vector<std::vector<int32_t>> RandomSentences(std::mt19937_64& rng, int64_t count, int64_t length, int64_t vocab) {
  std::uniform_int_distribution<int32_t> word(2, static_cast<int32_t>(vocab - 1));
  std::vector<std::vector<int32_t>> out(count);
  for (auto& s : out) {
    for (int64_t t = 0; t + 1 < length; ++t) s.push_back(word(rng));
    s.push_back(datasets::kEosId);
  }
  return out;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t h = values.size() / 2;
  return values.size() % 2 ? values[h] : 0.5 * (values[h - 1] + values[h]);
}

}  // namespace nmt::tools
