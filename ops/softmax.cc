#include "ops/softmax.h"

#include <memory>
#include <vector>

#include "base/check.h"
#include "ops/backend.h"
#include "ops/kernels/shape_util.h"

namespace nmt {
namespace {

Var AnySoftmax(const char* op, Var x, int axis, const Tensor* mask, bool log) {
  Tape& tape = TapeFor(op, {x});
  axis = NormalizeAxis(op, x.shape(), axis);  // also rejects rank 0, which has no axis
  NMT_CHECK(mask == nullptr || mask->shape() == x.shape())
      << op << ": mask " << mask->ShapeString() << " for input " << x.ShapeString();
  DeviceContext& context = tape.context();
  Tensor y = context.Allocate(x.shape());
  KernelsFor(context).softmax_forward(context, x.value(), mask, axis, log, y);
  Tensor saved_mask = mask ? *mask : Tensor();
  return tape.Record(op, y, {x}, [&tape, x, y, saved_mask, axis, log](const Tensor& dy) {
    KernelsFor(tape.context())
        .softmax_backward(tape.context(), y, saved_mask.defined() ? &saved_mask : nullptr, dy, axis, log,
                          tape.GradOf(x));
  });
}

}  // namespace

Var Softmax(Var x, int axis, const Tensor* mask) { return AnySoftmax("Softmax", x, axis, mask, false); }

Var LogSoftmax(Var x, int axis, const Tensor* mask) { return AnySoftmax("LogSoftmax", x, axis, mask, true); }

Var SoftmaxCrossEntropy(Var logits, const Tensor& targets, const Tensor& mask) {
  Tape& tape = TapeFor("SoftmaxCrossEntropy", {logits});
  NMT_CHECK(logits.rank() == 2 && targets.defined() && targets.size() == logits.dim(0) && mask.defined() &&
            mask.size() == logits.dim(0))
      << "SoftmaxCrossEntropy: logits " << logits.ShapeString() << " (N, K), targets "
      << (targets.defined() ? targets.ShapeString() : "undefined") << ", mask "
      << (mask.defined() ? mask.ShapeString() : "undefined");
  DeviceContext& context = tape.context();
  NMT_CHECK(targets.dtype() == DType::kI32 && targets.device() == context.device() && mask.device() == context.device())
      << "SoftmaxCrossEntropy: targets must be i32 and targets and mask on " << DeviceName(context.device()) << ", got "
      << DTypeName(targets.dtype()) << " targets on " << DeviceName(targets.device()) << ", mask on "
      << DeviceName(mask.device());
  Tensor log_probs = context.Allocate(logits.shape());
  Tensor nll = context.Allocate({logits.dim(0)});
  KernelsFor(context).softmax_xent_forward(context, logits.value(), targets, mask, log_probs, nll);
  return tape.Record("SoftmaxCrossEntropy", nll, {logits},
                     [&tape, logits, log_probs, targets, mask](const Tensor& dnll) {
                       KernelsFor(tape.context())
                           .softmax_xent_backward(tape.context(), log_probs, targets, mask, dnll, tape.GradOf(logits));
                     });
}

Var SoftmaxCrossEntropy(Var logits, absl::Span<const int32_t> targets, const Tensor& mask) {
  DeviceContext& context = CurrentTape("SoftmaxCrossEntropy").context();
  return SoftmaxCrossEntropy(logits, context.FromInt32s({static_cast<int64_t>(targets.size())}, targets),
                             mask.defined() ? context.ToDevice(mask) : mask);
}

}  // namespace nmt
