#include "trainers/adadelta.h"

#include <cmath>
#include <memory>

#include "gtest/gtest.h"
#include "ops/test_context.h"
#include "trainers/optimizer_testing.h"

namespace nmt::trainers {
namespace {

std::unique_ptr<Optimizer> MakeAdadelta(NamedParameters parameters) {
  return std::make_unique<Adadelta>(std::move(parameters), AdadeltaOptions{.lr = 1.0, .rho = 0.95, .eps = 1e-6});
}

TEST(Adadelta, MatchesPyTorch) { ExpectMatchesPyTorch(MakeAdadelta, PyTorchOptimizerFixture().adadelta); }

TEST(Adadelta, ResumesBitForBit) { ExpectResumesBitForBit(MakeAdadelta); }

TEST(Adadelta, DefaultsAreThePapers) {
  const AdadeltaOptions options;
  EXPECT_EQ(options.lr, 1.0);
  EXPECT_EQ(options.rho, 0.95);
  EXPECT_EQ(options.eps, 1e-6);
}

TEST(Adadelta, FirstStepFollowsTheFormula) {
  // One element, g = 2: v = 0.05·4 = 0.2; Δ = sqrt(1e-6)/sqrt(0.2 + 1e-6)·2.
  Parameter p(Tensor::Scalar(1.0f));
  p.grad() = Tensor::Scalar(2.0f);
  Adadelta optimizer({{"p", &p}});
  optimizer.Step(TestContext());
  const double delta = std::sqrt(1e-6) / std::sqrt(0.2 + 1e-6) * 2.0;
  EXPECT_NEAR(p.value().item(), 1.0 - delta, 1e-7);
  const OptimizerState state = optimizer.ExportState();
  ASSERT_EQ(state.slots.size(), 2u);
  EXPECT_EQ(state.slots[0].first, "adadelta.square_avg/p");
  EXPECT_NEAR(state.slots[0].second.item(), 0.2, 1e-7);
  EXPECT_EQ(state.slots[1].first, "adadelta.acc_delta/p");
  EXPECT_NEAR(state.slots[1].second.item(), 0.05 * delta * delta, 1e-12);
}

}  // namespace
}  // namespace nmt::trainers
