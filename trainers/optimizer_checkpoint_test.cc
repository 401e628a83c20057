#include "trainers/optimizer_checkpoint.h"

#include <cstring>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ops/test_context.h"
#include "trainers/optimizer_testing.h"

namespace nmt::trainers {
namespace {

using ::testing::HasSubstr;

TEST(MakeOptimizer, UnsetFieldsTakeTheDefaults) {
  FixtureModel model;
  OptimizerConfig config;
  config.mutable_adadelta();
  absl::StatusOr<std::unique_ptr<Optimizer>> optimizer = MakeOptimizer(config, model.parameters);
  ASSERT_TRUE(optimizer.ok()) << optimizer.status();
  EXPECT_EQ((*optimizer)->name(), "adadelta");
}

TEST(MakeOptimizer, RejectsBadConfigs) {
  FixtureModel model;
  OptimizerConfig config;
  EXPECT_EQ(MakeOptimizer(config, model.parameters).status().code(), absl::StatusCode::kInvalidArgument);
  config.mutable_adam()->set_beta2(1.5);
  const absl::Status status = MakeOptimizer(config, model.parameters).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("beta2=1.5"));
}

TEST(SaveOptimizer, RejectsAConfigOfAnotherKind) {
  FixtureModel model;
  OptimizerConfig adam;
  adam.mutable_adam();
  std::unique_ptr<Optimizer> optimizer = *MakeOptimizer(adam, model.parameters);
  OptimizerConfig sgd;
  sgd.mutable_sgd();
  EXPECT_EQ(SaveOptimizer(*optimizer, sgd).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RestoreOptimizer, ContinuesBitForBitThroughSerializedBytes) {
  const OptimizerFixture& fixture = PyTorchOptimizerFixture();
  OptimizerConfig config;
  config.mutable_adam()->set_lr(1e-2);
  FixtureModel original;
  std::unique_ptr<Optimizer> first = *MakeOptimizer(config, original.parameters);
  SetGrads(original.parameters, fixture.grads[0]);
  first->Step(TestContext());

  std::string bytes;
  ASSERT_TRUE(SaveOptimizer(*first, config)->SerializeToString(&bytes));
  OptimizerCheckpoint parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_EQ(parsed.slots().tensors_size(), 6);
  EXPECT_EQ(parsed.slots().tensors(0).name(), "adam.exp_avg/enc.W");

  FixtureModel resumed;
  for (size_t p = 0; p < resumed.parameters.size(); ++p) {
    resumed.parameters[p].second->value().CopyFrom(original.parameters[p].second->value());
  }
  absl::StatusOr<std::unique_ptr<Optimizer>> second = RestoreOptimizer(parsed, resumed.parameters);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)->step_count(), 1);

  SetGrads(original.parameters, fixture.grads[1]);
  SetGrads(resumed.parameters, fixture.grads[1]);
  first->Step(TestContext());
  (*second)->Step(TestContext());
  for (size_t p = 0; p < original.parameters.size(); ++p) {
    const Tensor& a = original.parameters[p].second->value();
    const Tensor& b = resumed.parameters[p].second->value();
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0) << original.parameters[p].first;
  }
}

TEST(RestoreOptimizer, ReportsMismatchedSlots) {
  FixtureModel model;
  OptimizerConfig config;
  config.mutable_adadelta();
  std::unique_ptr<Optimizer> optimizer = *MakeOptimizer(config, model.parameters);
  OptimizerCheckpoint checkpoint = *SaveOptimizer(*optimizer, config);
  checkpoint.mutable_slots()->mutable_tensors()->RemoveLast();
  const absl::Status status = RestoreOptimizer(checkpoint, model.parameters).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("missing slot adadelta.acc_delta/dec.b_z"));
}

}  // namespace
}  // namespace nmt::trainers
