// Finite-difference checks of the fused ops (GruStep, LstmStep, AdditiveScores), and their
// agreement with the same maths written with primitive ops.
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <tuple>
#include <vector>

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/attention.h"
#include "ops/backend.h"
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

// Every input's gradient and then the output of `step`, run on Variables holding `in`
// on a tape over `context`, its backward pass seeded with a fixed random dy.
std::vector<Tensor> GradientsAndOutput(DeviceContext& context, const std::vector<Tensor>& in,
                                       const std::function<Var(Tape&, In)>& step) {
  Tape tape(context);
  TapeScope scope(tape);
  std::vector<Var> v;
  for (const Tensor& t : in) v.push_back(tape.Variable(t.Clone()));
  Var y = step(tape, v);
  tape.Backward(y, RandomTensor(y.shape(), 9));
  std::vector<Tensor> out;
  for (const Var& x : v) out.push_back(x.grad().Clone());
  out.push_back(y.value().Clone());
  return out;
}

// At 3 × 4, and at 40 × 512, where the step's elementwise passes are parallel loops.
TEST_F(FusedOps, GruStepMatchesComposition) {
  for (const auto [batch, n, tolerance] : {std::tuple<int64_t, int64_t, double>{3, 4, 1e-5}, {40, 512, 1e-4}}) {
    const std::vector<Tensor> in = GruInputs(batch, n);
    const std::vector<Tensor> fused_grads =
        GradientsAndOutput(context_, in, [](Tape&, In v) { return GruStep(v[0], v[1], v[2], v[3]); });
    const std::vector<Tensor> composed_grads =
        GradientsAndOutput(context_, in, [n = n](Tape&, In v) { return ComposedGruStep(v[0], v[1], v[2], v[3], n); });
    for (size_t i = 0; i < fused_grads.size(); ++i) {
      int wrong = 0;
      for (int64_t j = 0; j < fused_grads[i].size() && wrong < 5; ++j) {
        const bool near = std::abs(fused_grads[i].data()[j] - composed_grads[i].data()[j]) <= tolerance;
        wrong += !near;
        EXPECT_TRUE(near) << n << " units, tensor " << i << " element " << j << ": " << fused_grads[i].data()[j]
                          << " against " << composed_grads[i].data()[j];
      }
    }
  }
}

// A variational dropout mask of (B, n): zeros and 1/(1 − p).
Tensor RecurrentMask(int64_t batch, int64_t n, uint64_t seed) {
  DeviceContext& context = TestContext();
  return DropoutMask(context, {batch, n}, 0.4f, seed).Clone();
}

TEST_F(FusedOps, GruStepWithARecurrentMask) {
  const Tensor rmask = RecurrentMask(3, 4, 5);
  const Tensor mask = Tensor::FromVector({3}, {1.0f, 0.0f, 1.0f});
  for (GruForm form : {GruForm::kResetBeforeU, GruForm::kLinearBeforeReset}) {
    EXPECT_TRUE(CheckGradients(
        context_, [&](In x) { return GruStep(x[0], x[1], x[2], x[3], nullptr, form, &rmask); }, GruInputs(3, 4)));
    EXPECT_TRUE(CheckGradients(
        context_, [&](In x) { return GruStep(x[0], x[1], x[2], x[3], &mask, form, &rmask); }, GruInputs(3, 4)));
  }
}

