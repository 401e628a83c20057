#include "metrics/repetition.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace nmt::metrics {
namespace {

std::vector<std::string> Words(const std::string& text) { return absl::StrSplit(text, ' ', absl::SkipEmpty()); }

TEST(HasRepetitionLoop, FindsTheIssuesLoop) {
  EXPECT_TRUE(HasRepetitionLoopInText("O dit: «O mon peuple dit: «Ne dit: «Ne dit: «Ne dit:"));
}

TEST(HasRepetitionLoop, FindsEachLengthUpToFourThreeTimesInARow) {
  EXPECT_TRUE(HasRepetitionLoop(Words("x a a a y")));
  EXPECT_TRUE(HasRepetitionLoop(Words("a b a b a b")));
  EXPECT_TRUE(HasRepetitionLoop(Words("start a b c a b c a b c end")));
  EXPECT_TRUE(HasRepetitionLoop(Words("a b c d a b c d a b c d")));
}

TEST(HasRepetitionLoop, TwoRepeatsOrRepeatsWithAGapAreNotALoop) {
  EXPECT_FALSE(HasRepetitionLoop(Words("very very good")));
  EXPECT_FALSE(HasRepetitionLoop(Words("a b a b")));
  EXPECT_FALSE(HasRepetitionLoop(Words("a b c a b c")));
  EXPECT_FALSE(HasRepetitionLoop(Words("a x a y a z a")));  // "a" often, never in a row
  EXPECT_FALSE(HasRepetitionLoop(Words("a b a b x a b")));
  EXPECT_FALSE(HasRepetitionLoop(Words("la casa , el agua y el rey .")));
  EXPECT_FALSE(HasRepetitionLoop({}));
  EXPECT_FALSE(HasRepetitionLoop(Words("a")));
}

TEST(HasRepetitionLoop, FiveGramsAreBeyondTheDefaultButNotALongerMaxN) {
  const std::vector<std::string> five = Words("a b c d e a b c d e a b c d e");
  EXPECT_FALSE(HasRepetitionLoop(five));
  EXPECT_TRUE(HasRepetitionLoop(five, {.max_n = 5}));
}

TEST(HasRepetitionLoop, MinRepeatsIsConfigurable) {
  EXPECT_TRUE(HasRepetitionLoop(Words("very very good"), {.min_repeats = 2}));
  EXPECT_FALSE(HasRepetitionLoop(Words("a a a"), {.min_repeats = 4}));
  EXPECT_TRUE(HasRepetitionLoop(Words("a a a a"), {.min_repeats = 4}));
}

TEST(HasRepetitionLoop, TextIsSplitAtAnyWhitespace) {
  EXPECT_TRUE(HasRepetitionLoopInText("  ja\tja  ja\n"));
  EXPECT_FALSE(HasRepetitionLoopInText(""));
}

}  // namespace
}  // namespace nmt::metrics
