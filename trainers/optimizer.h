// Optimizer: the interface every update rule (Adadelta, Adam, SGD) implements,
// over an ordered list of named parameters.
//
//   NamedParameters params = model.NamedParameters();   // {"dec.U_z", &u_z}, ...
//   Adadelta optimizer(params);                           // paper B.2: rho 0.95, eps 1e-6
//   for (...) {
//     optimizer.ZeroGrad();
//     Backward(loss);
//     if (ShouldSkipStep(ClipGradNorm(context, params).norm)) continue;   // trainers/clip.h
//     optimizer.Step(context);
//   }
//   OptimizerState state = optimizer.ExportState();      // into the checkpoint
//   ...
//   absl::Status status = fresh.ImportState(state);       // resumes bit-for-bit
//
// Each rule keeps per-parameter "slot" tensors (Adadelta's running averages, Adam's
// moments) of the parameter's shape, on the parameter's device. They are allocated,
// zeroed, when the optimizer is made, so that the exported state always names every slot; PyTorch's lazily
// created zero state is the same thing. Slots are exported under
// "<optimizer>.<slot>/<parameter>", e.g. "adadelta.square_avg/dec.U_z", and the
// step count travels with them: that is all a resumed run needs besides the
// hyper-parameters, which the caller passes to the constructor again.
//
// Step() reads each parameter's accumulated grad and never zeroes it (the training
// loop decides when, with ZeroGrad()). A Parameter's grad starts as zeros, so a
// parameter no gradient reached is updated with g = 0, as PyTorch 1.13 does after
// zero_grad() (which keeps zeros by default). A grad a caller has reset to an
// undefined Tensor is skipped and its slots stay as they were, as PyTorch skips a
// .grad of None. Each update is one fused kernel-table entry (adam_update,
// adadelta_update, sgd_update in ops/kernels/kernels.h) per parameter, run on the
// context's device; exported states are host copies, imported ones are copied back.
#ifndef NMT_TRAINERS_OPTIMIZER_H_
#define NMT_TRAINERS_OPTIMIZER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "autograd/tape.h"
#include "autograd/tensor.h"

namespace nmt::trainers {

// Parameters in registration order with their dotted module paths. The optimizer
// does not own them; they must outlive it.
using NamedParameters = std::vector<std::pair<std::string, Parameter*>>;

// What a checkpoint stores of an optimizer.
struct OptimizerState {
  int64_t step_count = 0;
  // "<optimizer>.<slot>/<parameter>" → a tensor of the parameter's shape, in
  // parameter order, then slot order.
  std::vector<std::pair<std::string, Tensor>> slots;
};

class Optimizer {
 public:
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // "adadelta", "adam", "sgd": the prefix of the slot names.
  const std::string& name() const { return name_; }
  const NamedParameters& parameters() const { return parameters_; }
  // Number of Step() calls so far, including those of an imported state.
  int64_t step_count() const { return step_count_; }

  // Applies one update to every parameter that has a grad, from that grad, with the
  // kernels of `context` (the parameters' device).
  void Step(DeviceContext& context);
  // Zeroes every defined grad.
  void ZeroGrad();

  // Deep host copies of the slots, so later steps do not change the exported state.
  OptimizerState ExportState() const;
  // Replaces the slots and step count with `state`'s. Strict: InvalidArgument
  // listing every missing, unexpected or misshapen slot at once, and then nothing
  // is changed.
  absl::Status ImportState(const OptimizerState& state);

  // "<name>.<slot>/<parameter>".
  std::string SlotName(absl::string_view slot, absl::string_view parameter) const;

 protected:
  // `slot_kinds` names the per-parameter slots, e.g. {"square_avg", "acc_delta"}.
  // Checks (programmer errors) that names are unique and non-empty and that
  // parameters are non-null f32 tensors.
  Optimizer(std::string name, NamedParameters parameters, std::vector<std::string> slot_kinds);

  // For constructors: fails with the message of a non-ok Validate(options) result.
  static void CheckOptions(const absl::Status& validation);

  // Updates `value` from `grad` (same shape, the context's device) with one kernel.
  // `slots` holds one tensor per slot kind. `step` is the 1-based number of this step.
  virtual void Update(DeviceContext& context, int64_t step, const Tensor& grad, Tensor& value,
                      absl::Span<Tensor> slots) = 0;

 private:
  std::string name_;
  NamedParameters parameters_;
  std::vector<std::string> slot_kinds_;
  // slots_[i][k]: slot kind k of parameter i.
  std::vector<std::vector<Tensor>> slots_;
  int64_t step_count_ = 0;
};

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_OPTIMIZER_H_
