// Finite-difference checks of the fused ops (GruStep, LstmStep, AdditiveScores), and their
// agreement with the same maths written with primitive ops.
#include <vector>

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/attention.h"
#include "ops/elementwise.h"
#include "ops/gru.h"
#include "ops/lstm.h"
#include "ops/matmul.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/test_context.h"

namespace nmt {
namespace {

using In = absl::Span<const Var>;

class FusedOps : public ::testing::Test {
 protected:
  DeviceContext& context_ = TestContext();
};

std::vector<Tensor> GruInputs(int64_t batch, int64_t n) {
  return {RandomTensor({batch, 3 * n}, 1), RandomTensor({batch, n}, 2), RandomTensor({2 * n, n}, 3, 0.5f),
          RandomTensor({n, n}, 4, 0.5f)};
}

TEST_F(FusedOps, GruStepResetBeforeU) {
  EXPECT_TRUE(CheckGradients(
      context_, [](In x) { return GruStep(x[0], x[1], x[2], x[3]); }, GruInputs(3, 4)));
}

TEST_F(FusedOps, GruStepLinearBeforeReset) {
  EXPECT_TRUE(CheckGradients(
      context_, [](In x) { return GruStep(x[0], x[1], x[2], x[3], nullptr, GruForm::kLinearBeforeReset); },
      GruInputs(3, 4)));
}

TEST_F(FusedOps, GruStepMaskedRowsKeepTheirState) {
  const Tensor mask = Tensor::FromVector({3}, {1.0f, 0.0f, 1.0f});
  for (GruForm form : {GruForm::kResetBeforeU, GruForm::kLinearBeforeReset}) {
    EXPECT_TRUE(CheckGradients(
        context_, [&](In x) { return GruStep(x[0], x[1], x[2], x[3], &mask, form); }, GruInputs(3, 4)));
  }
  Tape tape(context_);
  TapeScope scope(tape);
  const std::vector<Tensor> in = GruInputs(3, 4);
  Var h = tape.Constant(in[1]);
  Var y = GruStep(tape.Constant(in[0]), h, tape.Constant(in[2]), tape.Constant(in[3]), &mask);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(y.value().data()[4 + k], h.value().data()[4 + k]);
}

// The same step from primitive ops (the paper's equations written out).
Var ComposedGruStep(Var x_proj, Var h, Var u_zr, Var u, int64_t n) {
  std::vector<Var> x = Split(x_proj, {n, n, n}, 1);
  std::vector<Var> zr = Split(Sigmoid(Add(Concat({x[0], x[1]}, 1), Affine(h, u_zr))), {n, n}, 1);
  Var candidate = Tanh(Add(x[2], Affine(Mul(zr[1], h), u)));
  return Add(h, Mul(zr[0], Sub(candidate, h)));
}

TEST_F(FusedOps, GruStepMatchesComposition) {
  const std::vector<Tensor> in = GruInputs(3, 4);
  std::vector<Tensor> fused_grads, composed_grads;
  for (bool fused : {true, false}) {
    Tape tape(context_);
    TapeScope scope(tape);
    std::vector<Var> v;
    for (const Tensor& t : in) v.push_back(tape.Variable(t.Clone()));
    Var y = fused ? GruStep(v[0], v[1], v[2], v[3]) : ComposedGruStep(v[0], v[1], v[2], v[3], 4);
    tape.Backward(y, RandomTensor(y.shape(), 9));
    for (const Var& x : v) (fused ? fused_grads : composed_grads).push_back(x.grad().Clone());
    (fused ? fused_grads : composed_grads).push_back(y.value().Clone());
  }
  for (size_t i = 0; i < fused_grads.size(); ++i) {
    for (int64_t j = 0; j < fused_grads[i].size(); ++j) {
      EXPECT_NEAR(fused_grads[i].data()[j], composed_grads[i].data()[j], 1e-5) << "tensor " << i << " element " << j;
    }
  }
}

std::vector<Tensor> LstmInputs(int64_t batch, int64_t n) {
  return {RandomTensor({batch, 4 * n}, 1), RandomTensor({batch, 2 * n}, 2), RandomTensor({4 * n, n}, 3, 0.5f)};
}

TEST_F(FusedOps, LstmStep) {
  EXPECT_TRUE(CheckGradients(
      context_, [](In x) { return LstmStep(x[0], x[1], x[2]); }, LstmInputs(3, 4)));
}

TEST_F(FusedOps, LstmStepMaskedRowsKeepTheirState) {
  const Tensor mask = Tensor::FromVector({3}, {1.0f, 0.0f, 1.0f});
  EXPECT_TRUE(CheckGradients(
      context_, [&](In x) { return LstmStep(x[0], x[1], x[2], &mask); }, LstmInputs(3, 4)));
  Tape tape(context_);
  TapeScope scope(tape);
  const std::vector<Tensor> in = LstmInputs(3, 4);
  Var state = tape.Constant(in[1]);
  Var y = LstmStep(tape.Constant(in[0]), state, tape.Constant(in[2]), &mask);
  for (int k = 0; k < 8; ++k) EXPECT_EQ(y.value().data()[8 + k], state.value().data()[8 + k]);
}

// The same step from primitive ops: i, f, o, c̃ = split(x_proj + h Uᵀ), c' = f c + i c̃, h' = o tanh c'.
Var ComposedLstmStep(Var x_proj, Var state, Var u, int64_t n) {
  std::vector<Var> hc = Split(state, {n, n}, 1);
  std::vector<Var> a = Split(Add(x_proj, Affine(hc[0], u)), {3 * n, n}, 1);
  std::vector<Var> ifo = Split(Sigmoid(a[0]), {n, n, n}, 1);
  Var c = Add(Mul(ifo[1], hc[1]), Mul(ifo[0], Tanh(a[1])));
  return Concat({Mul(ifo[2], Tanh(c)), c}, 1);
}

TEST_F(FusedOps, LstmStepMatchesComposition) {
  const std::vector<Tensor> in = LstmInputs(3, 4);
  std::vector<Tensor> fused_grads, composed_grads;
  for (bool fused : {true, false}) {
    Tape tape(context_);
    TapeScope scope(tape);
    std::vector<Var> v;
    for (const Tensor& t : in) v.push_back(tape.Variable(t.Clone()));
    Var y = fused ? LstmStep(v[0], v[1], v[2]) : ComposedLstmStep(v[0], v[1], v[2], 4);
    tape.Backward(y, RandomTensor(y.shape(), 9));
    for (const Var& x : v) (fused ? fused_grads : composed_grads).push_back(x.grad().Clone());
    (fused ? fused_grads : composed_grads).push_back(y.value().Clone());
  }
  for (size_t i = 0; i < fused_grads.size(); ++i) {
    for (int64_t j = 0; j < fused_grads[i].size(); ++j) {
      EXPECT_NEAR(fused_grads[i].data()[j], composed_grads[i].data()[j], 1e-5) << "tensor " << i << " element " << j;
    }
  }
}

TEST_F(FusedOps, AdditiveScores) {
  EXPECT_TRUE(CheckGradients(context_, [](In x) { return AdditiveScores(x[0], x[1], x[2]); },
                             {RandomTensor({2, 5}, 1), RandomTensor({2, 3, 5}, 2), RandomTensor({5}, 3)}));
}

TEST_F(FusedOps, AdditiveScoresMatchesComposition) {
  Tape tape(context_);
  TapeScope scope(tape);
  Var q = tape.Constant(RandomTensor({2, 5}, 1));
  Var keys = tape.Constant(RandomTensor({2, 3, 5}, 2));
  Var v = tape.Constant(RandomTensor({5}, 3));
  Var fused = AdditiveScores(q, keys, v);
  Var composed = Reshape(MatMul(Tanh(Add(keys, Reshape(q, {2, 1, 5}))), Reshape(v, {5, 1})), {2, 3});
  for (int64_t i = 0; i < fused.size(); ++i) {
    EXPECT_NEAR(fused.value().data()[i], composed.value().data()[i], 1e-6) << "element " << i;
  }
}

TEST_F(FusedOps, AttentionContext) {
  EXPECT_TRUE(CheckGradients(context_, [](In x) { return AttentionContext(x[0], x[1]); },
                             {RandomTensor({2, 3}, 1), RandomTensor({2, 3, 4}, 2)}));
}

TEST_F(FusedOps, AttentionContextMatchesComposition) {
  Tape tape(context_);
  TapeScope scope(tape);
  Var alpha = tape.Constant(RandomTensor({2, 3}, 1));
  Var h = tape.Constant(RandomTensor({2, 3, 4}, 2));
  Var fused = AttentionContext(alpha, h);
  Var composed = Reshape(MatMul(Reshape(alpha, {2, 1, 3}), h), {2, 4});
  for (int64_t i = 0; i < fused.size(); ++i) {
    EXPECT_NEAR(fused.value().data()[i], composed.value().data()[i], 1e-6) << "element " << i;
  }
}

}  // namespace
}  // namespace nmt
