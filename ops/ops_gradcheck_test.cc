// One finite-difference gradient check per differentiable op, perturbing every
// input (one case list, as in ggml's test-backend-ops). Each case must fail if that op's backward
// is broken.
#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/elementwise.h"
#include "ops/embedding.h"
#include "ops/matmul.h"
#include "ops/maxout.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/softmax.h"
#include "ops/test_context.h"

namespace nmt {
namespace {

class OpGradient : public ::testing::Test {
 protected:
  ::testing::AssertionResult Check(const GradCheckFn& f, const std::vector<Tensor>& inputs,
                                   GradCheckOptions options = {}) {
    return CheckGradients(context_, f, inputs, options);
  }
  DeviceContext& context_ = TestContext();
};

using In = absl::Span<const Var>;

TEST_F(OpGradient, Add) {
  EXPECT_TRUE(Check([](In x) { return Add(x[0], x[1]); }, {RandomTensor({2, 3}, 1), RandomTensor({2, 3}, 2)}));
}

TEST_F(OpGradient, AddBroadcastsBothWays) {
  EXPECT_TRUE(Check([](In x) { return Add(x[0], x[1]); }, {RandomTensor({2, 1, 4}, 1), RandomTensor({3, 1}, 2)}));
}

TEST_F(OpGradient, Sub) {
  EXPECT_TRUE(Check([](In x) { return Sub(x[0], x[1]); }, {RandomTensor({2, 3}, 1), RandomTensor({3}, 2)}));
}

TEST_F(OpGradient, Mul) {
  EXPECT_TRUE(Check([](In x) { return Mul(x[0], x[1]); }, {RandomTensor({2, 3}, 1), RandomTensor({2, 3}, 2)}));
}

TEST_F(OpGradient, MulBroadcast) {
  EXPECT_TRUE(Check([](In x) { return Mul(x[0], x[1]); }, {RandomTensor({4, 1}, 1), RandomTensor({2, 4, 3}, 2)}));
}

TEST_F(OpGradient, Div) {
  EXPECT_TRUE(
      Check([](In x) { return Div(x[0], x[1]); }, {RandomTensor({2, 3}, 1), RandomTensor({2, 3}, 2, 2.0f, 0.5f)}));
}

TEST_F(OpGradient, Scale) {
  EXPECT_TRUE(Check([](In x) { return Scale(x[0], -2.5f); }, {RandomTensor({5}, 1)}));
}

TEST_F(OpGradient, Sigmoid) {
  EXPECT_TRUE(Check([](In x) { return Sigmoid(x[0]); }, {RandomTensor({3, 4}, 1, 3)}));
}

TEST_F(OpGradient, Tanh) {
  EXPECT_TRUE(Check([](In x) { return Tanh(x[0]); }, {RandomTensor({3, 4}, 1, 2)}));
}

TEST_F(OpGradient, Exp) {
  EXPECT_TRUE(Check([](In x) { return Exp(x[0]); }, {RandomTensor({3, 4}, 1)}));
}

TEST_F(OpGradient, Log) {
  Tensor x = RandomTensor({3, 4}, 1, 2.0f, 0.3f);
  for (float& v : x.values()) v = std::abs(v);
  EXPECT_TRUE(Check([](In in) { return Log(in[0]); }, {x}));
}

TEST_F(OpGradient, Relu) {
  EXPECT_TRUE(Check([](In x) { return Relu(x[0]); }, {RandomTensor({3, 4}, 1, 1.0f, 0.05f)}));
}

TEST_F(OpGradient, Dropout) {
  EXPECT_TRUE(Check([](In x) { return Dropout(x[0], 0.4f, 77); }, {RandomTensor({6, 5}, 1)}));
}

TEST_F(OpGradient, MatMul) {
  EXPECT_TRUE(Check([](In x) { return MatMul(x[0], x[1]); }, {RandomTensor({2, 3}, 1), RandomTensor({3, 4}, 2)}));
}

TEST_F(OpGradient, MatMulTransposed) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      Tensor a = RandomTensor(ta ? Shape{3, 2} : Shape{2, 3}, 1);
      Tensor b = RandomTensor(tb ? Shape{4, 3} : Shape{3, 4}, 2);
      EXPECT_TRUE(Check([ta, tb](In x) { return MatMul(x[0], x[1], ta, tb); }, {a, b})) << ta << tb;
    }
  }
}

TEST_F(OpGradient, MatMulBatched) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      Tensor a = RandomTensor(ta ? Shape{2, 3, 2} : Shape{2, 2, 3}, 1);
      Tensor b = RandomTensor(tb ? Shape{2, 4, 3} : Shape{2, 3, 4}, 2);
      EXPECT_TRUE(Check([ta, tb](In x) { return MatMul(x[0], x[1], ta, tb); }, {a, b})) << ta << tb;
    }
  }
}

TEST_F(OpGradient, MatMulBatchedBySharedMatrix) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      Tensor a = RandomTensor(ta ? Shape{2, 3, 2} : Shape{2, 2, 3}, 1);
      Tensor b = RandomTensor(tb ? Shape{4, 3} : Shape{3, 4}, 2);
      EXPECT_TRUE(Check([ta, tb](In x) { return MatMul(x[0], x[1], ta, tb); }, {a, b})) << ta << tb;
    }
  }
}

