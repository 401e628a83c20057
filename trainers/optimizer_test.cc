// The behaviour every optimizer inherits from the base class, exercised through Adam
// (it has slots and uses the step count).
#include "trainers/optimizer.h"

#include <limits>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ops/test_context.h"
#include "trainers/adam.h"
#include "trainers/optimizer_testing.h"

namespace nmt::trainers {
namespace {

using ::testing::HasSubstr;

TEST(Optimizer, StepCountsSteps) {
  FixtureModel model;
  Adam optimizer(model.parameters);
  EXPECT_EQ(optimizer.step_count(), 0);
  SetGrads(model.parameters, PyTorchOptimizerFixture().grads[0]);
  optimizer.Step(TestContext());
  optimizer.Step(TestContext());
  EXPECT_EQ(optimizer.step_count(), 2);
}

TEST(Optimizer, StepLeavesGradsAndZeroGradClearsThem) {
  FixtureModel model;
  Adam optimizer(model.parameters);
  SetGrads(model.parameters, PyTorchOptimizerFixture().grads[0]);
  optimizer.Step(TestContext());
  const Parameter& first = *model.parameters[0].second;
  EXPECT_EQ(first.grad().ToVector(), PyTorchOptimizerFixture().grads[0][0]);
  optimizer.ZeroGrad();
  for (const auto& [name, param] : model.parameters) {
    for (float g : param->grad().values()) EXPECT_EQ(g, 0.0f) << name;
  }
}

TEST(Optimizer, SkipsParametersWithoutGrad) {
  Parameter with(Tensor::Full({2}, 1.0f));
  Parameter without(Tensor::Full({2}, 1.0f));
  without.grad() = Tensor();  // a Parameter starts with zeros; a caller may drop them
  Adam optimizer({{"with", &with}, {"without", &without}});
  optimizer.ZeroGrad();  // must not touch the undefined grad
  with.grad().Fill(1.0f);
  optimizer.Step(TestContext());
  EXPECT_NE(with.value().data()[0], 1.0f);
  EXPECT_EQ(without.value().ToVector(), (std::vector<float>{1.0f, 1.0f}));
  EXPECT_FALSE(without.grad().defined());
}

TEST(Optimizer, ExportNamesEverySlotInParameterOrder) {
  FixtureModel model;
  Adam optimizer(model.parameters);
  const OptimizerState state = optimizer.ExportState();
  ASSERT_EQ(state.slots.size(), 6u);
  EXPECT_EQ(state.slots[0].first, "adam.exp_avg/enc.W");
  EXPECT_EQ(state.slots[1].first, "adam.exp_avg_sq/enc.W");
  EXPECT_EQ(state.slots[2].first, "adam.exp_avg/dec.U_z");
  EXPECT_EQ(state.slots[5].first, "adam.exp_avg_sq/dec.b_z");
  EXPECT_EQ(state.slots[0].second.shape(), (Shape{2, 3}));
  EXPECT_EQ(optimizer.SlotName("exp_avg", "dec.U_z"), "adam.exp_avg/dec.U_z");
}

TEST(Optimizer, ExportIsACopy) {
  FixtureModel model;
  Adam optimizer(model.parameters);
  const OptimizerState before = optimizer.ExportState();
  SetGrads(model.parameters, PyTorchOptimizerFixture().grads[0]);
  optimizer.Step(TestContext());
  EXPECT_EQ(before.step_count, 0);
  for (float v : before.slots[0].second.values()) EXPECT_EQ(v, 0.0f);
}

TEST(Optimizer, ImportReportsEveryProblemAtOnceAndChangesNothing) {
  FixtureModel model;
  Adam optimizer(model.parameters);
  OptimizerState state = optimizer.ExportState();
  state.step_count = 7;
  state.slots.erase(state.slots.begin());                              // missing adam.exp_avg/enc.W
  state.slots[0].second = Tensor::Zeros({3, 2});                       // misshapen adam.exp_avg_sq/enc.W
  state.slots.emplace_back("adam.exp_avg/extra", Tensor::Zeros({1}));  // unexpected
  const absl::Status status = optimizer.ImportState(state);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("missing slot adam.exp_avg/enc.W"));
  EXPECT_THAT(status.message(), HasSubstr("slot adam.exp_avg_sq/enc.W is [3, 2]"));
  EXPECT_THAT(status.message(), HasSubstr("unexpected slot adam.exp_avg/extra"));
  EXPECT_EQ(optimizer.step_count(), 0);
}

TEST(Optimizer, ImportRejectsAnotherOptimizersState) {
  FixtureModel model;
  Adam adam(model.parameters);
  OptimizerState state = adam.ExportState();
  for (auto& [name, tensor] : state.slots) name.replace(0, 4, "adax");
  const absl::Status status = adam.ImportState(state);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("unexpected slot adax.exp_avg/enc.W"));
}

TEST(Optimizer, ImportRejectsNegativeStepCount) {
  FixtureModel model;
  Adam optimizer(model.parameters);
  OptimizerState state = optimizer.ExportState();
  state.step_count = -1;
  EXPECT_EQ(optimizer.ImportState(state).code(), absl::StatusCode::kInvalidArgument);
}

// Found with //trainers:checkpoint_fuzzer (a checkpoint whose step count is the largest
// int64): the restored optimizer's next Step() overflowed the count (UBSan).
TEST(Optimizer, ImportRejectsAStepCountWithNoRoomForAnotherStep) {
  FixtureModel model;
  Adam optimizer(model.parameters);
  OptimizerState state = optimizer.ExportState();
  state.step_count = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(optimizer.ImportState(state).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(optimizer.step_count(), 0);
  state.step_count = std::numeric_limits<int64_t>::max() - 1;
  EXPECT_TRUE(optimizer.ImportState(state).ok());
}

TEST(OptimizerDeathTest, RejectsRepeatedNames) {
  Parameter p(Tensor::Zeros({1}));
  EXPECT_DEATH(Adam({{"p", &p}, {"p", &p}}), "listed twice");
}

}  // namespace
}  // namespace nmt::trainers
