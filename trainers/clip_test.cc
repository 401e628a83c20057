#include "trainers/clip.h"

#include <omp.h>

#include <cmath>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ops/test_context.h"
#include "trainers/optimizer_testing.h"

namespace nmt::trainers {
namespace {

TEST(ClipGradNorm, MatchesPyTorch) {
  const OptimizerFixture& fixture = PyTorchOptimizerFixture();
  for (size_t step = 0; step < fixture.grads.size(); ++step) {
    FixtureModel model;
    SetGrads(model.parameters, fixture.grads[step]);
    const GradClip clip = ClipGradNorm(TestContext(), model.parameters);
    EXPECT_NEAR(clip.norm, fixture.grad_norms[step], 1e-6 * fixture.grad_norms[step]);
    for (size_t p = 0; p < model.parameters.size(); ++p) {
      ExpectRelativelyNear(model.parameters[p].second->grad(), fixture.clipped[step][p], 1e-6,
                           absl::StrCat("step ", step + 1, " ", model.parameters[p].first));
    }
  }
}

TEST(ClipGradNorm, LeavesSmallGradientsAlone) {
  Parameter a(Tensor::Zeros({2}));
  Parameter b(Tensor::Zeros({1}));
  a.grad() = Tensor::FromVector({2}, {0.3f, -0.4f});
  b.grad() = Tensor::FromVector({1}, {0.5f});
  const GradClip clip = ClipGradNorm(TestContext(), {{"a", &a}, {"b", &b}});
  EXPECT_NEAR(clip.norm, std::sqrt(0.5), 1e-7);
  EXPECT_EQ(clip.coefficient, 1.0);
  EXPECT_EQ(a.grad().ToVector(), (std::vector<float>{0.3f, -0.4f}));
  EXPECT_EQ(b.grad().ToVector(), (std::vector<float>{0.5f}));
}

TEST(ClipGradNorm, ScalesLargeGradientsToTheThreshold) {
  Parameter a(Tensor::Zeros({2}));
  a.grad() = Tensor::FromVector({2}, {30.0f, 40.0f});
  const GradClip clip = ClipGradNorm(TestContext(), {{"a", &a}});
  EXPECT_DOUBLE_EQ(clip.norm, 50.0);
  EXPECT_DOUBLE_EQ(clip.coefficient, 1.0 / (50.0 + 1e-6));
  EXPECT_NEAR(GlobalGradNorm(TestContext(), {{"a", &a}}), 1.0, 1e-6);
}

TEST(ClipGradNorm, IgnoresUndefinedGrads) {
  Parameter a(Tensor::Zeros({2}));
  Parameter unused(Tensor::Zeros({3}));
  a.grad() = Tensor::FromVector({2}, {3.0f, 4.0f});
  EXPECT_DOUBLE_EQ(GlobalGradNorm(TestContext(), {{"a", &a}, {"unused", &unused}}), 5.0);
}

TEST(GlobalGradNorm, SumsLargeTensorsInDouble) {
  // 2^20 ones spread over many chunks: float accumulation would drift, double is exact.
  Parameter a(Tensor::Zeros({1 << 20}));
  a.grad() = Tensor::Full({1 << 20}, 1.0f);
  EXPECT_EQ(GlobalGradNorm(TestContext(), {{"a", &a}}), 1024.0);
}

TEST(GlobalGradNorm, DoesNotDependOnTheThreadCount) {
  Parameter a(Tensor::Zeros({300001}));
  a.grad() = Tensor::Zeros({300001});
  for (int64_t i = 0; i < a.grad().size(); ++i) a.grad().data()[i] = 1.0f / static_cast<float>(1 + i % 977);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const double one = GlobalGradNorm(TestContext(), {{"a", &a}});
  omp_set_num_threads(3);
  const double three = GlobalGradNorm(TestContext(), {{"a", &a}});
  omp_set_num_threads(threads);
  EXPECT_EQ(one, three);
}

TEST(FirstNonFiniteGrad, NamesTheFirstParameterInOrderAndTheElement) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  Parameter undefined(Tensor::Zeros({2}));
  Parameter finite(Tensor::Zeros({2}));
  Parameter first(Tensor::Zeros({2, 3}));
  Parameter second(Tensor::Zeros({2}));
  undefined.grad() = Tensor();
  finite.grad() = Tensor::FromVector({2}, {1e30f, -1e30f});
  first.grad() = Tensor::FromVector({2, 3}, {0, 1, 2, 3, -inf, nan});
  second.grad() = Tensor::FromVector({2}, {nan, nan});
  const NamedParameters parameters = {
      {"undefined", &undefined}, {"finite", &finite}, {"first", &first}, {"second", &second}};
  std::optional<NonFiniteGrad> bad = FirstNonFiniteGrad(parameters);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->parameter, "first");
  EXPECT_EQ(bad->index, 4);
  EXPECT_EQ(bad->value, -inf);

  first.grad() = Tensor::Zeros({2, 3});
  bad = FirstNonFiniteGrad(parameters);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->parameter, "second");
  EXPECT_EQ(bad->index, 0);
  EXPECT_TRUE(std::isnan(bad->value));

  second.grad() = Tensor::Zeros({2});
  EXPECT_FALSE(FirstNonFiniteGrad(parameters).has_value());
}

TEST(ShouldSkipStep, DetectsNanAndInfGradients) {
  Parameter a(Tensor::Zeros({3}));
  a.grad() = Tensor::FromVector({3}, {1.0f, std::numeric_limits<float>::quiet_NaN(), 2.0f});
  GradClip clip = ClipGradNorm(TestContext(), {{"a", &a}});
  EXPECT_TRUE(ShouldSkipStep(clip.norm));
  EXPECT_EQ(a.grad().data()[0], 1.0f);  // untouched, not multiplied by NaN

  a.grad() = Tensor::FromVector({3}, {1.0f, std::numeric_limits<float>::infinity(), 2.0f});
  clip = ClipGradNorm(TestContext(), {{"a", &a}});
  EXPECT_TRUE(ShouldSkipStep(clip.norm));
  EXPECT_EQ(a.grad().data()[2], 2.0f);

  EXPECT_FALSE(ShouldSkipStep(0.0));
  EXPECT_FALSE(ShouldSkipStep(1e30));
}

}  // namespace
}  // namespace nmt::trainers
