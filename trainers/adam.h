// Adam (Kingma & Ba 2014) with PyTorch's update formula (torch.optim.Adam 1.13,
// weight decay 0, no amsgrad), the alternative to the paper's Adadelta:
//
//   m ← β1 m + (1 − β1) g                   slot "adam.exp_avg/NAME"
//   v ← β2 v + (1 − β2) g²                  slot "adam.exp_avg_sq/NAME"
//   p ← p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
//
//   Adam optimizer(params);                              // lr 1e-3, β (0.9, 0.999), ε 1e-8
//   Adam fast(params, {.lr = 3e-4});
//
// t is the optimizer's step count (PyTorch keeps one per parameter; they agree
// while every parameter gets a gradient every step). ε is added after the bias
// correction of sqrt(v), as PyTorch does, not to sqrt(v) itself as in the paper's
// Algorithm 1.
#ifndef NMT_TRAINERS_ADAM_H_
#define NMT_TRAINERS_ADAM_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "trainers/optimizer.h"

namespace nmt::trainers {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

// InvalidArgument for out-of-range values (they may come from a config file).
absl::Status Validate(const AdamOptions& options);

class Adam : public Optimizer {
 public:
  // Checks Validate(options).
  explicit Adam(NamedParameters parameters, AdamOptions options = {});

  const AdamOptions& options() const { return options_; }

 private:
  void Update(DeviceContext& context, int64_t step, const Tensor& grad, Tensor& value,
              absl::Span<Tensor> slots) override;

  AdamOptions options_;
};

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_ADAM_H_
