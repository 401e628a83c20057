#include "metrics/bleu_bootstrap.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"
#include "metrics/bleu.h"

namespace nmt::metrics {
namespace {

BleuStats Stats(int64_t correct, int64_t total) {
  BleuStats s;
  s.hyp_len = s.ref_len = total;
  for (int k = 0; k < kBleuMaxOrder; ++k) {
    s.correct[k] = std::max<int64_t>(0, correct - k);
    s.total[k] = std::max<int64_t>(1, total - k);
  }
  return s;
}

TEST(PairedBootstrap, ASystemAgainstItselfIsNeverBetter) {
  std::vector<BleuStats> a;
  for (int i = 0; i < 50; ++i) a.push_back(Stats(3 + i % 5, 10));
  const BootstrapInterval d = PairedBootstrap(a, a, 200, 7);
  EXPECT_EQ(d.delta, 0);
  EXPECT_EQ(d.low, 0);
  EXPECT_EQ(d.high, 0);
  EXPECT_EQ(d.p_b_not_better, 1.0);
  EXPECT_EQ(d.samples, 200);
}

TEST(PairedBootstrap, ASystemBetterOnEverySentenceIsBetterInEveryResampling) {
  std::vector<BleuStats> a, b;
  for (int i = 0; i < 50; ++i) {
    a.push_back(Stats(3 + i % 4, 10));
    b.push_back(Stats(6 + i % 4, 10));
  }
  const BootstrapInterval d = PairedBootstrap(a, b, 300, 7);
  EXPECT_GT(d.delta, 10);
  EXPECT_GT(d.low, 0);
  EXPECT_LE(d.low, d.delta);
  EXPECT_GE(d.high, d.delta);
  EXPECT_EQ(d.p_b_not_better, 0.0);
  EXPECT_EQ(PairedBootstrap(a, b, 300, 7).low, d.low) << "the same seed resamples the same way";
}

TEST(PairedBootstrap, AMixedComparisonHasAnIntervalAroundTheDifference) {
  std::vector<BleuStats> a, b;
  for (int i = 0; i < 80; ++i) {
    a.push_back(Stats(i % 2 ? 8 : 2, 10));
    b.push_back(Stats(i % 2 ? 2 : 8, 10));  // as good overall, better on other sentences
  }
  const BootstrapInterval d = PairedBootstrap(a, b, 500, 3);
  EXPECT_NEAR(d.delta, 0, 1e-9);
  EXPECT_LT(d.low, 0);
  EXPECT_GT(d.high, 0);
  EXPECT_GT(d.p_b_not_better, 0.2);
  EXPECT_LT(d.p_b_not_better, 0.8);
}

}  // namespace
}  // namespace nmt::metrics
