#include "trainers/adadelta.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "ops/backend.h"

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

void Adadelta::Update(DeviceContext& context, int64_t /*step*/, const Tensor& grad, Tensor& value,
                      absl::Span<Tensor> slots) {
  // Hyper-parameters in f32, as PyTorch's CPU kernels use them on f32 tensors.
  const AdadeltaStep constants{
      .rho = static_cast<float>(options_.rho),
      .one_minus_rho = static_cast<float>(1.0 - options_.rho),
      .eps = static_cast<float>(options_.eps),
      .neg_lr = static_cast<float>(-options_.lr),
  };
  KernelsFor(context).adadelta_update(context, constants, grad, value, slots[0], slots[1]);
}

}  // namespace nmt::trainers
