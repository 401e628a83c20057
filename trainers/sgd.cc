#include "trainers/sgd.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "ops/backend.h"

namespace nmt::trainers {

Sgd::Sgd(NamedParameters parameters, SgdOptions options)
    : Optimizer("sgd", std::move(parameters), {}), options_(options) {
  CheckOptions(Validate(options));
}

absl::Status Validate(const SgdOptions& options) {
  if (options.lr >= 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("Sgd: invalid options lr=", options.lr, " (need lr >= 0)"));
}

void Sgd::Update(DeviceContext& context, int64_t /*step*/, const Tensor& grad, Tensor& value,
                 absl::Span<Tensor> /*slots*/) {
  KernelsFor(context).sgd_update(context, static_cast<float>(-options_.lr), grad, value);
}

}  // namespace nmt::trainers
