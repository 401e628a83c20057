#include "ops/reduce.h"

#include "base/check.h"
#include "ops/backend.h"
#include "ops/kernels/shape_util.h"

namespace nmt {
namespace {

// Sums x down to `kept` (same rank as x, 1 on reduced dims), scales by alpha,
// and returns it with shape `out`.
Var Reduce(const char* op, Var x, const Shape& kept, const Shape& out, float alpha) {
  Tape& tape = TapeFor(op, {x});
  DeviceContext& context = tape.context();
  const Kernels& k = KernelsFor(context);
  Tensor y = context.Allocate(kept);
  if (x.rank() == 0) {
    y.CopyFrom(x.value());
  } else {
    k.reduce_sum(context, x.value(), y);
  }
  if (alpha != 1.0f) k.scale(context, alpha, y, y);
  return tape.Record(op, y.Reshaped(out), {x}, [&tape, x, kept, alpha](const Tensor& dy) {
    KernelsFor(tape.context()).broadcast_accumulate(tape.context(), alpha, dy.Reshaped(kept), tape.GradOf(x));
  });
}

Var ReduceAxis(const char* op, Var x, int axis, bool keep_dim, bool mean) {
  axis = NormalizeAxis(op, x.shape(), axis);
  Shape kept = x.shape();
  kept[axis] = 1;
  Shape out = kept;
  if (!keep_dim) out.erase(out.begin() + axis);
  const int64_t n = x.dim(axis);
  return Reduce(op, x, kept, out, mean && n > 0 ? 1.0f / n : 1.0f);
}

}  // namespace

Var Sum(Var x) { return Reduce("Sum", x, Shape(x.rank(), 1), Shape{}, 1.0f); }

Var Mean(Var x) {
  const int64_t n = x.defined() ? x.size() : 0;
  return Reduce("Mean", x, Shape(x.defined() ? x.rank() : 0, 1), Shape{}, n > 0 ? 1.0f / n : 1.0f);
}

Var Sum(Var x, int axis, bool keep_dim) { return ReduceAxis("Sum", x, axis, keep_dim, false); }

Var Mean(Var x, int axis, bool keep_dim) { return ReduceAxis("Mean", x, axis, keep_dim, true); }

}  // namespace nmt