TEST_F(OpGradient, Affine) {
  EXPECT_TRUE(Check([](In x) { return Affine(x[0], x[1], x[2]); },
                    {RandomTensor({2, 3, 4}, 1), RandomTensor({5, 4}, 2), RandomTensor({5}, 3)}));
}

TEST_F(OpGradient, AffineWithoutBias) {
  EXPECT_TRUE(Check([](In x) { return Affine(x[0], x[1]); }, {RandomTensor({3, 4}, 1), RandomTensor({2, 4}, 2)}));
}

TEST_F(OpGradient, Sum) {
  EXPECT_TRUE(Check([](In x) { return Sum(x[0]); }, {RandomTensor({2, 3}, 1)}));
}

TEST_F(OpGradient, Mean) {
  EXPECT_TRUE(Check([](In x) { return Mean(x[0]); }, {RandomTensor({2, 3}, 1)}));
}

TEST_F(OpGradient, SumOverAxis) {
  for (int axis : {0, 1, 2, -1}) {
    EXPECT_TRUE(Check([axis](In x) { return Sum(x[0], axis); }, {RandomTensor({2, 3, 4}, 1)})) << axis;
  }
}

TEST_F(OpGradient, MeanOverAxisKeepDim) {
  EXPECT_TRUE(Check([](In x) { return Mean(x[0], 1, true); }, {RandomTensor({2, 3, 4}, 1)}));
}

TEST_F(OpGradient, Softmax) {
  for (int axis : {0, 1}) {
    EXPECT_TRUE(Check([axis](In x) { return Softmax(x[0], axis); }, {RandomTensor({3, 4}, 1, 2)})) << axis;
  }
}

TEST_F(OpGradient, SoftmaxMasked) {
  Tensor mask = Tensor::FromVector({2, 4}, {1, 1, 0, 1, 1, 0, 0, 0});
  EXPECT_TRUE(Check([&mask](In x) { return Softmax(x[0], 1, &mask); }, {RandomTensor({2, 4}, 1, 2)}));
}

TEST_F(OpGradient, LogSoftmax) {
  EXPECT_TRUE(Check([](In x) { return LogSoftmax(x[0], -1); }, {RandomTensor({2, 3, 5}, 1, 2)}));
}

TEST_F(OpGradient, LogSoftmaxMasked) {
  Tensor mask = Tensor::FromVector({2, 3}, {1, 0, 1, 0, 1, 1});
  // Masked positions hold the lowest float: weight them out of the checked loss.
  EXPECT_TRUE(Check([&mask](In x) { return Mul(LogSoftmax(x[0], 1, &mask), CurrentTape("test").Constant(mask)); },
                    {RandomTensor({2, 3}, 1, 2)}));
}

TEST_F(OpGradient, SoftmaxCrossEntropy) {
  const std::vector<int32_t> targets = {2, 0, 3};
  Tensor mask = Tensor::FromVector({3}, {1, 0, 1});
  EXPECT_TRUE(Check([&](In x) { return SoftmaxCrossEntropy(x[0], targets, mask); }, {RandomTensor({3, 5}, 1, 2)}));
}

TEST_F(OpGradient, Reshape) {
  EXPECT_TRUE(Check(
      [](In x) {
        return Mul(Reshape(x[0], {3, 2}), x[1]);
      },
      {RandomTensor({2, 3}, 1), RandomTensor({3, 2}, 2)}));
}

TEST_F(OpGradient, Transpose) {
  const std::vector<int> perm = {2, 0, 1};
  EXPECT_TRUE(Check([&](In x) { return Transpose(x[0], perm); }, {RandomTensor({2, 3, 4}, 1)}));
}

TEST_F(OpGradient, Concat) {
  EXPECT_TRUE(Check(
      [](In x) {
        return Concat({x[0], x[1], x[0]}, 1);
      },
      {RandomTensor({2, 3, 2}, 1), RandomTensor({2, 1, 2}, 2)}));
}

TEST_F(OpGradient, SplitAndSlice) {
  EXPECT_TRUE(Check(
      [](In x) {
        std::vector<Var> parts = Split(x[0], std::vector<int64_t>{1, 3}, -1);
        return Add(Mul(parts[0], Slice(parts[1], -1, 2, 1)), Slice(x[0], 0, 1, 1));
      },
      {RandomTensor({2, 4}, 1)}));
}

TEST_F(OpGradient, EmbeddingLookup) {
  const std::vector<int32_t> ids = {3, 1, 3, 0, 2, 3};  // repeated ids must sum their gradients
  EXPECT_TRUE(Check([&](In x) { return EmbeddingLookup(x[0], ids, {2, 3}); }, {RandomTensor({5, 4}, 1)}));
}

TEST_F(OpGradient, Maxout) {
  Tensor x = RandomTensor({3, 6}, 1);
  for (int64_t i = 0; i < x.size(); i += 2) x.data()[i + 1] = x.data()[i] + (i % 4 == 0 ? 0.3f : -0.3f);
  EXPECT_TRUE(Check([](In in) { return Maxout(in[0]); }, {x}));
}

}  // namespace
}  // namespace nmt
