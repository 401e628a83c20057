#include "trainers/lr_schedule.h"

#include <cmath>

#include "gtest/gtest.h"

namespace nmt::trainers {
namespace {

TEST(LrSchedule, IsExactlyOneWithEveryPartOff) {
  const LrSchedule off;
  const TrainingProgress progress;
  for (int64_t step : {1, 2, 100, 1000000}) EXPECT_EQ(LrScale(off, step, progress), 1.0);
}

TEST(LrSchedule, WarmupRisesLinearlyToOne) {
  const LrSchedule schedule{.warmup_steps = 4};
  const TrainingProgress progress;
  EXPECT_DOUBLE_EQ(LrScale(schedule, 1, progress), 0.25);
  EXPECT_DOUBLE_EQ(LrScale(schedule, 2, progress), 0.5);
  EXPECT_DOUBLE_EQ(LrScale(schedule, 3, progress), 0.75);
  EXPECT_EQ(LrScale(schedule, 4, progress), 1.0);
  EXPECT_EQ(LrScale(schedule, 5000, progress), 1.0);
}

TEST(LrSchedule, InverseSquareRootDecayAfterNSteps) {
  const LrSchedule schedule{.decay_inv_sqrt_steps = 100};
  const TrainingProgress progress;
  EXPECT_EQ(LrScale(schedule, 50, progress), 1.0);
  EXPECT_EQ(LrScale(schedule, 100, progress), 1.0);
  EXPECT_DOUBLE_EQ(LrScale(schedule, 400, progress), 0.5);
  EXPECT_DOUBLE_EQ(LrScale(schedule, 10000, progress), 0.1);
}

TEST(LrSchedule, LinearDecayReachesZeroAtTheBudgetsEnd) {
  const LrSchedule schedule{.decay_linear_steps = 4, .max_steps = 10};
  const TrainingProgress progress;
  EXPECT_EQ(LrScale(schedule, 1, progress), 1.0);
  EXPECT_EQ(LrScale(schedule, 7, progress), 1.0);  // 4 steps left: 7, 8, 9, 10
  EXPECT_DOUBLE_EQ(LrScale(schedule, 8, progress), 0.75);
  EXPECT_DOUBLE_EQ(LrScale(schedule, 10, progress), 0.25);
  EXPECT_EQ(LrScale(schedule, 11, progress), 0.0);  // past the budget (a raised max_steps on resume)
  // The whole budget, after a warmup: Hugging Face's linear schedule.
  const LrSchedule whole{.warmup_steps = 2, .decay_linear_steps = 10, .max_steps = 10};
  EXPECT_DOUBLE_EQ(LrScale(whole, 1, progress), 0.5 * 1.0);
  EXPECT_DOUBLE_EQ(LrScale(whole, 6, progress), 0.5);
}

TEST(LrSchedule, WarmupThenInverseSquareRootAsTheTransformersRecipe) {
  // Marian's --lr-warmup 16000 --lr-decay-inv-sqrt 16000, scaled down.
  const LrSchedule schedule{.warmup_steps = 16, .decay_inv_sqrt_steps = 16};
  const TrainingProgress progress;
  EXPECT_DOUBLE_EQ(LrScale(schedule, 8, progress), 0.5);
  EXPECT_EQ(LrScale(schedule, 16, progress), 1.0);
  EXPECT_DOUBLE_EQ(LrScale(schedule, 64, progress), 0.5);
  EXPECT_DOUBLE_EQ(LrScale(schedule, 25, progress), std::sqrt(16.0 / 25.0));
}

TEST(LrSchedule, PlateauDecaysAfterKStalledValidationsAndCountsAfresh) {
  const LrSchedule schedule{.plateau_factor = 0.5, .plateau_validations = 2};
  TrainingProgress progress;
  EXPECT_FALSE(OnValidation(schedule, /*improved=*/true, progress));
  EXPECT_FALSE(OnValidation(schedule, false, progress));
  EXPECT_EQ(LrScale(schedule, 10, progress), 1.0);
  EXPECT_TRUE(OnValidation(schedule, false, progress));
  EXPECT_EQ(LrScale(schedule, 10, progress), 0.5);
  EXPECT_EQ(progress.lr_stalled_validations(), 0);
  // One more stall is not enough for a second decay; a new best resets the count.
  EXPECT_FALSE(OnValidation(schedule, false, progress));
  EXPECT_FALSE(OnValidation(schedule, true, progress));
  EXPECT_FALSE(OnValidation(schedule, false, progress));
  EXPECT_EQ(LrScale(schedule, 10, progress), 0.5);
  EXPECT_TRUE(OnValidation(schedule, false, progress));
  EXPECT_EQ(LrScale(schedule, 10, progress), 0.25);
}

TEST(LrSchedule, PlateauStateIsInTheProgressMessage) {
  const LrSchedule schedule{.warmup_steps = 10, .plateau_factor = 0.1, .plateau_validations = 1};
  TrainingProgress progress;
  ASSERT_TRUE(OnValidation(schedule, false, progress));
  TrainingProgress copy;
  ASSERT_TRUE(copy.ParseFromString(progress.SerializeAsString()));
  EXPECT_EQ(LrScale(schedule, 5, copy), LrScale(schedule, 5, progress));
  EXPECT_DOUBLE_EQ(LrScale(schedule, 5, copy), 0.05);
}

TEST(LrSchedule, WithoutAPlateauFactorValidationsNeverDecay) {
  const LrSchedule schedule;
  TrainingProgress progress;
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(OnValidation(schedule, false, progress));
  EXPECT_FALSE(progress.has_lr_plateau_scale());
}

TEST(LrSchedule, FromConfig) {
  TrainConfig config;
  config.set_lr_warmup_steps(3);
  config.set_lr_decay_inv_sqrt_steps(7);
  config.set_lr_plateau_factor(0.5);
  config.set_lr_plateau_validations(2);
  config.set_lr_decay_linear_steps(5);
  config.set_max_steps(9);
  const LrSchedule schedule = LrScheduleFromConfig(config);
  EXPECT_EQ(schedule.warmup_steps, 3);
  EXPECT_EQ(schedule.decay_inv_sqrt_steps, 7);
  EXPECT_EQ(schedule.plateau_factor, 0.5);
  EXPECT_EQ(schedule.plateau_validations, 2);
  EXPECT_EQ(schedule.decay_linear_steps, 5);
  EXPECT_EQ(schedule.max_steps, 9);
}

}  // namespace
}  // namespace nmt::trainers
