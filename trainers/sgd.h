// Plain stochastic gradient descent: p ← p − lr · g. No slots, so its exported
// state is the step count alone.
//
//   Sgd optimizer(params, {.lr = 0.1});
//   optimizer.Step();
//
// A baseline and a debugging aid: with it, a step moves every parameter by
// exactly −lr times its (clipped) gradient.
#ifndef NMT_TRAINERS_SGD_H_
#define NMT_TRAINERS_SGD_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "trainers/optimizer.h"

namespace nmt::trainers {

struct SgdOptions {
  double lr = 0.01;
};

// InvalidArgument for out-of-range values (they may come from a config file).
absl::Status Validate(const SgdOptions& options);

class Sgd : public Optimizer {
 public:
  // Checks Validate(options).
  explicit Sgd(NamedParameters parameters, SgdOptions options = {});

  const SgdOptions& options() const { return options_; }

 private:
  void Update(DeviceContext& context, int64_t step, const Tensor& grad, Tensor& value,
              absl::Span<Tensor> slots) override;

  SgdOptions options_;
};

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_SGD_H_
