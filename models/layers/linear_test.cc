#include "models/layers/linear.h"

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/test_context.h"

namespace nmt::layers {
namespace {

TEST(Linear, NamesAndGradients) {
  DeviceContext& context = TestContext();
  Linear init(3, 4, {.weight = "W_s", .bias = "b_s"});
  init.InitializeNormal(1, 0.5f);
  EXPECT_EQ(init.NamedParameters()[0].first, "W_s");
  EXPECT_EQ(init.NamedParameters()[1].first, "b_s");
  GradCheckOptions options;
  options.parameters = init.Parameters();
  EXPECT_TRUE(CheckGradients(
      context, [&](absl::Span<const Var> x) { return init.Forward(x[0]); }, {RandomTensor({2, 5, 3}, 1)}, options));
}

TEST(Linear, WithoutBias) {
  Linear v(3, 2, {.weight = "V", .bias = ""});
  EXPECT_EQ(v.NamedParameters().size(), 1u);
}

}  // namespace
}  // namespace nmt::layers
