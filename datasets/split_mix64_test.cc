#include "datasets/split_mix64.h"

#include <algorithm>
#include <numeric>

#include "gtest/gtest.h"

namespace nmt::datasets {
namespace {

TEST(SplitMix64, MatchesTheReferenceSequence) {
  // Outputs of the reference C implementation (Vigna, prng.di.unimi.it/splitmix64.c), seed 0.
  SplitMix64 rng(0);
  EXPECT_EQ(rng.Next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(rng.Next(), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(rng.Next(), 0x06c45d188009454fULL);
}

TEST(SplitMix64, UniformStaysInRangeAndCoversIt) {
  SplitMix64 rng(7);
  std::vector<int> seen(5, 0);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t k = rng.Uniform(5);
    ASSERT_LT(k, 5u);
    ++seen[k];
  }
  for (int count : seen) EXPECT_GT(count, 150);
}

TEST(ShuffleInPlace, IsAPermutationAndDependsOnTheSeed) {
  std::vector<int> a(100), b(100);
  std::iota(a.begin(), a.end(), 0);
  std::iota(b.begin(), b.end(), 0);
  SplitMix64 rng_a(1), rng_b(2);
  ShuffleInPlace(a, rng_a);
  ShuffleInPlace(b, rng_b);
  EXPECT_NE(a, b);
  std::vector<int> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(sorted[i], i);
}

TEST(ShuffleInPlace, SameSeedSameOrder) {
  std::vector<int> a(50), b(50);
  std::iota(a.begin(), a.end(), 0);
  std::iota(b.begin(), b.end(), 0);
  SplitMix64 rng_a(42), rng_b(42);
  ShuffleInPlace(a, rng_a);
  ShuffleInPlace(b, rng_b);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace nmt::datasets
