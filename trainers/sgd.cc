#include "trainers/sgd.h"

#include <utility>

#include "autograd/check.h"

namespace nmt {

Sgd::Sgd(NamedParameters parameters, SgdOptions options)
    : Optimizer("sgd", std::move(parameters), {}), options_(options) {
  NMT_CHECK(options.lr >= 0) << "Sgd: invalid options lr=" << options.lr;
}

void Sgd::Update(int64_t /*step*/, int64_t n, const float* grad, float* value, absl::Span<float* const> /*slots*/) {
  const float neg_lr = static_cast<float>(-options_.lr);
#pragma omp parallel for simd schedule(static) if (n >= internal::kParallelUpdateThreshold)
  for (int64_t i = 0; i < n; ++i) value[i] += neg_lr * grad[i];
}

}  // namespace nmt
