// Adadelta (Zeiler 2012), the paper's optimizer (Sec. 4.2, Appendix B.2), with
// PyTorch's update formula (torch.optim.Adadelta, weight decay 0):
//
//   v ← ρ v + (1 − ρ) g²                    slot "adadelta.square_avg/NAME"
//   Δ ← sqrt(u + ε) / sqrt(v + ε) · g
//   u ← ρ u + (1 − ρ) Δ²                    slot "adadelta.acc_delta/NAME"
//   p ← p − lr · Δ
//
//   Adadelta optimizer(params);                          // lr 1, ρ 0.95, ε 1e-6
//   Adadelta tuned(params, {.rho = 0.9, .eps = 1e-8});
//
// The paper's update has no learning rate (GroundHog's `adarho`, `adaeps`); lr = 1
// is that update.
#ifndef NMT_TRAINERS_ADADELTA_H_
#define NMT_TRAINERS_ADADELTA_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "trainers/optimizer.h"

namespace nmt::trainers {

struct AdadeltaOptions {
  double lr = 1.0;
  double rho = 0.95;
  double eps = 1e-6;
};

// InvalidArgument for out-of-range values (they may come from a config file).
absl::Status Validate(const AdadeltaOptions& options);

class Adadelta : public Optimizer {
 public:
  // Checks Validate(options).
  explicit Adadelta(NamedParameters parameters, AdadeltaOptions options = {});

  const AdadeltaOptions& options() const { return options_; }

 private:
  void Update(DeviceContext& context, int64_t step, const Tensor& grad, Tensor& value,
              absl::Span<Tensor> slots) override;

  AdadeltaOptions options_;
};

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_ADADELTA_H_
