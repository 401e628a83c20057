#include "base/fnv1a.h"

#include <string>

#include "gtest/gtest.h"

namespace nmt {
namespace {

TEST(Fnv1a64, MatchesPublishedTestVectors) {
  // From the FNV reference test suite (isthe.com/chongo/tech/comp/fnv, test_fnv.c).
  static_assert(Fnv1a64("") == 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(Fnv1a64, ContinuesOverMoreBytes) { EXPECT_EQ(Fnv1a64("bar", Fnv1a64("foo")), Fnv1a64("foobar")); }

TEST(Fnv1a64, HashesBytesAboveAsciiAsUnsigned) {
  // "é" is c3 a9: each byte must enter as 0..255, never sign-extended.
  uint64_t expected = kFnv1a64OffsetBasis;
  for (uint64_t byte : {0xc3ULL, 0xa9ULL}) expected = (expected ^ byte) * kFnv1a64Prime;
  EXPECT_EQ(Fnv1a64("\xc3\xa9"), expected);
  EXPECT_EQ(Fnv1a64(std::string("a\0b", 3)), Fnv1a64("b", Fnv1a64(std::string(1, '\0'), Fnv1a64("a"))));
}

TEST(Fnv1a64Word, IsOneStepWithTheWholeValue) {
  EXPECT_EQ(Fnv1a64Word(kFnv1a64OffsetBasis, 'a'), Fnv1a64("a"));
  EXPECT_EQ(Fnv1a64Word(1, ~0ULL), (1 ^ ~0ULL) * kFnv1a64Prime);
}

}  // namespace
}  // namespace nmt
