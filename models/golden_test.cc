// Parity with PyTorch on float32 dumps of the tiny models (the reference's, and the
// zoo's from testdata/make_zoo_fixtures.py): loss,
// intermediates and every gradient within 1e-4 relative; greedy and beam-3
// translations identical; beam scores within 1e-4.
#include "models/golden.h"

#include <iostream>

#include "gtest/gtest.h"
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

}  // namespace
}  // namespace nmt::models
