#include "models/luong.h"

#include <string>

#include "datasets/special_ids.h"
#include "gtest/gtest.h"
#include "models/model_testing.h"
#include "ops/test_context.h"

namespace nmt::models {
namespace {

using datasets::kEosId;

struct Variant {
  ModelConfig::RnnCell cell;
  ModelConfig::AttentionScore score;
  int layers;
  bool input_feeding;
};

ModelConfig ConfigFor(const Variant& v) {
  ModelConfig config = TinyConfig(ModelConfig::LUONG);
  config.set_rnn_cell(v.cell);
  config.set_attention_score(v.score);
  config.set_layers(v.layers);
  config.set_input_feeding(v.input_feeding);
  return config;
}

class LuongVariants : public ::testing::TestWithParam<Variant> {
 protected:
  DeviceContext& context_ = TestContext();
};

TEST_P(LuongVariants, GradientsOfEveryParameter) {
  auto model = *MakeModel(ConfigFor(GetParam()));
  EXPECT_TRUE(CheckModelGradients(context_, *model, TinyBatch()));
}

TEST_P(LuongVariants, PaddedBatchEqualsItsSentences) {
  auto model = *MakeModel(ConfigFor(GetParam()));
  EXPECT_NEAR(PaddingEffect(context_, *model, {{3, 5, 6, kEosId}, {4, kEosId}}, {{2, 5, kEosId}, {3, 4, 2, 5, kEosId}}),
              0.0, 1e-6);
}

INSTANTIATE_TEST_SUITE_P(CellsScoresDepths, LuongVariants,
                         ::testing::Values(Variant{ModelConfig::CELL_LSTM, ModelConfig::SCORE_GENERAL, 2, true},
                                           Variant{ModelConfig::CELL_LSTM, ModelConfig::SCORE_DOT, 1, true},
                                           Variant{ModelConfig::CELL_LSTM, ModelConfig::SCORE_CONCAT, 1, false},
                                           Variant{ModelConfig::CELL_GRU, ModelConfig::SCORE_DOT, 2, false},
                                           Variant{ModelConfig::CELL_GRU, ModelConfig::SCORE_CONCAT, 1, true}),
                         [](const ::testing::TestParamInfo<Variant>& info) {
                           const Variant& v = info.param;
                           return std::string(v.cell == ModelConfig::CELL_LSTM ? "Lstm" : "Gru") +
                                  ModelConfig::AttentionScore_Name(v.score).substr(6) + std::to_string(v.layers) +
                                  (v.input_feeding ? "Fed" : "NotFed");
                         });

TEST(Luong, ParameterNames) {
  ModelConfig config = TinyConfig(ModelConfig::LUONG);
  config.set_layers(2);
  auto model = *MakeModel(config);
  for (const char* name :
       {"src_embedding", "enc1.W_i", "enc1.U_c", "enc2.W_f", "enc2.b_o", "tgt_embedding", "dec1.W_i", "dec1.C_i",
        "dec1.C_c", "dec2.U_o", "attention.W_a", "attention.W_c", "attention.b_c", "output.W_s", "output.b_s"}) {
    EXPECT_NE(model->FindParameter(name), nullptr) << name;
  }
  EXPECT_EQ(model->FindParameter("dec2.C_i"), nullptr);  // only the first layer is fed h̃
  EXPECT_EQ(model->FindParameter("dec1.W_i")->shape(), (Shape{4, 3}));
  EXPECT_EQ(model->FindParameter("dec1.C_i")->shape(), (Shape{4, 4}));
  EXPECT_EQ(model->FindParameter("attention.W_a")->shape(), (Shape{4, 4}));  // general
  EXPECT_EQ(model->FindParameter("output.W_s")->shape(), (Shape{6, 4}));
  EXPECT_EQ(model->NamedParameters().size(), 1u + 2 * 12 + 1 + 16 + 12 + 3 + 2);
}

TEST(Luong, WithoutInputFeedingTheFirstLayerHasNoFedMatrices) {
  ModelConfig config = TinyConfig(ModelConfig::LUONG);
  config.set_input_feeding(false);
  EXPECT_EQ((*MakeModel(config))->FindParameter("dec1.C_i"), nullptr);
  config.clear_input_feeding();  // unset: on, as in the paper
  EXPECT_NE((*MakeModel(config))->FindParameter("dec1.C_i"), nullptr);
}

TEST(Luong, ConcatNeedsAlignmentUnits) {
  ModelConfig config = TinyConfig(ModelConfig::LUONG);
  config.set_attention_score(ModelConfig::SCORE_CONCAT);
  config.set_n_align(0);
  EXPECT_FALSE(MakeModel(config).ok());
  config.set_attention_score(ModelConfig::SCORE_DOT);
  EXPECT_TRUE(MakeModel(config).ok());
}

TEST(Luong, ForwardShapes) {
  DeviceContext& context = TestContext();
  auto model = TinyModel(ModelConfig::LUONG);
  Tape tape(context);
  TapeScope scope(tape);
  ForwardResult out = model->Forward(TinyBatch());
  EXPECT_EQ(out.logits.shape(), (Shape{2 * 5, 6}));
  EXPECT_EQ(out.alpha.shape(), (Shape{2, 5, 4}));
  EXPECT_EQ(Intermediate(out, "annotations").shape(), (Shape{2, 4, 4}));
  EXPECT_NEAR(out.nll.value().data()[0] + out.nll.value().data()[1], 2 * out.loss.value().item(), 1e-5);
}

}  // namespace
}  // namespace nmt::models
