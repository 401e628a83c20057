#include "models/layers/pooling.h"

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/test_context.h"

namespace nmt::layers {
namespace {

const Tensor& Mask() {
  static const Tensor mask = Tensor::FromVector({2, 3}, {1, 1, 1, 1, 0, 0});
  return mask;
}

TEST(MaskedMean, Gradients) {
  DeviceContext& context = TestContext();
  EXPECT_TRUE(CheckGradients(context, [](absl::Span<const Var> x) { return MaskedMean(x[0], Mask()); },
                             {RandomTensor({2, 3, 4}, 1)}));
}

TEST(MaskedMean, AveragesRealPositionsOnly) {
  DeviceContext& context = TestContext();
  Tape tape(context);
  TapeScope scope(tape);
  Var x = tape.Constant(Tensor::FromVector({2, 3, 1}, {1, 2, 6, 5, 100, -100}));
  EXPECT_EQ(MaskedMean(x, Mask()).value().ToVector(), (std::vector<float>{3, 5}));
}

}  // namespace
}  // namespace nmt::layers
