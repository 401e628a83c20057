// Mixed-precision matrix products (MatmulPrecision::kBF16): the operands are rounded to
// bf16 and oneDNN accumulates in f32. Checked against an f32 product of the same rounded
// operands (so the bf16 path is really taken, and correct), against f32 within bf16's
// error, and for the per-step weight cache. Skipped where the CPU lacks AVX512-BF16/AMX.
#include <cmath>
#include <cstring>
#include <vector>

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/elementwise.h"
#include "ops/gru.h"
#include "ops/kernels/cpu/cpu_context.h"
#include "ops/matmul.h"
#include "ops/reduce.h"

namespace nmt {
namespace {

float Bf16ToFloat(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

Tensor RoundedToBf16(const Tensor& x) {
  std::vector<uint16_t> b(x.size());
  RoundToBf16(x.data(), x.size(), b.data());
  Tensor y = Tensor::Empty(x.shape());
  for (int64_t i = 0; i < x.size(); ++i) y.data()[i] = Bf16ToFloat(b[i]);
  return y;
}

double MaxAbsDiff(const Tensor& a, const Tensor& b) {
  double d = 0;
  for (int64_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(double{a.data()[i]} - b.data()[i]));
  return d;
}

TEST(RoundToBf16, RoundsToNearestEvenAndKeepsSpecials) {
  const float halfway_down = 1.0f + 1.0f / 256;        // between 0x3f80 and 0x3f81: to even 0x3f80
  const float halfway_up = 1.0f + 3.0f / 256;          // between 0x3f81 and 0x3f82: to even 0x3f82
  const float above_half = 1.0f + 1.0f / 256 + 1e-6f;  // just past halfway: up
  const std::vector<float> x = {1.0f, halfway_down, halfway_up, above_half, -2.0f, INFINITY, NAN, 0.0f};
  std::vector<uint16_t> y(x.size());
  RoundToBf16(x.data(), x.size(), y.data());
  EXPECT_EQ(y[0], 0x3f80);
  EXPECT_EQ(y[1], 0x3f80);
  EXPECT_EQ(y[2], 0x3f82);
  EXPECT_EQ(y[3], 0x3f81);
  EXPECT_EQ(y[4], 0xc000);
  EXPECT_EQ(y[5], 0x7f80);
  EXPECT_TRUE(std::isnan(Bf16ToFloat(y[6])));
  EXPECT_EQ(y[7], 0);
}

class Bf16Matmul : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!CpuContext::SupportsBf16()) GTEST_SKIP() << "this CPU has neither AVX512-BF16 nor AMX";
  }
  Tensor Product(MatmulPrecision precision, const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
    CpuContext context(1);
    context.set_matmul_precision(precision);
    Tape tape(context);
    TapeScope scope(tape);
    return MatMul(tape.Constant(a), tape.Constant(b), trans_a, trans_b).value().Clone();
  }
};

TEST_F(Bf16Matmul, IsTheF32ProductOfTheRoundedOperands) {
  struct Case {
    Shape a, b;
    bool trans_a, trans_b;
  };
  const std::vector<Case> cases = {{{7, 13}, {13, 5}, false, false},     {{13, 7}, {13, 5}, true, false},
                                   {{7, 13}, {5, 13}, false, true},      {{3, 9, 11}, {3, 11, 1}, false, false},
                                   {{4, 1, 17}, {17, 33}, false, false}, {{1, 64}, {64, 129}, false, false}};
  uint64_t seed = 1;
  for (const Case& c : cases) {
    const Tensor a = RandomTensor(c.a, seed++), b = RandomTensor(c.b, seed++);
    const Tensor bf16 = Product(MatmulPrecision::kBF16, a, b, c.trans_a, c.trans_b);
    const Tensor f32 = Product(MatmulPrecision::kF32, a, b, c.trans_a, c.trans_b);
    const Tensor rounded = Product(MatmulPrecision::kF32, RoundedToBf16(a), RoundedToBf16(b), c.trans_a, c.trans_b);
    const int64_t k = c.trans_a ? c.a[c.a.size() - 2] : c.a.back();
    EXPECT_LT(MaxAbsDiff(bf16, rounded), 1e-5 * k) << ShapeString(c.a) << " x " << ShapeString(c.b);
    EXPECT_GT(MaxAbsDiff(bf16, f32), 0) << "the bf16 path rounds its operands";
    EXPECT_LT(MaxAbsDiff(bf16, f32), 2e-2 * std::sqrt(double(k))) << "within bf16's 8-bit mantissa";
  }
}

TEST_F(Bf16Matmul, AParameterIsConvertedOncePerTapeAndAgainAfterReset) {
  CpuContext context(1);
  context.set_matmul_precision(MatmulPrecision::kBF16);
  Parameter w(RandomTensor({6, 10}, 3));
  const Tensor x = RandomTensor({4, 10}, 4, 1.0f);
  Tape tape(context);
  Tensor first;
  {
    TapeScope scope(tape);
    Var xv = tape.Constant(x);
    Var y = Affine(xv, w.var(), Var());
    Var z = Affine(xv, w.var(), Var());  // the same weight again: served from the cache
    Backward(Add(Sum(y), Sum(z)));       // dx uses W once more
    first = y.value().Clone();
    EXPECT_EQ(context.num_cached_bf16_parameters(), 1);
  }
  tape.Reset();
  EXPECT_EQ(context.num_cached_bf16_parameters(), 0);
  for (float& v : w.value().values()) v *= 2;  // an optimizer step
  TapeScope scope(tape);
  const Tensor second = Affine(tape.Constant(x), w.var(), Var()).value();
  for (int64_t i = 0; i < first.size(); ++i) EXPECT_FLOAT_EQ(second.data()[i], 2 * first.data()[i]) << i;
}

TEST_F(Bf16Matmul, TheFusedGruStepUsesBf16ProductsToo) {
  const int64_t batch = 3, n = 8;
  const Tensor x = RandomTensor({batch, 3 * n}, 1), h = RandomTensor({batch, n}, 2);
  Parameter u_zr(RandomTensor({2 * n, n}, 3, 0.5f)), u(RandomTensor({n, n}, 4, 0.5f));
  auto step = [&](MatmulPrecision precision) {
    CpuContext context(1);
    context.set_matmul_precision(precision);
    Tape tape(context);
    TapeScope scope(tape);
    Tensor y = GruStep(tape.Constant(x), tape.Constant(h), u_zr.var(), u.var()).value().Clone();
    EXPECT_EQ(context.num_cached_bf16_parameters(), precision == MatmulPrecision::kBF16 ? 2 : 0);
    return y;
  };
  const double d = MaxAbsDiff(step(MatmulPrecision::kBF16), step(MatmulPrecision::kF32));
  EXPECT_GT(d, 0);
  EXPECT_LT(d, 2e-2);
}

}  // namespace
}  // namespace nmt
