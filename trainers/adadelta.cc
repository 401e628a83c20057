#include "trainers/adadelta.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace nmt::trainers {

Adadelta::Adadelta(NamedParameters parameters, AdadeltaOptions options)
    : Optimizer("adadelta", std::move(parameters), {"square_avg", "acc_delta"}), options_(options) {
  CheckOptions(Validate(options));
}

absl::Status Validate(const AdadeltaOptions& options) {
  if (options.lr >= 0 && options.rho >= 0 && options.rho <= 1 && options.eps >= 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("Adadelta: invalid options lr=", options.lr, " rho=", options.rho,
                                                 " eps=", options.eps, " (need lr >= 0, 0 <= rho <= 1, eps >= 0)"));
}

void Adadelta::Update(int64_t /*step*/, int64_t n, const float* grad, float* value, absl::Span<float* const> slots) {
  // Hyper-parameters in f32, as PyTorch's CPU kernels use them on f32 tensors.
  const float rho = static_cast<float>(options_.rho);
  const float one_minus_rho = static_cast<float>(1.0 - options_.rho);
  const float eps = static_cast<float>(options_.eps);
  const float neg_lr = static_cast<float>(-(options_.lr * lr_scale()));
  float* __restrict square_avg = slots[0];
  float* __restrict acc_delta = slots[1];
#pragma omp parallel for simd schedule(static) if (n >= internal::kParallelUpdateThreshold)
  for (int64_t i = 0; i < n; ++i) {
    const float g = grad[i];
    const float v = square_avg[i] * rho + one_minus_rho * g * g;
    const float delta = std::sqrt(acc_delta[i] + eps) / std::sqrt(v + eps) * g;
    square_avg[i] = v;
    acc_delta[i] = acc_delta[i] * rho + one_minus_rho * delta * delta;
    value[i] += neg_lr * delta;
  }
}

}  // namespace nmt::trainers
