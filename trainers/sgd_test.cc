#include "trainers/sgd.h"

#include <memory>

#include "gtest/gtest.h"
#include "ops/test_context.h"
#include "trainers/optimizer_testing.h"

namespace nmt::trainers {
namespace {

std::unique_ptr<Optimizer> MakeSgd(NamedParameters parameters) {
  return std::make_unique<Sgd>(std::move(parameters), SgdOptions{.lr = 0.5});
}

TEST(Sgd, StepIsMinusLrTimesGrad) {
  Parameter p(Tensor::FromVector({3}, {1.0f, 2.0f, 3.0f}));
  p.grad() = Tensor::FromVector({3}, {2.0f, -4.0f, 0.0f});
  Sgd optimizer({{"p", &p}}, {.lr = 0.5});
  optimizer.Step(TestContext());
  EXPECT_EQ(p.value().ToVector(), (std::vector<float>{0.0f, 4.0f, 3.0f}));
}

TEST(Sgd, StateIsTheStepCountAlone) {
  Parameter p(Tensor::Zeros({2}));
  p.grad() = Tensor::Zeros({2});
  Sgd optimizer({{"p", &p}});
  optimizer.Step(TestContext());
  const OptimizerState state = optimizer.ExportState();
  EXPECT_EQ(state.step_count, 1);
  EXPECT_TRUE(state.slots.empty());
}

TEST(Sgd, ResumesBitForBit) { ExpectResumesBitForBit(MakeSgd); }

}  // namespace
}  // namespace nmt::trainers