// Nematus' and Marian's recurrent dropout: the U products read h ∘ m, the interpolation
// (1 − z) h + z h̃ the undropped h; padded rows keep the undropped h.
TEST_F(FusedOps, GruStepWithARecurrentMaskMatchesComposition) {
  const std::vector<Tensor> in = GruInputs(3, 4);
  const Tensor rmask = RecurrentMask(3, 4, 6);
  const Tensor mask = Tensor::FromVector({3}, {1.0f, 0.0f, 1.0f});
  const std::vector<Tensor> fused_out = GradientsAndOutput(context_, in, [&](Tape&, In v) {
    return GruStep(v[0], v[1], v[2], v[3], &mask, GruForm::kResetBeforeU, &rmask);
  });
  const std::vector<Tensor> composed_out = GradientsAndOutput(context_, in, [&](Tape& tape, In v) {
    const int64_t n = 4;
    Var hu = Mul(v[1], tape.Constant(rmask));
    std::vector<Var> x = Split(v[0], {n, n, n}, 1);
    std::vector<Var> zr = Split(Sigmoid(Add(Concat({x[0], x[1]}, 1), Affine(hu, v[2]))), {n, n}, 1);
    Var candidate = Tanh(Add(x[2], Affine(Mul(zr[1], hu), v[3])));
    return Add(v[1], Mul(Mul(zr[0], Sub(candidate, v[1])), tape.Constant(mask.Reshaped({3, 1}))));
  });
  for (size_t i = 0; i < fused_out.size(); ++i) {
    for (int64_t j = 0; j < fused_out[i].size(); ++j) {
      EXPECT_NEAR(fused_out[i].data()[j], composed_out[i].data()[j], 1e-5) << "tensor " << i << " element " << j;
    }
  }
}

// At 40 × 512 the step's elementwise passes run on every thread (ops/kernels/cpu/parallel.h):
// one thread and two must give the same bits, in both forms, with both masks.
TEST_F(FusedOps, GruStepOnTwoThreadsIsBitwiseTheOneThreadStep) {
  const int64_t batch = 40, n = 512;
  const std::vector<Tensor> in = GruInputs(batch, n);
  const Tensor rmask = RecurrentMask(batch, n, 7);
  std::vector<float> row_mask(batch, 1.0f);
  row_mask[3] = row_mask[17] = 0.0f;
  const Tensor mask = Tensor::FromVector({batch}, row_mask);
  for (GruForm form : {GruForm::kResetBeforeU, GruForm::kLinearBeforeReset}) {
    std::vector<std::vector<Tensor>> results;
    for (int threads : {1, 2}) {
      absl::StatusOr<std::unique_ptr<DeviceContext>> context = CreateDeviceContext(Device::kCPU, threads);
      ASSERT_TRUE(context.ok()) << context.status();
      results.push_back(GradientsAndOutput(
          **context, in, [&](Tape&, In v) { return GruStep(v[0], v[1], v[2], v[3], &mask, form, &rmask); }));
    }
    for (size_t i = 0; i < results[0].size(); ++i) {
      const Tensor &one = results[0][i], &two = results[1][i];
      ASSERT_EQ(one.shape(), two.shape());
      EXPECT_TRUE(std::equal(one.data(), one.data() + one.size(), two.data())) << "tensor " << i;
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

TEST_F(FusedOps, LstmStepWithARecurrentMask) {
  const Tensor rmask = RecurrentMask(3, 4, 7);
  const Tensor mask = Tensor::FromVector({3}, {1.0f, 0.0f, 1.0f});
  EXPECT_TRUE(CheckGradients(
      context_, [&](In x) { return LstmStep(x[0], x[1], x[2], nullptr, &rmask); }, LstmInputs(3, 4)));
  EXPECT_TRUE(CheckGradients(
      context_, [&](In x) { return LstmStep(x[0], x[1], x[2], &mask, &rmask); }, LstmInputs(3, 4)));
  // Dropping h only in U h equals the step on [h ∘ m; c] for rows that are not padding.
  Tape tape(context_);
  TapeScope scope(tape);
  const std::vector<Tensor> in = LstmInputs(3, 4);
  Tensor dropped_state = in[1].Clone();
  for (int64_t b = 0; b < 3; ++b) {
    for (int64_t k = 0; k < 4; ++k) dropped_state.data()[b * 8 + k] *= rmask.data()[b * 4 + k];
  }
  const std::vector<float> a =
      LstmStep(tape.Constant(in[0]), tape.Constant(in[1]), tape.Constant(in[2]), nullptr, &rmask).value().ToVector();
  const std::vector<float> b =
      LstmStep(tape.Constant(in[0]), tape.Constant(dropped_state), tape.Constant(in[2])).value().ToVector();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-6) << i;
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
