#include "trainers/sgd.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace nmt::trainers {

Sgd::Sgd(NamedParameters parameters, SgdOptions options)
    : Optimizer("sgd", std::move(parameters), {}), options_(options) {
  CheckOptions(Validate(options));
}

absl::Status Validate(const SgdOptions& options) {
  if (options.lr >= 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("Sgd: invalid options lr=", options.lr, " (need lr >= 0)"));
}

void Sgd::Update(int64_t /*step*/, int64_t n, const float* grad, float* value, absl::Span<float* const> /*slots*/) {
  const float neg_lr = static_cast<float>(-(options_.lr * lr_scale()));
#pragma omp parallel for simd schedule(static) if (n >= internal::kParallelUpdateThreshold)
  for (int64_t i = 0; i < n; ++i) value[i] += neg_lr * grad[i];
}

}  // namespace nmt::trainers
