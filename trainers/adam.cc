#include "trainers/adam.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ops/backend.h"

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

void Adam::Update(DeviceContext& context, int64_t step, const Tensor& grad, Tensor& value, absl::Span<Tensor> slots) {
  // The bias corrections in double, the element-wise work in f32: what PyTorch does.
  const double t = static_cast<double>(step);
  const double bias_correction1 = 1.0 - std::pow(options_.beta1, t);
  const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(options_.beta2, t));
  const AdamStep constants{
      .neg_step_size = static_cast<float>(-(options_.lr / bias_correction1)),
      .bias_correction2_sqrt = static_cast<float>(bias_correction2_sqrt),
      .beta1 = static_cast<float>(options_.beta1),
      .one_minus_beta1 = static_cast<float>(1.0 - options_.beta1),
      .beta2 = static_cast<float>(options_.beta2),
      .one_minus_beta2 = static_cast<float>(1.0 - options_.beta2),
      .eps = static_cast<float>(options_.eps),
  };
  KernelsFor(context).adam_update(context, constants, grad, value, slots[0], slots[1]);
}

}  // namespace nmt::trainers
