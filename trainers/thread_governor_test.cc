#include "trainers/thread_governor.h"

#include "gtest/gtest.h"

namespace nmt::trainers {
namespace {

TEST(ThreadsForFreeCores, RunsOnTheFreeCoresAtLeastOneAtMostTheSetting) {
  EXPECT_EQ(ThreadsForFreeCores(0.0, 2, 2), 2);
  EXPECT_EQ(ThreadsForFreeCores(0.2, 2, 2), 2) << "a little background work";
  EXPECT_EQ(ThreadsForFreeCores(1.0, 2, 2), 1) << "one core taken";
  EXPECT_EQ(ThreadsForFreeCores(0.6, 2, 2), 1) << "most of a core taken";
  EXPECT_EQ(ThreadsForFreeCores(2.0, 2, 2), 1) << "never none";
  EXPECT_EQ(ThreadsForFreeCores(0.0, 16, 4), 4) << "never more than the setting";
  EXPECT_EQ(ThreadsForFreeCores(3.0, 16, 16), 13);
  EXPECT_EQ(ThreadsForFreeCores(0.0, 2, 0), 1);
}

TEST(ThreadGovernor, FollowsTheLoadAtMostOncePerInterval) {
  ThreadGovernor governor(2, absl::Seconds(2));
  EXPECT_EQ(governor.threads(), 2);
  const absl::Time t0 = absl::Now() + absl::Seconds(10);
  EXPECT_EQ(governor.PollWithLoad(t0, 0.1, 2), std::nullopt) << "still 2: nothing to change";
  EXPECT_EQ(governor.PollWithLoad(t0 + absl::Seconds(1), 1.0, 2), std::nullopt) << "not due yet";
  EXPECT_EQ(governor.PollWithLoad(t0 + absl::Seconds(2), 1.0, 2), 1) << "another process took a core";
  EXPECT_EQ(governor.threads(), 1);
  EXPECT_DOUBLE_EQ(governor.last_other_busy_cores(), 1.0);
  EXPECT_EQ(governor.PollWithLoad(t0 + absl::Seconds(4), 0.95, 2), std::nullopt) << "still taken";
  EXPECT_EQ(governor.PollWithLoad(t0 + absl::Seconds(6), std::nullopt, 2), std::nullopt) << "no reading: no change";
  EXPECT_EQ(governor.threads(), 1);
  EXPECT_EQ(governor.PollWithLoad(t0 + absl::Seconds(8), 0.0, 2), 2) << "the core is free again";
}

TEST(ThreadGovernor, PollsTheMachineOnlyWhenDue) {
  ThreadGovernor governor(2, absl::Milliseconds(1));
  EXPECT_EQ(governor.Poll(absl::Now() - absl::Hours(1)), std::nullopt) << "not due";
  ThreadGovernor single(1);
  EXPECT_EQ(single.Poll(absl::Now() + absl::Hours(1)), std::nullopt) << "one thread has nothing to adapt";
  EXPECT_EQ(single.threads(), 1);
}

}  // namespace
}  // namespace nmt::trainers
