#include "models/layers/lstm.h"

#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/elementwise.h"
#include "ops/test_context.h"

namespace nmt::layers {
namespace {

using In = absl::Span<const Var>;

// Sentence 0 has 3 real tokens, sentence 1 has 2 (right-padded).
const Tensor& PaddedMask() {
  static const Tensor mask = Tensor::FromVector({2, 3}, {1, 1, 1, 1, 1, 0});
  return mask;
}

class LstmTest : public ::testing::Test {
 protected:
  DeviceContext& context_ = TestContext();
};

TEST_F(LstmTest, Names) {
  Lstm lstm({.input_size = 3, .hidden_size = 4, .context_size = 5});
  std::vector<std::string> names;
  for (auto& [name, p] : lstm.NamedParameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"W_i", "W_f", "W_o", "W_c", "U_i", "U_f", "U_o", "U_c", "C_i", "C_f",
                                             "C_o", "C_c", "b_i", "b_f", "b_o", "b_c"}));
}

TEST_F(LstmTest, RunGradientsWithPaddingBothDirectionsFusedAndComposed) {
  for (bool fused : {true, false}) {
    for (bool reverse : {false, true}) {
      Lstm lstm({.input_size = 3, .hidden_size = 4, .fused = fused});
      lstm.InitializeNormal(1, 0.5f);
      GradCheckOptions options;
      options.parameters = lstm.Parameters();
      EXPECT_TRUE(CheckGradients(
          context_, [&](In x) { return lstm.RunStates(x[0], PaddedMask(), reverse); }, {RandomTensor({2, 3, 3}, 2)},
          options))
          << "fused " << fused << ", reverse " << reverse;
    }
  }
}

TEST_F(LstmTest, StepWithASecondInputGradients) {
  Lstm lstm({.input_size = 3, .hidden_size = 4, .context_size = 2});
  lstm.InitializeNormal(1, 0.5f);
  GradCheckOptions options;
  options.parameters = lstm.Parameters();
  EXPECT_TRUE(CheckGradients(
      context_,
      [&](In x) {
        const LstmWeights w = lstm.Stack();
        return lstm.Step(w, Add(lstm.ProjectInputs(w, x[0]), lstm.ProjectContext(w, x[1])), x[2]);
      },
      {RandomTensor({2, 3}, 2), RandomTensor({2, 2}, 3), RandomTensor({2, 8}, 4)}, options));
}

TEST_F(LstmTest, PaddingLeavesTheStateUnchanged) {
  Lstm lstm({.input_size = 3, .hidden_size = 4});
  lstm.InitializeNormal(1, 0.5f);
  Tape tape(context_);
  TapeScope scope(tape);
  const Tensor forward = lstm.RunStates(tape.Constant(RandomTensor({2, 3, 3}, 2)), PaddedMask(), false).value();
  for (int k = 0; k < 8; ++k) EXPECT_EQ(forward.data()[(3 + 2) * 8 + k], forward.data()[(3 + 1) * 8 + k]);
  const Tensor backward = lstm.RunStates(tape.Constant(RandomTensor({2, 3, 3}, 2)), PaddedMask(), true).value();
  for (int k = 0; k < 8; ++k) EXPECT_EQ(backward.data()[(3 + 2) * 8 + k], 0.0f);
  EXPECT_EQ(lstm.Run(tape.Constant(RandomTensor({2, 3, 3}, 2)), PaddedMask(), false).shape(), (Shape{2, 3, 4}));
}

TEST_F(LstmTest, FusedMatchesComposed) {
  std::vector<std::vector<float>> results[2];
  for (bool fused : {true, false}) {
    Lstm lstm({.input_size = 3, .hidden_size = 4, .fused = fused});
    lstm.InitializeNormal(1, 0.5f);
    Tape tape(context_);
    TapeScope scope(tape);
    Var y = lstm.RunStates(tape.Constant(RandomTensor({2, 3, 3}, 2)), PaddedMask(), true);
    tape.Backward(y, RandomTensor(y.shape(), 5));
    results[fused].push_back(y.value().ToVector());
    for (Parameter* p : lstm.Parameters()) results[fused].push_back(p->grad().ToVector());
  }
  for (size_t i = 0; i < results[0].size(); ++i) {
    for (size_t j = 0; j < results[0][i].size(); ++j) EXPECT_NEAR(results[0][i][j], results[1][i][j], 1e-5);
  }
}

}  // namespace
}  // namespace nmt::layers
