#include "models/cgru.h"

#include <cmath>
#include <vector>

#include "datasets/special_ids.h"
#include "gtest/gtest.h"
#include "models/model_testing.h"
#include "ops/test_context.h"

namespace nmt::models {
namespace {

using datasets::kEosId;

TEST(CGru, GradientsOfEveryParameter) {
  DeviceContext& context = TestContext();
  auto model = TinyModel(ModelConfig::CGRU);
  EXPECT_TRUE(CheckModelGradients(context, *model, TinyBatch()));
}

TEST(CGru, GradientsInTheLinearBeforeResetForm) {
  DeviceContext& context = TestContext();
  ModelConfig config = TinyConfig(ModelConfig::CGRU);
  config.set_gru_variant(ModelConfig::LINEAR_BEFORE_RESET);
  auto model = *MakeModel(config);
  EXPECT_TRUE(CheckModelGradients(context, *model, TinyBatch()));
}

TEST(CGru, PaddedBatchEqualsItsSentences) {
  DeviceContext& context = TestContext();
  auto model = TinyModel(ModelConfig::CGRU);
  EXPECT_NEAR(PaddingEffect(context, *model, {{3, 5, 6, kEosId}, {4, kEosId}}, {{2, 5, kEosId}, {3, 4, 2, 5, kEosId}}),
              0.0, 1e-6);
}

TEST(CGru, ParameterNames) {
  auto model = TinyModel(ModelConfig::CGRU);
  for (const char* name : {"src_embedding", "enc_fwd.W_z", "enc_bwd.U", "init.W_init", "init.b_init", "tgt_embedding",
                           "dec.gru1.W_z", "dec.gru1.U", "dec.attention.W_a", "dec.attention.v_a", "dec.gru2.W",
                           "dec.gru2.b_r", "readout.U_o", "readout.V_o", "readout.C_o", "readout.W_o", "readout.b_y"}) {
    EXPECT_NE(model->FindParameter(name), nullptr) << name;
  }
  EXPECT_EQ(model->FindParameter("init.W_init")->shape(), (Shape{4, 8}));
  EXPECT_EQ(model->FindParameter("dec.gru2.W")->shape(), (Shape{4, 8}));
  EXPECT_EQ(model->FindParameter("readout.U_o")->shape(), (Shape{3, 4}));  // m units
  EXPECT_EQ(model->NamedParameters().size(), 1u + 2 * 9 + 2 + 1 + 9 + 4 + 9 + 6);
}

TEST(CGru, ForwardShapes) {
  DeviceContext& context = TestContext();
  auto model = TinyModel(ModelConfig::CGRU);
  Tape tape(context);
  TapeScope scope(tape);
  ForwardResult out = model->Forward(TinyBatch());
  EXPECT_EQ(out.logits.shape(), (Shape{2 * 5, 6}));
  EXPECT_EQ(out.alpha.shape(), (Shape{2, 5, 4}));
  EXPECT_EQ(Intermediate(out, "annotations").shape(), (Shape{2, 4, 8}));
  EXPECT_EQ(Intermediate(out, "s0").shape(), (Shape{2, 4}));
  EXPECT_NEAR(out.nll.value().data()[0] + out.nll.value().data()[1], 2 * out.loss.value().item(), 1e-5);
}

}  // namespace
}  // namespace nmt::models
