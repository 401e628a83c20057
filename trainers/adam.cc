#include "trainers/adam.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace nmt::trainers {

Adam::Adam(NamedParameters parameters, AdamOptions options)
    : Optimizer("adam", std::move(parameters), {"exp_avg", "exp_avg_sq"}), options_(options) {
  CheckOptions(Validate(options));
}

absl::Status Validate(const AdamOptions& options) {
  if (options.lr >= 0 && options.beta1 >= 0 && options.beta1 < 1 && options.beta2 >= 0 && options.beta2 < 1 &&
      options.eps >= 0) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("Adam: invalid options lr=", options.lr, " beta1=", options.beta1,
                                                 " beta2=", options.beta2, " eps=", options.eps,
                                                 " (need lr >= 0, 0 <= beta < 1, eps >= 0)"));
}

void Adam::Update(int64_t step, int64_t n, const float* grad, float* value, absl::Span<float* const> slots) {
  // The bias corrections in double, the element-wise work in f32: what PyTorch does.
  const double t = static_cast<double>(step);
  const double bias_correction1 = 1.0 - std::pow(options_.beta1, t);
  const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(options_.beta2, t));
  const float neg_step_size = static_cast<float>(-(options_.lr * lr_scale() / bias_correction1));
  const float correction2 = static_cast<float>(bias_correction2_sqrt);
  const float beta1 = static_cast<float>(options_.beta1);
  const float one_minus_beta1 = static_cast<float>(1.0 - options_.beta1);
  const float beta2 = static_cast<float>(options_.beta2);
  const float one_minus_beta2 = static_cast<float>(1.0 - options_.beta2);
  const float eps = static_cast<float>(options_.eps);
  float* __restrict exp_avg = slots[0];
  float* __restrict exp_avg_sq = slots[1];
#pragma omp parallel for simd schedule(static) if (n >= internal::kParallelUpdateThreshold)
  for (int64_t i = 0; i < n; ++i) {
    const float g = grad[i];
    const float m = exp_avg[i] * beta1 + one_minus_beta1 * g;
    const float v = exp_avg_sq[i] * beta2 + one_minus_beta2 * g * g;
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    value[i] += neg_step_size * m / (std::sqrt(v) / correction2 + eps);
  }
}

}  // namespace nmt::trainers
