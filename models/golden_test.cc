// Parity with PyTorch on float32 dumps of the tiny models (the reference's, and the
// zoo's from testdata/make_zoo_fixtures.py): loss,
// intermediates and every gradient within 1e-4 relative; greedy and beam-3
// translations identical; beam scores within 1e-4.
#include "models/golden.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ops/backend.h"
#include "ops/test_context.h"

namespace nmt::models {
namespace {

void ExpectParity(const std::string& file, const std::string& model, size_t expected_entries) {
  DeviceContext& context = TestContext();
  absl::StatusOr<ParityReport> report = CompareWithGolden("models/testdata/" + file, context);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->model, model);
  EXPECT_EQ(report->errors.size(), expected_entries);
  for (const TensorError& e : report->errors) EXPECT_LE(e.rel_err, 1e-4) << e.name;
  std::cout << file << ": max_rel_err=" << report->max_rel_err() << "\n";
}

// Entries: loss, the fwd/* intermediates, one gradient per parameter, grad_norm, 3 decodes.
TEST(Golden, RnnSearchMatchesTheReference) { ExpectParity("tiny_rnnsearch.npz", "rnnsearch", 1 + 5 + 44 + 1 + 3); }

TEST(Golden, RnnEncDecMatchesTheReference) { ExpectParity("tiny_rnnencdec.npz", "rnnencdec", 1 + 3 + 33 + 1 + 3); }

// testdata/make_zoo_fixtures.py: loss, logits, nll, alpha, s0, annotations, 50 gradients.
TEST(Golden, CGruMatchesItsPyTorchFixture) { ExpectParity("tiny_cgru.npz", "cgru", 1 + 5 + 50 + 1 + 3); }

// Luong: loss, logits, nll, alpha, annotations and every gradient, for two layers of LSTMs
// with the general score and input feeding, one LSTM with dot and no feeding, and one GRU
// with concat.
TEST(Golden, LuongLstmGeneralMatchesItsPyTorchFixture) {
  ExpectParity("tiny_luong_lstm_general.npz", "luong", 1 + 4 + 59 + 1 + 3);
}

TEST(Golden, LuongLstmDotMatchesItsPyTorchFixture) {
  ExpectParity("tiny_luong_lstm_dot.npz", "luong", 1 + 4 + 30 + 1 + 3);
}

TEST(Golden, LuongGruConcatMatchesItsPyTorchFixture) {
  ExpectParity("tiny_luong_gru_concat.npz", "luong", 1 + 4 + 31 + 1 + 3);
}

// Mixed precision (bf16 matrix-product operands, f32 accumulation, everything else f32)
// against the same float32 goldens: the loss within 1%, and every gradient within 5% of
// its norm (bf16 keeps 8 bits of mantissa: 0.4% per operand). Decodes are not compared:
// a near-tie between two words may break the other way.
void ExpectBf16Close(const std::string& file) {
  const absl::StatusOr<MatmulPrecision> bf16 = ParseMatmulPrecision("bf16", Device::kCPU);
  if (!bf16.ok()) GTEST_SKIP() << bf16.status();
  absl::StatusOr<std::unique_ptr<DeviceContext>> context = CreateDeviceContext(Device::kCPU, 1);
  ASSERT_TRUE(context.ok()) << context.status();
  (*context)->set_matmul_precision(*bf16);
  absl::StatusOr<ParityReport> report = CompareWithGolden("models/testdata/" + file, **context);
  ASSERT_TRUE(report.ok()) << report.status();
  double worst = 0;
  int gradients = 0;
  for (const TensorError& e : report->errors) {
    if (e.name.rfind("decode/", 0) == 0) continue;
    const double tolerance = e.name == "loss" ? 1e-2 : 5e-2;
    EXPECT_LE(e.rel_err, tolerance) << e.name;
    worst = std::max(worst, e.rel_err);
    gradients += e.name.rfind("grad/", 0) == 0;
  }
  // The f32 path's own distance from the goldens, to show the bf16 path was really taken.
  absl::StatusOr<ParityReport> f32 = CompareWithGolden("models/testdata/" + file, TestContext());
  ASSERT_TRUE(f32.ok()) << f32.status();
  EXPECT_GT(worst, 10 * f32->max_rel_err()) << "bf16 products should be further from the goldens than f32";
  EXPECT_GT(gradients, 10);
  std::cout << file << " in bf16: max_rel_err=" << worst << " over " << gradients << " gradients\n";
}

// Every fixture again on the CUDA backend, with the CPU's tolerance: loss, intermediates,
// every gradient, and greedy and beam-3 decodes identical to the reference's. Skipped in a
// build without the backend or on a machine without a GPU.
TEST(GoldenCuda, EveryModelMatchesItsFixtureOnTheGpu) {
  absl::StatusOr<std::unique_ptr<DeviceContext>> cuda = CreateDeviceContext(Device::kCUDA, 1);
  if (!cuda.ok()) GTEST_SKIP() << cuda.status();
  for (const char* file : {"tiny_rnnsearch.npz", "tiny_rnnencdec.npz", "tiny_cgru.npz", "tiny_luong_lstm_general.npz",
                           "tiny_luong_lstm_dot.npz", "tiny_luong_gru_concat.npz"}) {
    absl::StatusOr<ParityReport> report = CompareWithGolden(absl::StrCat("models/testdata/", file), **cuda);
    ASSERT_TRUE(report.ok()) << file << ": " << report.status();
    for (const TensorError& e : report->errors) EXPECT_LE(e.rel_err, 1e-4) << file << " " << e.name;
    std::cout << file << " on CUDA: max_rel_err=" << report->max_rel_err() << "\n";
  }
}

TEST(GoldenBf16, RnnSearchStaysCloseToF32) { ExpectBf16Close("tiny_rnnsearch.npz"); }
TEST(GoldenBf16, RnnEncDecStaysCloseToF32) { ExpectBf16Close("tiny_rnnencdec.npz"); }

}  // namespace
}  // namespace nmt::models
