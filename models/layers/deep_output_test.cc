#include "models/layers/deep_output.h"

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/test_context.h"

namespace nmt::layers {
namespace {

TEST(DeepOutput, GradientsWithABroadcastContext) {
  DeviceContext& context = TestContext();
  DeepOutput readout(3, 2, 4, 2, 5);
  readout.InitializeNormal(1, 0.5f);
  GradCheckOptions options;
  options.parameters = readout.Parameters();
  EXPECT_TRUE(CheckGradients(
      context, [&](absl::Span<const Var> x) { return readout.Forward(x[0], x[1], x[2]); },
      {RandomTensor({2, 3, 3}, 2), RandomTensor({2, 3, 2}, 3), RandomTensor({2, 1, 4}, 4)}, options));
}

TEST(DeepOutput, MaxoutTakesAdjacentPairs) {
  DeviceContext& context = TestContext();
  DeepOutput readout(1, 1, 1, 2, 3);
  readout.FindParameter("U_o")->value().CopyFrom(Tensor::FromVector({4, 1}, {1, 2, -3, -4}));
  Tape tape(context);
  TapeScope scope(tape);
  Var zero = tape.Constant(Tensor::Zeros({1, 1}));
  Var t = readout.Hidden(tape.Constant(Tensor::FromVector({1, 1}, {1})), zero, zero);
  EXPECT_EQ(t.value().ToVector(), (std::vector<float>{2, -3}));
}

}  // namespace
}  // namespace nmt::layers
