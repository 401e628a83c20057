#include "models/layers/readout.h"

#include <cmath>

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/test_context.h"

namespace nmt::layers {
namespace {

TEST(TanhReadout, GradientsWithABroadcastContext) {
  DeviceContext& context = TestContext();
  TanhReadout readout(3, 2, 4, 3, 5);
  readout.InitializeNormal(1, 0.5f);
  GradCheckOptions options;
  options.parameters = readout.Parameters();
  EXPECT_TRUE(CheckGradients(
      context, [&](absl::Span<const Var> x) { return readout.Forward(x[0], x[1], x[2]); },
      {RandomTensor({2, 3, 3}, 2), RandomTensor({2, 3, 2}, 3), RandomTensor({2, 1, 4}, 4)}, options));
}

TEST(TanhReadout, HiddenIsTanhOfTheSum) {
  DeviceContext& context = TestContext();
  TanhReadout readout(1, 1, 1, 1, 2);
  readout.FindParameter("U_o")->value().Fill(1.0f);
  readout.FindParameter("V_o")->value().Fill(2.0f);
  readout.FindParameter("C_o")->value().Fill(-1.0f);
  readout.FindParameter("b_o")->value().Fill(0.25f);
  Tape tape(context);
  TapeScope scope(tape);
  auto scalar = [&](float v) { return tape.Constant(Tensor::FromVector({1, 1}, {v})); };
  Var t = readout.Hidden(scalar(0.5f), scalar(0.25f), scalar(1.0f));
  EXPECT_NEAR(t.value().item(), std::tanh(0.5f + 0.5f - 1.0f + 0.25f), 1e-6);
}

}  // namespace
}  // namespace nmt::layers
