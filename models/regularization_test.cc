// Dropout and label smoothing on every registered model (models/model.h, Regularizer):
// gradients with the masks fixed by a seed, evaluation passes untouched, masks that
// replay from the seed, and shards that draw their rows of the whole batch's masks.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "datasets/batch.h"
#include "datasets/special_ids.h"
#include "gtest/gtest.h"
#include "models/model_testing.h"
#include "ops/test_context.h"

namespace nmt::models {
namespace {

using datasets::kEosId;

ModelConfig WithDropout(ModelConfig::Kind kind, float rate) {
  ModelConfig config = TinyConfig(kind);
  config.set_dropout(rate);
  config.set_dropout_rnn(rate);
  config.set_dropout_src(rate);
  config.set_dropout_tgt(rate);
  if (kind == ModelConfig::LUONG) config.set_layers(2);  // a mask per layer
  return config;
}

// Larger than TinyBatch, so that every rate drops something somewhere.
datasets::Batch ThreeSentences() {
  return datasets::MakeBatch({{3, 5, 6, 4, kEosId}, {4, kEosId}, {6, 6, 3, kEosId}},
                             {{2, 5, kEosId}, {3, 4, 2, 5, kEosId}, {5, 5, 4, kEosId}});
}

float Loss(DeviceContext& context, Model& model, const datasets::Batch& batch, const ForwardOptions& options) {
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  return model.Forward(batch, options).loss.value().item();
}

std::vector<float> SentenceLosses(DeviceContext& context, Model& model, const datasets::Batch& batch,
                                  const ForwardOptions& options) {
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  return model.Forward(batch, options).nll.value().ToVector();
}

class Regularization : public ::testing::TestWithParam<ModelConfig::Kind> {
 protected:
  DeviceContext& context_ = TestContext();
};

TEST_P(Regularization, GradientsWithEveryDropoutAndLabelSmoothing) {
  auto model = *MakeModel(WithDropout(GetParam(), 0.3f));
  const ForwardOptions training = ForwardOptions::Training(/*seed=*/5, /*first_row=*/0, /*label_smoothing=*/0.1f);
  // Training and evaluation differ, so the masks are in the loss being checked.
  ASSERT_NE(Loss(context_, *model, ThreeSentences(), training), Loss(context_, *model, ThreeSentences(), {}));
  GradCheckOptions options;
  options.parameters = model->Parameters();
  EXPECT_TRUE(CheckGradients(
      context_, [&](absl::Span<const Var>) { return model->Forward(ThreeSentences(), training).loss; }, {}, options));
}

TEST_P(Regularization, EvaluationAndSearchDropNothing) {
  auto plain = *MakeModel(WithDropout(GetParam(), 0.0f));
  auto dropped = *MakeModel(WithDropout(GetParam(), 0.5f));
  EXPECT_EQ(Loss(context_, *dropped, ThreeSentences(), {}), Loss(context_, *plain, ThreeSentences(), {}));
  // A training pass with every rate 0 and no smoothing is the evaluation pass.
  EXPECT_EQ(Loss(context_, *plain, ThreeSentences(), ForwardOptions::Training(9, 0, 0.0f)),
            Loss(context_, *plain, ThreeSentences(), {}));
  Tape tape(context_);
  TapeScope scope(tape);
  NoGradScope no_grad;
  const datasets::Batch batch = ThreeSentences();
  const Tensor mask = SourceMask(batch);
  const std::vector<float> a = dropped->Step(*dropped->Encode(batch.source_ids, mask), {}).log_probs.ToVector();
  const std::vector<float> b = plain->Step(*plain->Encode(batch.source_ids, mask), {}).log_probs.ToVector();
  EXPECT_EQ(a, b);
}

TEST_P(Regularization, MasksReplayFromTheSeedAlone) {
  auto model = *MakeModel(WithDropout(GetParam(), 0.3f));
  const float first = Loss(context_, *model, ThreeSentences(), ForwardOptions::Training(5, 0, 0.0f));
  EXPECT_EQ(Loss(context_, *model, ThreeSentences(), ForwardOptions::Training(5, 0, 0.0f)), first);
  EXPECT_NE(Loss(context_, *model, ThreeSentences(), ForwardOptions::Training(6, 0, 0.0f)), first);
}

// A data-parallel rank runs its rows alone (trimmed to their own lengths) with
// first_row set: each sentence's loss is the one it has in the whole batch.
TEST_P(Regularization, AShardDrawsItsRowsOfTheWholeBatchsMasks) {
  auto model = *MakeModel(WithDropout(GetParam(), 0.3f));
  const std::vector<float> whole =
      SentenceLosses(context_, *model, ThreeSentences(), ForwardOptions::Training(5, 0, 0.1f));
  const std::vector<float> second =
      SentenceLosses(context_, *model, datasets::MakeBatch({{4, kEosId}}, {{3, 4, 2, 5, kEosId}}),
                     ForwardOptions::Training(5, /*first_row=*/1, 0.1f));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NEAR(second[0], whole[1], 1e-5);
  const std::vector<float> wrong_row =
      SentenceLosses(context_, *model, datasets::MakeBatch({{4, kEosId}}, {{3, 4, 2, 5, kEosId}}),
                     ForwardOptions::Training(5, /*first_row=*/0, 0.1f));
  EXPECT_NE(wrong_row[0], whole[1]);
}

// The model passes ε to its loss: the smoothed loss, recomputed from the logits of the
// evaluation pass, is Σ over real tokens of (1 − ε)(−log p_y) + ε/K Σ_j (−log p_j), / B.
TEST_P(Regularization, LabelSmoothingIsAppliedToTheLoss) {
  auto model = *MakeModel(TinyConfig(GetParam()));
  const datasets::Batch batch = ThreeSentences();
  const float epsilon = 0.1f;
  const float smoothed = Loss(context_, *model, batch, {.label_smoothing = epsilon});
  Tape tape(context_);
  TapeScope scope(tape);
  NoGradScope no_grad;
  const Tensor logits = model->Forward(batch).logits.value();
  const int64_t k = logits.dim(1);
  double expected = 0.0;
  for (int64_t row = 0; row < logits.dim(0); ++row) {
    if (batch.target_mask[row] == 0.0f) continue;
    const float* z = logits.data() + row * k;
    double max = z[0], sum = 0.0, total = 0.0;
    for (int64_t j = 0; j < k; ++j) max = std::max<double>(max, z[j]);
    for (int64_t j = 0; j < k; ++j) sum += std::exp(z[j] - max);
    const double log_sum = max + std::log(sum);
    for (int64_t j = 0; j < k; ++j) total += log_sum - z[j];
    expected += (1 - epsilon) * (log_sum - z[batch.target_ids[row]]) + epsilon / k * total;
  }
  EXPECT_NEAR(smoothed, expected / batch.batch_size, 1e-4);
  EXPECT_GT(std::abs(smoothed - Loss(context_, *model, batch, {})), 1e-3);
}

std::vector<ModelConfig::Kind> RegisteredKinds() {
  std::vector<ModelConfig::Kind> kinds;
  for (const ModelEntry& e : RegisteredModels()) kinds.push_back(e.kind);
  return kinds;
}

INSTANTIATE_TEST_SUITE_P(EveryModel, Regularization, ::testing::ValuesIn(RegisteredKinds()),
                         [](const ::testing::TestParamInfo<ModelConfig::Kind>& info) {
                           return std::string(FindModel(info.param)->name);
                         });

}  // namespace
}  // namespace nmt::models
