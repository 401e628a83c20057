#include "ops/kernels/cpu/vector_math.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace nmt::cpu {
namespace {

TEST(VectorExp, WithinOneAndAHalfUlpOfExpOverItsRange) {
  double worst = 0.0;
  float worst_at = 0.0f;
  int count = 0;
  // Every 101st float of [−87, 88] (stepping through their bit patterns, so every
  // exponent is visited): about 2 · 10^7 arguments.
  for (const float end : {-87.0f, 88.0f}) {
    const uint32_t last = std::bit_cast<uint32_t>(end);
    for (uint32_t bits = end < 0 ? 0x80000000u : 0u; bits <= last; bits += 101, ++count) {
      const float x = std::bit_cast<float>(bits);
      const double exact = std::exp(static_cast<double>(x));
      // The error in units of the last place of the exact value's float.
      const float rounded = static_cast<float>(exact);
      const double ulp = std::nextafter(rounded, std::numeric_limits<float>::infinity()) - rounded;
      const double error = std::fabs(VectorExp(x) - exact) / ulp;
      if (error > worst) {
        worst = error;
        worst_at = x;
      }
    }
  }
  EXPECT_GT(count, 10000000);
  EXPECT_LE(worst, 1.5) << "at x = " << worst_at;
}

TEST(VectorExp, EdgesAndSpecialValues) {
  EXPECT_EQ(VectorExp(0.0f), 1.0f);
  EXPECT_EQ(VectorExp(-std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_EQ(VectorExp(-100.0f), 0.0f);
  EXPECT_EQ(VectorExp(100.0f), std::numeric_limits<float>::infinity());
  EXPECT_EQ(VectorExp(std::numeric_limits<float>::infinity()), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(VectorExp(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_NEAR(VectorExp(1.0f), 2.7182817f, 3e-7f);
  EXPECT_NEAR(VectorExp(-87.0f) / std::exp(-87.0), 1.0, 3e-7);
}

// The loop shape the kernels use, so that a vectorised build is checked too.
TEST(VectorExp, AVectorisedLoopGivesTheScalarValues) {
  std::vector<float> x(4099), y(x.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = -30.0f + 0.0123f * static_cast<float>(i);
  const float* px = x.data();
  float* py = y.data();
  const int64_t n = static_cast<int64_t>(x.size());
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) py[i] = VectorExp(px[i]);
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(y[i], VectorExp(x[i])) << x[i];
    const double exact = std::exp(static_cast<double>(x[i]));
    EXPECT_NEAR(y[i] / exact, 1.0, 1.5 * 0x1p-23) << x[i];  // 1.5 ulp at most, relative
  }
}

}  // namespace
}  // namespace nmt::cpu
