#include "autograd/tape.h"

#include <cstring>
#include <memory>
#include <vector>

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

// Host memory under another device's name that counts what goes through it, so that the
// device paths of the tape and the context can be checked without a GPU.
class CountingMemory final : public DeviceMemory {
 public:
  explicit CountingMemory(Device device) : DeviceMemory(device) {}
  void* Allocate(int64_t bytes) override {
    ++allocations;
    return HostMemory()->Allocate(bytes);
  }
  void Free(void* data) override { HostMemory()->Free(data); }
  void Copy(void* dst, Device dst_device, const void* src, Device src_device, int64_t bytes) override {
    copies += dst_device != src_device;
    std::memcpy(dst, src, bytes);
  }
  void Fill32(void* dst, uint32_t bits, int64_t count) override { HostMemory()->Fill32(dst, bits, count); }
  void Zero(void* dst, int64_t bytes) override {
    ++zeroes;
    HostMemory()->Zero(dst, bytes);
  }
  void Synchronize() override { ++synchronizations; }
  int allocations = 0, copies = 0, zeroes = 0, synchronizations = 0;
};

TEST(DeviceContext, AllocatesFillsAndUploadsThroughItsMemory) {
  auto memory = std::make_shared<CountingMemory>(Device::kCUDA);
  DeviceContext context(memory);
  EXPECT_EQ(context.device(), Device::kCUDA);
  const Tensor zeros = context.Zeros({2, 3});
  EXPECT_EQ(zeros.device(), Device::kCUDA);
  EXPECT_EQ(zeros.ToHost().ToVector(), std::vector<float>(6, 0.0f));
  EXPECT_EQ(context.Full({2}, 2.5f).ToHost().ToVector(), (std::vector<float>{2.5f, 2.5f}));
  const Tensor ids = context.FromInt32s({3}, {4, 5, 6});
  EXPECT_EQ(ids.dtype(), DType::kI32);
  EXPECT_EQ(ids.ToHost().ToInt32Vector(), (std::vector<int32_t>{4, 5, 6}));
  const Tensor host = Tensor::FromVector({2}, {1, 2});
  const Tensor uploaded = context.ToDevice(host);
  EXPECT_EQ(uploaded.device(), Device::kCUDA);
  EXPECT_TRUE(context.ToDevice(uploaded).SharesStorageWith(uploaded));  // already there
  EXPECT_GE(memory->allocations, 1);
  EXPECT_GE(memory->copies, 5);
  context.Synchronize();
  EXPECT_EQ(memory->synchronizations, 1);
}

TEST(Tape, TheGradientArenaComesFromTheContextsMemory) {
  auto memory = std::make_shared<CountingMemory>(Device::kCPU);
  DeviceContext context(memory);
  Tape tape(context);
  TapeScope scope(tape);
  Var x = tape.Variable(Tensor::Full({5}, 1.0f));
  const int before = memory->allocations;
  Tensor& grad = tape.GradOf(x);
  EXPECT_EQ(memory->allocations, before + 1);
  EXPECT_GE(memory->zeroes, 1);
  EXPECT_EQ(grad.ToVector(), std::vector<float>(5, 0.0f));
}

TEST(Parameter, MoveToADeviceKeepsValuesVarsAndAZeroGrad) {
  auto memory = std::make_shared<CountingMemory>(Device::kCUDA);
  Parameter p(Tensor::FromVector({3}, {1, 2, 3}));
  Var v = p.var();
  p.MoveTo(memory);
  EXPECT_EQ(p.value().device(), Device::kCUDA);
  EXPECT_EQ(p.grad().device(), Device::kCUDA);
  EXPECT_EQ(v.value().ToHost().ToVector(), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(p.grad().ToHost().ToVector(), std::vector<float>(3, 0.0f));
  p.grad().Fill(4.0f);
  p.ZeroGrad();
  EXPECT_EQ(p.grad().ToHost().ToVector(), std::vector<float>(3, 0.0f));
  const int copies = memory->copies;
  p.MoveTo(memory);  // already there: nothing moves
  EXPECT_EQ(memory->copies, copies);
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

// A decoding loop: each step reads the state and makes the next; rewinding keeps only
// the state, so a long loop holds one step's intermediates and the pool recycles them.
TEST(Tape, RewindKeepingKeepsTheStateAndRecyclesTheRest) {
  DeviceContext context(HostMemory());
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  Parameter w(Tensor::Full({100, 100}, 0.5f));
  Var state = tape.Constant(Tensor::Full({100, 100}, 2.0f));
  Var alias = state;  // two Vars of one node stay one node
  Var w_var = w.var();
  int64_t pool_after_first = 0;
  for (int step = 0; step < 6; ++step) {
    Var scratch = Times(state, state);
    state = Times(Times(scratch, w_var), tape.Constant(Tensor::Full({100, 100}, 1.0f / 2.0f)));
    alias = state;
    tape.RewindKeeping({&state, &alias, &w_var});
    EXPECT_EQ(tape.num_nodes(), 1);  // the state alone; w is a Parameter's
    EXPECT_EQ(state.node(), alias.node());
    EXPECT_EQ(w_var.node(), w.var().node());
    if (step == 1) pool_after_first = context.pool().bytes_from_system();
  }
  // 2 → 2·2·0.5·0.5 = 1 → 0.25 → ...: x ← x²/4 six times from 2.
  float expected = 2.0f;
  for (int step = 0; step < 6; ++step) expected = expected * expected / 4.0f;
  EXPECT_FLOAT_EQ(state.value().data()[0], expected);
  EXPECT_FLOAT_EQ(state.value().data()[9999], expected);
  EXPECT_EQ(context.pool().bytes_from_system(), pool_after_first);
}

TEST(Tape, RewindKeepingIsRefusedWithBackwardClosures) {
  DeviceContext context(HostMemory());
  Tape tape(context);
  TapeScope scope(tape);
  Var x = tape.Variable(Tensor::Scalar(3.0f));
  Var y = Times(x, x);
  EXPECT_DEATH(tape.RewindKeeping({&y}), "backward closures are recorded");
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
