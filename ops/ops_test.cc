// Forward values against naive references, and the error messages of misuse.
#include <cmath>
#include <vector>

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/elementwise.h"
#include "ops/embedding.h"
#include "ops/kernels/cpu/cpu_context.h"
#include "ops/matmul.h"
#include "ops/maxout.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/softmax.h"

namespace nmt {
namespace {

class Ops : public ::testing::Test {
 protected:
  Var C(const Tensor& t) { return tape_.Constant(t); }
  CpuContext context_{1};
  Tape tape_{context_};
  TapeScope scope_{tape_};
};

TEST_F(Ops, MatMulMatchesNaiveProductForOddAndPowerOfTwoShapes) {
  for (auto [m, k, n] : {std::tuple<int, int, int>{3, 5, 7}, {64, 128, 32}, {1, 1000, 3}}) {
    Tensor a = RandomTensor({m, k}, 1), b = RandomTensor({k, n}, 2);
    Tensor y = MatMul(C(a), C(b)).value();
    for (int i = 0; i < m; i += 7) {
      for (int j = 0; j < n; j += 3) {
        double expected = 0;
        for (int p = 0; p < k; ++p) expected += a.data()[i * k + p] * b.data()[p * n + j];
        EXPECT_NEAR(y.data()[i * n + j], expected, 1e-4 * k) << m << "x" << k << "x" << n;
      }
    }
  }
}

TEST_F(Ops, AffineAddsBiasPerOutput) {
  Tensor x = Tensor::FromVector({1, 2}, {1, 2});
  Tensor w = Tensor::FromVector({3, 2}, {1, 0, 0, 1, 1, 1});
  Tensor b = Tensor::FromVector({3}, {10, 20, 30});
  EXPECT_EQ(Affine(C(x), C(w), C(b)).value().ToVector(), (std::vector<float>{11, 22, 33}));
}

TEST_F(Ops, BroadcastingAddRepeatsTheSmallerShape) {
  Tensor a = Tensor::FromVector({2, 1}, {1, 2});
  Tensor b = Tensor::FromVector({3}, {10, 20, 30});
  Var y = Add(C(a), C(b));
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(y.value().ToVector(), (std::vector<float>{11, 21, 31, 12, 22, 32}));
}

TEST_F(Ops, MaskedSoftmaxGivesZeroToPaddingAndSumsToOne) {
  Tensor x = Tensor::FromVector({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor mask = Tensor::FromVector({2, 3}, {1, 1, 0, 0, 0, 0});
  std::vector<float> y = Softmax(C(x), 1, &mask).value().ToVector();
  EXPECT_NEAR(y[0], 1 / (1 + std::exp(1.0f)), 1e-6);
  EXPECT_NEAR(y[0] + y[1], 1.0f, 1e-6);
  EXPECT_EQ(y[2], 0.0f);
  for (int i = 3; i < 6; ++i) EXPECT_EQ(y[i], 0.0f) << "a row with no real position";
}

TEST_F(Ops, LogSoftmaxIsStableForLargeInputs) {
  Tensor x = Tensor::FromVector({1, 2}, {1000, 0});
  std::vector<float> y = LogSoftmax(C(x)).value().ToVector();
  EXPECT_NEAR(y[0], 0.0f, 1e-5);
  EXPECT_NEAR(y[1], -1000.0f, 1e-3);
}

TEST_F(Ops, SoftmaxCrossEntropyIsNegativeLogProbabilityOfTheTarget) {
  Tensor logits = Tensor::FromVector({2, 3}, {0, 0, 0, 1, 2, 3});
  Tensor mask = Tensor::FromVector({2}, {1, 1});
  std::vector<float> nll = SoftmaxCrossEntropy(C(logits), std::vector<int32_t>{1, 2}, mask).value().ToVector();
  EXPECT_NEAR(nll[0], std::log(3.0f), 1e-5);
  EXPECT_NEAR(nll[1], -(3 - std::log(std::exp(1.0f) + std::exp(2.0f) + std::exp(3.0f))), 1e-5);
}

// PyTorch's F.cross_entropy(logits, targets, label_smoothing=ε, reduction="none") is
// (1 − ε)(−log p_t) + ε/K Σ_j (−log p_j). By hand: row [0, 0, 0] has −log p_j = log 3
// for every j, so any ε gives log 3; row [1, 2, 3] has log-sum-exp
// L = 3 + log(1 + e⁻¹ + e⁻²) = 3.4076060, so with ε = 0.1 and target 2 the loss is
// L − (0.9 · 3 + 0.1/3 · (1 + 2 + 3)) = L − 2.9 = 0.5076060 (PyTorch 1.13: 0.5076059).
// Row [0.5, −1, 2, 0], target 0, ε = 0.2: L = log(e^0.5 + e⁻¹ + e² + 1) = 2.3423496, so
// 0.8 (L − 0.5) + 0.2/4 (4L − 1.5) = L − 0.4 − 0.075 = 1.8673496 (PyTorch: 1.8673496).
TEST_F(Ops, LabelSmoothedCrossEntropyIsPyTorchs) {
  Tensor logits = Tensor::FromVector({2, 3}, {0, 0, 0, 1, 2, 3});
  Tensor mask = Tensor::FromVector({2}, {1, 1});
  std::vector<float> nll = SoftmaxCrossEntropy(C(logits), std::vector<int32_t>{1, 2}, mask, 0.1f).value().ToVector();
  // 1e-5, as for the plain loss: oneDNN's log-softmax is within a few float ulps.
  EXPECT_NEAR(nll[0], std::log(3.0f), 1e-5);
  EXPECT_NEAR(nll[1], 0.5076060f, 1e-5);
  Tensor four = Tensor::FromVector({1, 4}, {0.5f, -1.0f, 2.0f, 0.0f});
  EXPECT_NEAR(SoftmaxCrossEntropy(C(four), std::vector<int32_t>{0}, Tensor::FromVector({1}, {1}), 0.2f).value().item(),
              1.8673496f, 1e-5);
  // ε = 0 is the plain −log p, bit for bit.
  EXPECT_EQ(SoftmaxCrossEntropy(C(logits), std::vector<int32_t>{1, 2}, mask, 0.0f).value().ToVector(),
            SoftmaxCrossEntropy(C(logits), std::vector<int32_t>{1, 2}, mask).value().ToVector());
}

TEST_F(Ops, LabelSmoothingLeavesPaddingWithoutLossOrGradient) {
  Var logits = tape_.Variable(Tensor::FromVector({2, 3}, {1, 2, 3, 4, 5, 6}));
  Var nll = SoftmaxCrossEntropy(logits, std::vector<int32_t>{0, 99}, Tensor::FromVector({2}, {1, 0}), 0.3f);
  EXPECT_EQ(nll.value().ToVector()[1], 0.0f);
  Backward(Sum(nll));
  const std::vector<float> grad = logits.grad().ToVector();
  for (int j = 3; j < 6; ++j) EXPECT_EQ(grad[j], 0.0f);
  float row_sum = grad[0] + grad[1] + grad[2];  // softmax and the smoothed target both sum to 1
  EXPECT_NEAR(row_sum, 0.0f, 1e-5);
}

TEST_F(Ops, DropoutRowsDependOnTheirGlobalIndexAloneSoShardsAgree) {
  Tensor x = Tensor::Full({6, 20}, 1.0f);
  const std::vector<float> whole = Dropout(C(x), 0.5f, 11).value().ToVector();
  const std::vector<float> shard =
      Dropout(C(Tensor::Full({2, 20}, 1.0f)), 0.5f, 11, /*first_row=*/3).value().ToVector();
  EXPECT_EQ(shard, std::vector<float>(whole.begin() + 3 * 20, whole.begin() + 5 * 20));
  // A shorter row (a shard trimmed to its own length) is a prefix of the longer one.
  const std::vector<float> short_rows = Dropout(C(Tensor::Full({6, 7}, 1.0f)), 0.5f, 11).value().ToVector();
  for (int r = 0; r < 6; ++r) {
    for (int j = 0; j < 7; ++j) EXPECT_EQ(short_rows[r * 7 + j], whole[r * 20 + j]) << r << ", " << j;
  }
}

TEST_F(Ops, SharedDropoutRepeatsOneMaskAlongTheBroadcastDims) {
  Tensor x = Tensor::Full({4, 5, 6}, 1.0f);
  const std::vector<float> words = SharedDropout(C(x), {4, 5, 1}, 0.5f, 3).value().ToVector();
  const std::vector<float> steps = SharedDropout(C(x), {4, 1, 6}, 0.5f, 3).value().ToVector();
  int dropped_words = 0;
  for (int b = 0; b < 4; ++b) {
    for (int t = 0; t < 5; ++t) {
      for (int k = 0; k < 6; ++k) {
        EXPECT_EQ(words[(b * 5 + t) * 6 + k], words[(b * 5 + t) * 6]) << "one value per word";
        EXPECT_EQ(steps[(b * 5 + t) * 6 + k], steps[b * 5 * 6 + k]) << "one mask for every step";
      }
      dropped_words += words[(b * 5 + t) * 6] == 0.0f;
    }
  }
  EXPECT_GT(dropped_words, 0);
  EXPECT_LT(dropped_words, 20);
  EXPECT_EQ(SharedDropout(C(x), {4, 5, 1}, 0.5f, 3).value().ToVector(), words) << "the seed decides";
}

TEST_F(Ops, TransposeMovesAxes) {
  Tensor x = Tensor::FromVector({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(Transpose(C(x), std::vector<int>{1, 0}).value().ToVector(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST_F(Ops, ConcatAndSliceAreInverse) {
  Tensor a = RandomTensor({2, 3}, 1), b = RandomTensor({2, 2}, 2);
  Var y = Concat({C(a), C(b)}, 1);
  EXPECT_EQ(Slice(y, 1, 3, 2).value().ToVector(), b.ToVector());
  EXPECT_EQ(Slice(y, 1, 0, 3).value().ToVector(), a.ToVector());
}

TEST_F(Ops, EmbeddingLookupGathersRows) {
  Tensor table = Tensor::FromVector({3, 2}, {0, 1, 10, 11, 20, 21});
  EXPECT_EQ(EmbeddingLookup(C(table), std::vector<int32_t>{2, 0}, {2}).value().ToVector(),
            (std::vector<float>{20, 21, 0, 1}));
}

TEST_F(Ops, MaxoutTakesAdjacentPairs) {
  Tensor x = Tensor::FromVector({4}, {1, 5, 7, -2});
  EXPECT_EQ(Maxout(C(x)).value().ToVector(), (std::vector<float>{5, 7}));
}

TEST_F(Ops, DropoutIsReproducibleFromItsSeedAndKeepsTheExpectation) {
  Tensor x = Tensor::Full({10000}, 1.0f);
  std::vector<float> a = Dropout(C(x), 0.3f, 5).value().ToVector();
  EXPECT_EQ(a, Dropout(C(x), 0.3f, 5).value().ToVector());
  EXPECT_NE(a, Dropout(C(x), 0.3f, 6).value().ToVector());
  double mean = 0;
  for (float v : a) mean += v / a.size();
  EXPECT_NEAR(mean, 1.0, 0.03);
}

TEST_F(Ops, SumAndMeanReduceOverAnAxis) {
  Tensor x = Tensor::FromVector({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(Sum(C(x), 0).value().ToVector(), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(Mean(C(x), 1).value().ToVector(), (std::vector<float>{2, 5}));
  EXPECT_EQ(Sum(C(x)).value().item(), 21.0f);
}

TEST_F(Ops, PrimitivesAreBuiltOncePerShape) {
  Tensor a = RandomTensor({4, 8}, 1), b = RandomTensor({8, 2}, 2);
  MatMul(C(a), C(b));
  const int64_t built = context_.num_primitives();
  for (int i = 0; i < 5; ++i) MatMul(C(a), C(b));
  EXPECT_EQ(context_.num_primitives(), built);
}

// Misuse names the op and the shapes.
TEST_F(Ops, MatMulShapeMismatchNamesTheShapes) {
  EXPECT_DEATH(MatMul(C(Tensor::Zeros({2, 3})), C(Tensor::Zeros({4, 5}))),
               "MatMul: inner dimensions differ: \\[2, 3\\] · \\[4, 5\\]");
}

TEST_F(Ops, AddOfNonBroadcastableShapesNamesTheShapes) {
  EXPECT_DEATH(Add(C(Tensor::Zeros({2, 3})), C(Tensor::Zeros({4}))),
               "Add: shapes \\[2, 3\\] and \\[4\\] do not broadcast");
}

TEST_F(Ops, AffineWithWrongWeightNamesTheShapes) {
  EXPECT_DEATH(Affine(C(Tensor::Zeros({2, 3})), C(Tensor::Zeros({4, 5}))),
               "Affine: input \\[2, 3\\] does not match weight \\[4, 5\\]");
}

TEST_F(Ops, ConcatOfMismatchedShapesNamesThem) {
  EXPECT_DEATH(Concat({C(Tensor::Zeros({2, 3})), C(Tensor::Zeros({3, 3}))}, 1),
               "Concat along axis 1: shapes \\[2, 3\\] and \\[3, 3\\]");
}

TEST_F(Ops, EmbeddingLookupIdOutsideTheTableIsReported) {
  EXPECT_DEATH(EmbeddingLookup(C(Tensor::Zeros({3, 2})), std::vector<int32_t>{5}, {1}),
               "EmbeddingLookup: id 5 at 0 outside a table of 3 rows");
}

}  // namespace
}  // namespace nmt
