#include "models/layers/luong_attention.h"

#include <cmath>
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

// h̃, c and a side by side, so one check covers every output.
Var AttendAll(const LuongAttention& a, In x) {
  LuongAttentionOutput out = a.Attend(x[0], x[1], a.Keys(x[1]), SourceMask());
  return Concat({out.attentional, out.context, out.alpha}, 1);
}

TEST(LuongAttention, GradientsOfEveryScore) {
  DeviceContext& context = TestContext();
  for (LuongScore score : {LuongScore::kDot, LuongScore::kGeneral, LuongScore::kConcat}) {
    LuongAttention a(score, 4, 3);
    a.InitializeNormal(1, 0.5f);
    GradCheckOptions options;
    options.parameters = a.Parameters();
    EXPECT_TRUE(CheckGradients(
        context, [&](In x) { return AttendAll(a, x); }, {RandomTensor({2, 4}, 2), RandomTensor({2, 3, 4}, 3)}, options))
        << "score " << static_cast<int>(score);
  }
}

TEST(LuongAttention, ParametersOfEachScore) {
  EXPECT_EQ(LuongAttention(LuongScore::kDot, 4, 3).NamedParameters().size(), 2u);
  EXPECT_EQ(LuongAttention(LuongScore::kGeneral, 4, 3).FindParameter("W_a")->shape(), (Shape{4, 4}));
  LuongAttention concat(LuongScore::kConcat, 4, 3);
  EXPECT_EQ(concat.FindParameter("U_a")->shape(), (Shape{3, 4}));
  EXPECT_EQ(concat.FindParameter("W_c")->shape(), (Shape{4, 8}));
  EXPECT_EQ(concat.NamedParameters().size(), 6u);
}

TEST(LuongAttention, DotScoresAreInnerProducts) {
  DeviceContext& context = TestContext();
  LuongAttention a(LuongScore::kDot, 2, 0);
  Tape tape(context);
  TapeScope scope(tape);
  Var h = tape.Constant(Tensor::FromVector({2, 2}, {1, 0, 0, 2}));
  Var src = tape.Constant(Tensor::FromVector({2, 3, 2}, {1, 5, 2, 5, 3, 5, 1, 1, 2, 2, 9, 9}));
  LuongAttentionOutput out = a.Attend(h, src, a.Keys(src), SourceMask());
  // Sentence 0: scores 1, 2, 3; sentence 1: 2, 4 and padding.
  const float z0 = std::exp(1.0f) + std::exp(2.0f) + std::exp(3.0f), z1 = std::exp(2.0f) + std::exp(4.0f);
  const std::vector<float> expected = {std::exp(1.0f) / z0, std::exp(2.0f) / z0, std::exp(3.0f) / z0,
                                       std::exp(2.0f) / z1, std::exp(4.0f) / z1, 0.0f};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(out.alpha.value().data()[i], expected[i], 1e-6) << i;
}

}  // namespace
}  // namespace nmt::layers
