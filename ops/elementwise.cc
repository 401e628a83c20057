#include "ops/elementwise.h"

#include "base/check.h"
#include "ops/backend.h"
#include "ops/kernels/shape_util.h"

namespace nmt {
namespace {

Var Binary(BinaryOp op, Var a, Var b) {
  const char* name = BinaryOpName(op);
  Tape& tape = TapeFor(name, {a, b});
  DeviceContext& context = tape.context();
  Tensor y = context.Allocate(BroadcastShape(name, a.shape(), b.shape()));
  KernelsFor(context).binary_forward(context, op, a.value(), b.value(), y);
  return tape.Record(name, y, {a, b}, [&tape, op, a, b](const Tensor& dy) {
    Tensor* da = a.requires_grad() ? &tape.GradOf(a) : nullptr;
    Tensor* db = b.requires_grad() ? &tape.GradOf(b) : nullptr;
    KernelsFor(tape.context()).binary_backward(tape.context(), op, a.value(), b.value(), dy, da, db);
  });
}

Var Unary(UnaryOp op, Var x) {
  const char* name = UnaryOpName(op);
  Tape& tape = TapeFor(name, {x});
  DeviceContext& context = tape.context();
  Tensor y = context.Allocate(x.shape());
  KernelsFor(context).unary_forward(context, op, x.value(), y);
  return tape.Record(name, y, {x}, [&tape, op, x, y](const Tensor& dy) {
    KernelsFor(tape.context()).unary_backward(tape.context(), op, x.value(), y, dy, tape.GradOf(x));
  });
}

}  // namespace

Var Add(Var a, Var b) { return Binary(BinaryOp::kAdd, a, b); }
Var Sub(Var a, Var b) { return Binary(BinaryOp::kSub, a, b); }
Var Mul(Var a, Var b) { return Binary(BinaryOp::kMul, a, b); }
Var Div(Var a, Var b) { return Binary(BinaryOp::kDiv, a, b); }

Var Scale(Var x, float alpha) {
  Tape& tape = TapeFor("Scale", {x});
  DeviceContext& context = tape.context();
  Tensor y = context.Allocate(x.shape());
  KernelsFor(context).scale(context, alpha, x.value(), y);
  return tape.Record("Scale", y, {x}, [&tape, alpha, x](const Tensor& dy) {
    KernelsFor(tape.context()).axpy(tape.context(), alpha, dy, tape.GradOf(x));
  });
}

Var Sigmoid(Var x) { return Unary(UnaryOp::kSigmoid, x); }
Var Tanh(Var x) { return Unary(UnaryOp::kTanh, x); }
Var Exp(Var x) { return Unary(UnaryOp::kExp, x); }
Var Log(Var x) { return Unary(UnaryOp::kLog, x); }
Var Relu(Var x) { return Unary(UnaryOp::kRelu, x); }

Tensor DropoutMask(DeviceContext& context, const Shape& mask_shape, float p, uint64_t seed, int64_t first_row) {
  NMT_CHECK(p >= 0.0f && p < 1.0f) << "Dropout: probability " << p << " outside [0, 1)";
  Tensor mask = context.Allocate(mask_shape);
  KernelsFor(context).dropout_mask(context, p, seed, first_row, mask);
  return mask;
}

Var SharedDropout(Var x, const Shape& mask_shape, float p, uint64_t seed, int64_t first_row) {
  Tape& tape = TapeFor("Dropout", {x});
  NMT_CHECK(p >= 0.0f && p < 1.0f) << "Dropout: probability " << p << " outside [0, 1) for " << x.ShapeString();
  NMT_CHECK(static_cast<int>(mask_shape.size()) == x.rank() &&
            BroadcastShape("Dropout", x.shape(), mask_shape) == x.shape())
      << "Dropout: mask " << ShapeString(mask_shape) << " does not broadcast over " << x.ShapeString();
  if (p == 0.0f) return x;
  DeviceContext& context = tape.context();
  const Kernels& k = KernelsFor(context);
  Tensor mask = DropoutMask(context, mask_shape, p, seed, first_row);
  Tensor y = context.Allocate(x.shape());
  k.binary_forward(context, BinaryOp::kMul, x.value(), mask, y);
  return tape.Record("Dropout", y, {x}, [&tape, x, mask](const Tensor& dy) {
    KernelsFor(tape.context())
        .binary_backward(tape.context(), BinaryOp::kMul, x.value(), mask, dy, &tape.GradOf(x), nullptr);
  });
}

Var Dropout(Var x, float p, uint64_t seed, int64_t first_row) {
  return SharedDropout(x, x.shape(), p, seed, first_row);
}

}  // namespace nmt
