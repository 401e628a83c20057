#include "autograd/tape.h"

#include "gtest/gtest.h"

namespace nmt {
namespace {

// y = a * x (elementwise, same shape), recorded by hand as an op would.
Var Times(Var a, Var x) {
  Tape& tape = TapeFor("Times", {a, x});
  Tensor y = tape.context().Allocate(a.shape());
  for (int64_t i = 0; i < y.size(); ++i) y.data()[i] = a.value().data()[i] * x.value().data()[i];
  return tape.Record("Times", y, {a, x}, [&tape, a, x](const Tensor& dy) {
    if (a.requires_grad()) {
      Tensor& da = tape.GradOf(a);
      for (int64_t i = 0; i < dy.size(); ++i) da.data()[i] += dy.data()[i] * x.value().data()[i];
    }
    if (x.requires_grad()) {
      Tensor& dx = tape.GradOf(x);
      for (int64_t i = 0; i < dy.size(); ++i) dx.data()[i] += dy.data()[i] * a.value().data()[i];
    }
  });
}

TEST(Tape, BackwardAccumulatesThroughSharedInputs) {
  DeviceContext context(HostMemory());
  Tape tape(context);
  TapeScope scope(tape);
  Var x = tape.Variable(Tensor::Scalar(3.0f));
  Var y = Times(Times(x, x), x);  // x^3
  Backward(y);
  EXPECT_FLOAT_EQ(x.grad().item(), 27.0f);
}

TEST(Tape, ParameterGradientAccumulatesAcrossSteps) {
  DeviceContext context(HostMemory());
  Parameter w(Tensor::Scalar(2.0f));
  Tape tape(context);
  for (int step = 0; step < 2; ++step) {
    TapeScope scope(tape);
    Var c = tape.Constant(Tensor::Scalar(5.0f));
    Backward(Times(w.var(), c));
    tape.Reset();
  }
  EXPECT_FLOAT_EQ(w.grad().item(), 10.0f);
  w.ZeroGrad();
  EXPECT_FLOAT_EQ(w.grad().item(), 0.0f);
}

TEST(Tape, ConstantsRecordNoBackward) {
  DeviceContext context(HostMemory());
  Tape tape(context);
  TapeScope scope(tape);
  Var c = tape.Constant(Tensor::Scalar(5.0f));
  Var y = Times(c, c);
  EXPECT_FALSE(y.requires_grad());
}

TEST(Tape, NoGradScopeRecordsNothing) {
  DeviceContext context(HostMemory());
  Tape tape(context);
  TapeScope scope(tape);
  Var x = tape.Variable(Tensor::Scalar(3.0f));
  NoGradScope no_grad;
  EXPECT_FALSE(Times(x, x).requires_grad());
}

TEST(Tape, ArenaIsReusedForStepsOfEqualShapes) {
  DeviceContext context(HostMemory());
  Tape tape(context);
  int64_t arena_after_first = 0;
  int64_t pool_after_first = 0;
  for (int step = 0; step < 4; ++step) {
    TapeScope scope(tape);
    Var x = tape.Variable(Tensor::Full({300, 300}, 1.0f));
    Var y = x;
    for (int i = 0; i < 3; ++i) y = Times(y, x);
    Backward(Times(tape.Variable(Tensor::Scalar(1.0f)), tape.Constant(Tensor::Scalar(1.0f))));
    Tensor& g = tape.GradOf(y);  // arena memory of 300x300
    EXPECT_EQ(g.data()[0], 0.0f);
    tape.Reset();
    if (step == 1) {
      arena_after_first = tape.arena_bytes();
      pool_after_first = context.pool().bytes_from_system();
    }
  }
  EXPECT_EQ(tape.arena_bytes(), arena_after_first);
  EXPECT_EQ(context.pool().bytes_from_system(), pool_after_first);
}

TEST(Tape, BackwardOfNonScalarNamesTheShape) {
  DeviceContext context(HostMemory());
  Tape tape(context);
  TapeScope scope(tape);
  Var x = tape.Variable(Tensor::Zeros({2, 3}));
  Var y = Times(x, x);
  EXPECT_DEATH(Backward(y), "loss must be a scalar, got shape \\[2, 3\\] from Times");
}

TEST(Tape, VarFromAnotherTapeIsRejected) {
  DeviceContext context(HostMemory());
  Tape first(context);
  Tape second(context);
  Var x = first.Variable(Tensor::Zeros({2}));
  TapeScope scope(second);
  EXPECT_DEATH(Times(x, x), "Times: input 0 \\(shape \\[2\\], made by variable\\) belongs to another tape");
}

TEST(Tape, OpWithoutTapeNamesTheOp) {
  Parameter w(Tensor::Scalar(1.0f));
  EXPECT_DEATH(Times(w.var(), w.var()), "Times: no current tape");
}

}  // namespace
}  // namespace nmt
