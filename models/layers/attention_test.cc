#include "models/layers/attention.h"

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

// Context and weights side by side, so one check covers both outputs.
Var AttendBoth(const AdditiveAttention& a, In x) {
  AttentionOutput out = a.Attend(x[0], x[1], a.Keys(x[1]), SourceMask());
  return Concat({out.context, out.alpha}, 1);
}

TEST(AdditiveAttention, GradientsFusedAndComposed) {
  DeviceContext& context = TestContext();
  for (bool fused : {true, false}) {
    AdditiveAttention a(2, 4, 3, fused);
    a.InitializeNormal(1, 0.5f);
    GradCheckOptions options;
    options.parameters = a.Parameters();
    EXPECT_TRUE(CheckGradients(
        context, [&](In x) { return AttendBoth(a, x); }, {RandomTensor({2, 2}, 2), RandomTensor({2, 3, 4}, 3)},
        options));
  }
}

TEST(AdditiveAttention, PaddingGetsNoWeightAndFusedMatchesComposed) {
  DeviceContext& context = TestContext();
  std::vector<float> results[2];
  for (bool fused : {true, false}) {
    AdditiveAttention a(2, 4, 3, fused);
    a.InitializeNormal(1, 0.5f);
    Tape tape(context);
    TapeScope scope(tape);
    std::vector<Var> x = {tape.Constant(RandomTensor({2, 2}, 2)), tape.Constant(RandomTensor({2, 3, 4}, 3))};
    AttentionOutput out = a.Attend(x[0], x[1], a.Keys(x[1]), SourceMask());
    EXPECT_EQ(out.alpha.value().data()[5], 0.0f);
    EXPECT_NEAR(out.alpha.value().data()[3] + out.alpha.value().data()[4], 1.0f, 1e-6);
    results[fused] = AttendBoth(a, x).value().ToVector();
  }
  for (size_t i = 0; i < results[0].size(); ++i) EXPECT_NEAR(results[0][i], results[1][i], 1e-6);
}

}  // namespace
}  // namespace nmt::layers
