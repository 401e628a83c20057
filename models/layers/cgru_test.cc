#include "models/layers/cgru.h"

#include <vector>

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/shape.h"
#include "ops/test_context.h"

namespace nmt::layers {
namespace {

using In = absl::Span<const Var>;

const Tensor& SourceMask() {
  static const Tensor mask = Tensor::FromVector({2, 3}, {1, 1, 1, 1, 1, 0});
  return mask;
}

// Two steps from s_0 = x[0] (B, n) over the inputs x[1] (B, 2, m) and annotations x[2]
// (B, Tx, 4): every state, context and weight side by side, so one check covers them all.
Var TwoSteps(const ConditionalGru& dec, In x) {
  const ConditionalGru::Weights w = dec.Stack();
  Var inputs = dec.ProjectInputs(w, x[1]);
  Var keys = dec.Keys(x[2]);
  Var s = x[0];
  std::vector<Var> outputs;
  for (int64_t i = 0; i < 2; ++i) {
    Var x_i = Reshape(Slice(inputs, 1, i, 1), {x[0].dim(0), inputs.dim(2)});
    ConditionalGruOutput out = dec.Step(w, x_i, s, x[2], keys, SourceMask());
    s = out.state;
    outputs.insert(outputs.end(), {out.state, out.context, out.alpha});
  }
  return Concat(outputs, 1);
}

TEST(ConditionalGru, GradientsOfEveryInputAndParameter) {
  DeviceContext& context = TestContext();
  for (GruForm form : {GruForm::kResetBeforeU, GruForm::kLinearBeforeReset}) {
    for (bool fused : {true, false}) {
      ConditionalGru dec({.input_size = 2, .hidden_size = 3, .form = form, .fused = fused}, 4, 2);
      dec.InitializeNormal(1, 0.5f);
      GradCheckOptions options;
      options.parameters = dec.Parameters();
      EXPECT_TRUE(CheckGradients(
          context, [&](In x) { return TwoSteps(dec, x); },
          {RandomTensor({2, 3}, 2), RandomTensor({2, 2, 2}, 3), RandomTensor({2, 3, 4}, 4)}, options))
          << "fused " << fused << ", linear before reset " << (form == GruForm::kLinearBeforeReset);
    }
  }
}

TEST(ConditionalGru, ParameterNames) {
  ConditionalGru dec({.input_size = 2, .hidden_size = 3}, 4, 2);
  for (const char* name : {"gru1.W_z", "gru1.U", "gru1.b", "attention.W_a", "attention.v_a", "gru2.W_r", "gru2.U_z"}) {
    EXPECT_NE(dec.FindParameter(name), nullptr) << name;
  }
  EXPECT_EQ(dec.FindParameter("gru2.W")->shape(), (Shape{3, 4}));
  EXPECT_EQ(dec.NamedParameters().size(), 9u + 4 + 9);
}

TEST(ConditionalGru, AttentionReadsTheFirstGrusState) {
  // With GRU_1's update gate shut (z = 0, so s'_i = s_{i−1}) the weights follow s_{i−1}
  // alone; with it open (s'_i = h̃, which has read y_{i−1}) they change.
  DeviceContext& context = TestContext();
  ConditionalGru dec({.input_size = 2, .hidden_size = 3}, 4, 2);
  dec.InitializeNormal(1, 0.5f);
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  dec.FindParameter("gru1.b_z")->value().Fill(-1e4f);
  const ConditionalGru::Weights w = dec.Stack();
  Var h = tape.Constant(RandomTensor({2, 3, 4}, 4));
  Var s = tape.Constant(RandomTensor({2, 3}, 2));
  Var x = dec.ProjectInputs(w, tape.Constant(RandomTensor({2, 2}, 3)));
  ConditionalGruOutput shut = dec.Step(w, x, s, h, dec.Keys(h), SourceMask());
  dec.FindParameter("gru1.b_z")->value().Fill(1e4f);
  const ConditionalGru::Weights open_w = dec.Stack();
  ConditionalGruOutput open = dec.Step(open_w, dec.ProjectInputs(open_w, tape.Constant(RandomTensor({2, 2}, 3))), s, h,
                                       dec.Keys(h), SourceMask());
  double change = 0.0;
  for (int64_t i = 0; i < 6; ++i) change += std::abs(shut.alpha.value().data()[i] - open.alpha.value().data()[i]);
  EXPECT_GT(change, 1e-4);
  EXPECT_EQ(open.alpha.value().data()[5], 0.0f);  // padding
}

}  // namespace
}  // namespace nmt::layers
