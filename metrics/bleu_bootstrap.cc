#include "metrics/bleu_bootstrap.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "base/random.h"

namespace nmt::metrics {
namespace {

BleuStats Sum(absl::Span<const BleuStats> stats, absl::Span<const size_t> indices) {
  BleuStats total;
  for (size_t i : indices) total += stats[i];
  return total;
}

}  // namespace

BootstrapInterval PairedBootstrap(absl::Span<const BleuStats> a, absl::Span<const BleuStats> b, int samples,
                                  uint64_t seed) {
  BootstrapInterval out;
  const size_t n = std::min(a.size(), b.size());
  std::vector<size_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  out.delta = ScoreFromStats(Sum(b, all)).score - ScoreFromStats(Sum(a, all)).score;
  if (n == 0 || samples <= 0) return out;
  SplitMix64 rng(seed);
  std::vector<double> deltas;
  deltas.reserve(samples);
  std::vector<size_t> draw(n);
  int not_better = 0;
  for (int s = 0; s < samples; ++s) {
    for (size_t& i : draw) i = rng.Uniform(n);
    const double d = ScoreFromStats(Sum(b, draw)).score - ScoreFromStats(Sum(a, draw)).score;
    deltas.push_back(d);
    if (d <= 0) ++not_better;
  }
  std::sort(deltas.begin(), deltas.end());
  auto percentile = [&](double q) { return deltas[static_cast<size_t>(std::floor(q * (samples - 1)))]; };
  out.low = percentile(0.025);
  out.high = percentile(0.975);
  out.p_b_not_better = static_cast<double>(not_better) / samples;
  out.samples = samples;
  return out;
}

}  // namespace nmt::metrics
