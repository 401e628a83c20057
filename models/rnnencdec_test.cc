#include "models/rnnencdec.h"

#include "datasets/special_ids.h"
#include "gtest/gtest.h"
#include "models/model_testing.h"
#include "ops/test_context.h"

namespace nmt::models {
namespace {

using datasets::kEosId;

TEST(RnnEncDec, GradientsOfEveryParameter) {
  DeviceContext& context = TestContext();
  auto model = TinyModel(ModelConfig::RNNENCDEC);
  EXPECT_TRUE(CheckModelGradients(context, *model, TinyBatch()));
}

TEST(RnnEncDec, PaddedBatchEqualsItsSentences) {
  DeviceContext& context = TestContext();
  auto model = TinyModel(ModelConfig::RNNENCDEC);
  EXPECT_NEAR(PaddingEffect(context, *model, {{3, 5, 6, kEosId}, {4, kEosId}}, {{2, 5, kEosId}, {3, 4, 2, 5, kEosId}}),
              0.0, 1e-6);
}

TEST(RnnEncDec, ParameterNamesAreTheReferences) {
  auto model = TinyModel(ModelConfig::RNNENCDEC);
  for (const char* name : {"src_embedding", "enc.W_z", "enc.U", "V", "b_V", "V_prime", "b_V_prime", "tgt_embedding",
                           "dec.C_r", "readout.C_o", "readout.W_o"}) {
    EXPECT_NE(model->FindParameter(name), nullptr) << name;
  }
  EXPECT_EQ(model->NamedParameters().size(), 2u + 9 + 4 + 12 + 6);
}

}  // namespace
}  // namespace nmt::models
