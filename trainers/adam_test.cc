#include "trainers/adam.h"

#include <cmath>
#include <memory>

#include "gtest/gtest.h"
#include "ops/test_context.h"
#include "trainers/optimizer_testing.h"

namespace nmt::trainers {
namespace {

std::unique_ptr<Optimizer> MakeAdam(NamedParameters parameters) {
  return std::make_unique<Adam>(std::move(parameters),
                                AdamOptions{.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8});
}

TEST(Adam, MatchesPyTorch) { ExpectMatchesPyTorch(MakeAdam, PyTorchOptimizerFixture().adam); }

TEST(Adam, ResumesBitForBit) { ExpectResumesBitForBit(MakeAdam); }

TEST(Adam, FirstStepMovesByAboutLr) {
  // After bias correction the first step is lr · g / (|g| + ε): lr times the sign.
  Parameter p(Tensor::FromVector({2}, {1.0f, 1.0f}));
  p.grad() = Tensor::FromVector({2}, {0.5f, -3.0f});
  Adam optimizer({{"p", &p}});
  optimizer.Step(TestContext());
  EXPECT_NEAR(p.value().data()[0], 1.0 - 1e-3, 1e-7);
  EXPECT_NEAR(p.value().data()[1], 1.0 + 1e-3, 1e-7);
  const OptimizerState state = optimizer.ExportState();
  ASSERT_EQ(state.slots.size(), 2u);
  EXPECT_EQ(state.slots[0].first, "adam.exp_avg/p");
  EXPECT_EQ(state.slots[1].first, "adam.exp_avg_sq/p");
}

}  // namespace
}  // namespace nmt::trainers
