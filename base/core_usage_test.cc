#include "base/core_usage.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace nmt {
namespace {

constexpr char kProcStat[] =
    "cpu  300 10 100 5000 20 5 5 7 0 0\n"
    "cpu0 100 0 50 2500 10 2 3 4 0 0\n"
    "cpu1 200 10 50 2500 10 3 2 3 0 0\n"
    "intr 12345 0 0\n"
    "cpufreq 1\n";

TEST(ParseProcStat, SumsBusyAndTotalTicksOfTheWantedCpus) {
  const CpuTicks both = ParseProcStat(kProcStat, {0, 1});
  EXPECT_EQ(both.cpus, 2);
  EXPECT_EQ(both.busy, (100 + 50 + 2 + 3 + 4) + (200 + 10 + 50 + 3 + 2 + 3));
  EXPECT_EQ(both.total, both.busy + 2500 + 10 + 2500 + 10);
  const CpuTicks one = ParseProcStat(kProcStat, {1});
  EXPECT_EQ(one.cpus, 1);
  EXPECT_EQ(one.busy, 200 + 10 + 50 + 3 + 2 + 3);
  EXPECT_EQ(ParseProcStat(kProcStat, {7}).cpus, 0) << "a CPU without a line";
  EXPECT_EQ(ParseProcStat("cpu0 1 2 x 4 5\n", {0}).cpus, 0) << "a malformed number";
}

TEST(ParseProcessTicks, ReadsUtimePlusStimeAfterTheCommandName) {
  // Fields 14 and 15 (utime 1234, stime 56); the name holds a space and a parenthesis.
  constexpr char kStat[] = "4242 (my (odd) name) R 1 2 3 4 5 6 7 8 9 10 1234 56 0 0 20 0 3 0";
  EXPECT_EQ(ParseProcessTicks(kStat), 1234 + 56);
  EXPECT_EQ(ParseProcessTicks("4242 (short) R 1 2"), std::nullopt);
  EXPECT_EQ(ParseProcessTicks("no parenthesis"), std::nullopt);
}

TEST(OtherCoreUsage, OwnWorkIsNotCountedAndAnotherProcessIs) {
  OtherCoreUsage usage;
  ASSERT_FALSE(usage.cpus().empty());
  // This process spins for a while: its own time is left out.
  const auto spin = [](std::chrono::milliseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    volatile double x = 1;
    while (std::chrono::steady_clock::now() < end) x = x * 1.0000001 + 1e-9;
  };
  spin(std::chrono::milliseconds(400));
  std::optional<double> own = usage.Sample();
  ASSERT_TRUE(own.has_value());
  EXPECT_GE(*own, 0.0);
  EXPECT_LE(*own, static_cast<double>(usage.cpus().size()));

  // A child process spins while this one sleeps: about one core of other work (less when
  // the machine is busier than that already, hence the loose bound).
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    spin(std::chrono::milliseconds(600));
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  std::optional<double> other = usage.Sample();
  ASSERT_TRUE(other.has_value());
  EXPECT_GE(*other, 0.5) << "the child's spinning must count as other work";
  EXPECT_LE(*other, static_cast<double>(usage.cpus().size()));
}

}  // namespace
}  // namespace nmt
