#include "trainers/clip.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "base/check.h"
#include "ops/backend.h"

namespace nmt::trainers {
namespace {

std::vector<Tensor> DefinedGrads(const NamedParameters& parameters) {
  std::vector<Tensor> grads;
  grads.reserve(parameters.size());
  for (const auto& [name, param] : parameters) {
    if (param->grad().defined()) grads.push_back(param->grad());
  }
  return grads;
}

}  // namespace

double GlobalGradNorm(DeviceContext& context, const NamedParameters& parameters) {
  return std::sqrt(KernelsFor(context).sum_of_squares(context, DefinedGrads(parameters)));
}

GradClip ClipGradNorm(DeviceContext& context, const NamedParameters& parameters, double max_norm) {
  NMT_CHECK(max_norm > 0) << "ClipGradNorm: max_norm " << max_norm << " must be positive";
  GradClip clip;
  const std::vector<Tensor> grads = DefinedGrads(parameters);
  const Kernels& kernels = KernelsFor(context);
  clip.norm = std::sqrt(kernels.sum_of_squares(context, grads));
  if (ShouldSkipStep(clip.norm)) return clip;
  const double coefficient = max_norm / (clip.norm + kClipEpsilon);
  if (coefficient >= 1) return clip;
  clip.coefficient = coefficient;
  for (Tensor grad : grads) kernels.scale(context, static_cast<float>(coefficient), grad, grad);
  return clip;
}

bool ShouldSkipStep(double grad_norm) { return !std::isfinite(grad_norm); }

std::optional<NonFiniteGrad> FirstNonFiniteGrad(const NamedParameters& parameters) {
  for (const auto& [name, param] : parameters) {
    if (!param->grad().defined()) continue;
    const Tensor grad = param->grad().ToHost();
    const float* g = grad.data();
    for (int64_t i = 0; i < grad.size(); ++i) {
      if (!std::isfinite(g[i])) return NonFiniteGrad{name, i, g[i]};
    }
  }
  return std::nullopt;
}

}  // namespace nmt::trainers
