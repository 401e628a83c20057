#include "trainers/clip.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "base/check.h"

namespace nmt::trainers {
namespace {

// Elements per partial sum. Fixed, so that the order of additions (and hence the
// rounding of the norm) does not depend on the thread count.
constexpr int64_t kChunk = 1 << 14;

double SumOfSquares(const float* x, int64_t n) {
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> partial(chunks);
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const float* begin = x + c * kChunk;
    const int64_t size = std::min(kChunk, n - c * kChunk);
    double sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int64_t i = 0; i < size; ++i) sum += static_cast<double>(begin[i]) * begin[i];
    partial[c] = sum;
  }
  double total = 0;
  for (double p : partial) total += p;
  return total;
}

void Scale(float alpha, float* x, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n >= internal::kParallelUpdateThreshold)
  for (int64_t i = 0; i < n; ++i) x[i] *= alpha;
}

}  // namespace

double GlobalGradNorm(const NamedParameters& parameters) {
  double sum = 0;
  for (const auto& [name, param] : parameters) {
    const Tensor& grad = param->grad();
    if (grad.defined()) sum += SumOfSquares(grad.data(), grad.size());
  }
  return std::sqrt(sum);
}

GradClip ClipGradNorm(const NamedParameters& parameters, double max_norm) {
  NMT_CHECK(max_norm > 0) << "ClipGradNorm: max_norm " << max_norm << " must be positive";
  GradClip clip;
  clip.norm = GlobalGradNorm(parameters);
  if (ShouldSkipStep(clip.norm)) return clip;
  const double coefficient = max_norm / (clip.norm + kClipEpsilon);
  if (coefficient >= 1) return clip;
  clip.coefficient = coefficient;
  for (auto& [name, param] : parameters) {
    Tensor& grad = param->grad();
    if (grad.defined()) Scale(static_cast<float>(coefficient), grad.data(), grad.size());
  }
  return clip;
}

bool ShouldSkipStep(double grad_norm) { return !std::isfinite(grad_norm); }

std::optional<NonFiniteGrad> FirstNonFiniteGrad(const NamedParameters& parameters) {
  for (const auto& [name, param] : parameters) {
    const Tensor& grad = param->grad();
    if (!grad.defined()) continue;
    const float* g = grad.data();
    for (int64_t i = 0; i < grad.size(); ++i) {
      if (!std::isfinite(g[i])) return NonFiniteGrad{name, i, g[i]};
    }
  }
  return std::nullopt;
}

}  // namespace nmt::trainers
