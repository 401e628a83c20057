#include "models/layers/gru.h"

#include <vector>

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/elementwise.h"
#include "ops/shape.h"
#include "ops/test_context.h"

namespace nmt::layers {
namespace {

using In = absl::Span<const Var>;

// Sentence 0 has 3 real tokens, sentence 1 has 2 (right-padded).
const Tensor& PaddedMask() {
  static const Tensor mask = Tensor::FromVector({2, 3}, {1, 1, 1, 1, 1, 0});
  return mask;
}

class GruTest : public ::testing::Test {
 protected:
  DeviceContext& context_ = TestContext();
};

TEST_F(GruTest, NamesFollowThePaper) {
  Gru gru({.input_size = 3, .hidden_size = 4, .context_size = 5});
  std::vector<std::string> names;
  for (auto& [name, p] : gru.NamedParameters()) names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"W_z", "W_r", "W", "U_z", "U_r", "U", "C_z", "C_r", "C", "b_z", "b_r", "b"}));
}

TEST_F(GruTest, RunGradientsWithPaddingBothDirectionsBothForms) {
  for (GruForm form : {GruForm::kResetBeforeU, GruForm::kLinearBeforeReset}) {
    for (bool reverse : {false, true}) {
      Gru gru({.input_size = 3, .hidden_size = 4, .form = form});
      gru.InitializeNormal(1, 0.5f);
      GradCheckOptions options;
      options.parameters = gru.Parameters();
      EXPECT_TRUE(CheckGradients(
          context_, [&](In x) { return gru.Run(x[0], PaddedMask(), reverse); }, {RandomTensor({2, 3, 3}, 2)}, options))
          << "reverse " << reverse;
    }
  }
}

TEST_F(GruTest, StepWithContextGradients) {
  Gru gru({.input_size = 3, .hidden_size = 4, .context_size = 2});
  gru.InitializeNormal(1, 0.5f);
  GradCheckOptions options;
  options.parameters = gru.Parameters();
  EXPECT_TRUE(CheckGradients(
      context_,
      [&](In x) {
        const GruWeights w = gru.Stack();
        return gru.Step(w, Add(gru.ProjectInputs(w, x[0]), gru.ProjectContext(w, x[1])), x[2]);
      },
      {RandomTensor({2, 3}, 2), RandomTensor({2, 2}, 3), RandomTensor({2, 4}, 4)}, options));
}

TEST_F(GruTest, PaddingLeavesTheStateUnchanged) {
  Gru gru({.input_size = 3, .hidden_size = 4});
  gru.InitializeNormal(1, 0.5f);
  Tape tape(context_);
  TapeScope scope(tape);
  const Tensor forward = gru.Run(tape.Constant(RandomTensor({2, 3, 3}, 2)), PaddedMask(), false).value();
  for (int k = 0; k < 4; ++k) EXPECT_EQ(forward.data()[(3 + 2) * 4 + k], forward.data()[(3 + 1) * 4 + k]);
  const Tensor backward = gru.Run(tape.Constant(RandomTensor({2, 3, 3}, 2)), PaddedMask(), true).value();
  for (int k = 0; k < 4; ++k) EXPECT_EQ(backward.data()[(3 + 2) * 4 + k], 0.0f);  // h← starts at the last real token
}

TEST_F(GruTest, FusedMatchesComposed) {
  for (GruForm form : {GruForm::kResetBeforeU, GruForm::kLinearBeforeReset}) {
    std::vector<std::vector<float>> results[2];
    for (bool fused : {true, false}) {
      Gru gru({.input_size = 3, .hidden_size = 4, .form = form, .fused = fused});
      gru.InitializeNormal(1, 0.5f);
      Tape tape(context_);
      TapeScope scope(tape);
      Var y = gru.Run(tape.Constant(RandomTensor({2, 3, 3}, 2)), PaddedMask(), true);
      tape.Backward(y, RandomTensor(y.shape(), 5));
      results[fused].push_back(y.value().ToVector());
      for (Parameter* p : gru.Parameters()) results[fused].push_back(p->grad().ToVector());
    }
    for (size_t i = 0; i < results[0].size(); ++i) {
      for (size_t j = 0; j < results[0][i].size(); ++j) EXPECT_NEAR(results[0][i][j], results[1][i][j], 1e-5);
    }
  }
}

}  // namespace
}  // namespace nmt::layers
