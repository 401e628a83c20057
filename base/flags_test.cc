#include "base/flags.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "gtest/gtest.h"

ABSL_FLAG(int, test_count, 3, "a number");
ABSL_FLAG(std::optional<double>, test_rate, std::nullopt, "an optional number");
ABSL_FLAG(bool, test_switch, false, "a switch");

namespace nmt {
namespace {

std::string Check(std::vector<std::string> args) {
  args.insert(args.begin(), "program");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return FirstFlagError(static_cast<int>(argv.size()), argv.data());
}

TEST(FirstFlagError, AcceptsKnownFlagsInEveryForm) {
  EXPECT_EQ(Check({"--test_count=5", "--test_rate", "0.5", "--test_switch", "--notest_switch", "-test_count=1",
                   "positional", "--", "--not_a_flag"}),
            "");
}

TEST(FirstFlagError, NamesAnUnknownFlag) {
  EXPECT_EQ(Check({"--test_count=5", "--batchsize=3"}), "unknown flag --batchsize (--help lists the flags)");
  EXPECT_EQ(Check({"--notest_count"}), "unknown flag --notest_count (--help lists the flags)");
}

// --help and the other usage flags are Abseil's (ParseCommandLine prints and exits),
// though FindCommandLineFlag does not list them; they take no following argument.
TEST(FirstFlagError, LeavesAbseilsUsageFlagsToAbseil) {
  EXPECT_EQ(Check({"--help"}), "");
  EXPECT_EQ(Check({"--helpfull", "--helpshort", "--helpon=flags", "--helpmatch=test", "--version"}), "");
  EXPECT_EQ(Check({"--help", "--batchsize=3"}), "unknown flag --batchsize (--help lists the flags)");
  EXPECT_EQ(Check({"--helpx"}), "unknown flag --helpx (--help lists the flags)");
}

TEST(FirstFlagError, NamesAValueThatDoesNotParse) {
  EXPECT_NE(Check({"--test_count=abc"}).find("--test_count=abc: "), std::string::npos);
  EXPECT_NE(Check({"--test_rate=fast"}).find("--test_rate=fast: "), std::string::npos);
  EXPECT_EQ(Check({"--test_count"}), "--test_count needs a value");
}

TEST(FirstFlagError, SetsNothing) {
  ASSERT_EQ(Check({"--test_count=9", "--test_rate=2"}), "");
  EXPECT_EQ(absl::GetFlag(FLAGS_test_count), 3);
  EXPECT_FALSE(absl::GetFlag(FLAGS_test_rate).has_value());
}

}  // namespace
}  // namespace nmt
