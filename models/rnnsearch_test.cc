#include "models/rnnsearch.h"

#include <cmath>
#include <vector>

#include "datasets/special_ids.h"
#include "gtest/gtest.h"
#include "models/model_testing.h"
#include "ops/test_context.h"

namespace nmt::models {
namespace {

using datasets::kEosId;

TEST(RnnSearch, GradientsOfEveryParameter) {
  DeviceContext& context = TestContext();
  auto model = TinyModel(ModelConfig::RNNSEARCH);
  EXPECT_TRUE(CheckModelGradients(context, *model, TinyBatch()));
}

TEST(RnnSearch, PaddedBatchEqualsItsSentences) {
  DeviceContext& context = TestContext();
  auto model = TinyModel(ModelConfig::RNNSEARCH);
  EXPECT_NEAR(PaddingEffect(context, *model, {{3, 5, 6, kEosId}, {4, kEosId}}, {{2, 5, kEosId}, {3, 4, 2, 5, kEosId}}),
              0.0, 1e-6);
}

TEST(RnnSearch, ParameterNamesAreTheReferences) {
  auto model = TinyModel(ModelConfig::RNNSEARCH);
  for (const char* name : {"src_embedding", "enc_fwd.W_z", "enc_bwd.U_r", "enc_fwd.b", "W_s", "b_s", "attention.W_a",
                           "attention.U_a", "attention.b_a", "attention.v_a", "tgt_embedding", "dec.C_z", "dec.C",
                           "readout.U_o", "readout.V_o", "readout.C_o", "readout.b_o", "readout.W_o", "readout.b_y"}) {
    EXPECT_NE(model->FindParameter(name), nullptr) << name;
  }
  EXPECT_EQ(model->NamedParameters().size(), 2u + 2 * 9 + 2 + 4 + 12 + 6);
}

TEST(RnnSearch, PaperInitialisation) {
  ModelConfig config = TinyConfig(ModelConfig::RNNSEARCH);
  config.set_init(ModelConfig::INIT_PAPER);
  auto model = *MakeModel(config);
  for (float v : model->FindParameter("attention.v_a")->value().values()) EXPECT_EQ(v, 0.0f);
  for (float v : model->FindParameter("dec.b_z")->value().values()) EXPECT_EQ(v, 0.0f);
  for (float v : model->FindParameter("attention.W_a")->value().values()) EXPECT_LT(std::abs(v), 0.01f);
  const float* u = model->FindParameter("dec.U")->value().data();
  double norm = 0.0;
  for (int k = 0; k < 4; ++k) norm += u[k] * u[k];
  EXPECT_NEAR(norm, 1.0, 1e-5);
}

TEST(RnnSearch, ForwardShapes) {
  DeviceContext& context = TestContext();
  auto model = TinyModel(ModelConfig::RNNSEARCH);
  Tape tape(context);
  TapeScope scope(tape);
  ForwardResult out = model->Forward(TinyBatch());
  EXPECT_EQ(out.logits.shape(), (Shape{2 * 5, 6}));
  EXPECT_EQ(out.alpha.shape(), (Shape{2, 5, 4}));
  EXPECT_EQ(Intermediate(out, "annotations").shape(), (Shape{2, 4, 8}));
  EXPECT_EQ(Intermediate(out, "s0").shape(), (Shape{2, 4}));
  EXPECT_NEAR(out.nll.value().data()[0] + out.nll.value().data()[1], 2 * out.loss.value().item(), 1e-5);
}

// b_y starts at the log of the add-one smoothed unigram of the training targets
// (tgt_vocab 6 in the tiny config), and nothing else moves; output_prior: false (the
// paper preset) leaves it as drawn.
TEST(OutputPrior, SetsOnlyTheOutputBiasOfEveryModelWithADeepOutput) {
  const std::vector<int64_t> counts = {0, 9, 3, 1, 0, 1};
  const double total = 14 + 6;
  for (ModelConfig::Kind kind : {ModelConfig::RNNSEARCH, ModelConfig::RNNENCDEC, ModelConfig::CGRU}) {
    auto model = TinyModel(kind);
    const std::vector<float> w_o_before = model->FindParameter("readout.W_o")->value().ToVector();
    model->InitializeOutputPrior(counts);
    const std::vector<float> b_y = model->FindParameter("readout.b_y")->value().ToVector();
    ASSERT_EQ(b_y.size(), counts.size());
    for (size_t k = 0; k < counts.size(); ++k) {
      EXPECT_NEAR(b_y[k], std::log((counts[k] + 1) / total), 1e-6) << ModelConfig::Kind_Name(kind) << " " << k;
    }
    EXPECT_EQ(model->FindParameter("readout.W_o")->value().ToVector(), w_o_before) << ModelConfig::Kind_Name(kind);

    ModelConfig off = TinyConfig(kind);
    off.set_output_prior(false);
    auto paper = *MakeModel(off);
    const std::vector<float> drawn = paper->FindParameter("readout.b_y")->value().ToVector();
    paper->InitializeOutputPrior(counts);
    EXPECT_EQ(paper->FindParameter("readout.b_y")->value().ToVector(), drawn) << ModelConfig::Kind_Name(kind);
  }
}

}  // namespace
}  // namespace nmt::models
