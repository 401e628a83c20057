#include "models/search.h"

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
using datasets::kPadId;
using datasets::kUnkId;
using datasets::MakeBatch;

// A model whose teacher-forced log-probability we can compare with search scores.
double TeacherForcedLogProb(DeviceContext& context, Model& model, const std::vector<int32_t>& src,
                            const std::vector<int32_t>& tgt) {
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  return -model.Forward(MakeBatch({src}, {tgt})).loss.value().item();
}

bool HasAttention(DeviceContext& context, Model& model) {
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  return model.Forward(MakeBatch({{3, kEosId}}, {{2, kEosId}})).alpha.defined();
}

class SearchTest : public ::testing::TestWithParam<ModelConfig::Kind> {
 protected:
  DeviceContext& context_ = TestContext();
};

TEST_P(SearchTest, BeamOneIsGreedy) {
  auto model = TinyModel(GetParam());
  const std::vector<std::vector<int32_t>> src = {{3, 5, 6, kEosId}, {4, kEosId}};
  std::vector<Hypothesis> greedy = GreedySearch(*model, context_, MakeBatch(src, {}));
  for (size_t i = 0; i < src.size(); ++i) {
    EXPECT_EQ(BeamSearch(*model, context_, src[i], {.beam_size = 1})[0].ids, greedy[i].ids) << "sentence " << i;
    EXPECT_LE(greedy[i].ids.size(), 2 * src[i].size());
  }
}

TEST_P(SearchTest, BeamScoresAreTeacherForcedLogProbsAndSorted) {
  auto model = TinyModel(GetParam());
  const std::vector<int32_t> src = {3, 5, 6, kEosId};
  std::vector<Hypothesis> nbest = BeamSearch(*model, context_, src, {.beam_size = 4});
  ASSERT_EQ(nbest.size(), 4u);
  for (size_t i = 0; i < nbest.size(); ++i) {
    EXPECT_NEAR(nbest[i].log_prob, TeacherForcedLogProb(context_, *model, src, nbest[i].ids), 1e-4);
    if (i > 0) {
      EXPECT_GE(nbest[i - 1].score, nbest[i].score);
    }
    for (int32_t id : nbest[i].ids) EXPECT_NE(id, kPadId);
  }
}

TEST_P(SearchTest, BeamWiderThanTheCandidatesTakesThemAll) {
  auto model = TinyModel(GetParam());
  const std::vector<int32_t> src = {3, 5, kEosId};
  // The first step has one hypothesis, so only |V| candidates for a beam of 3 |V|.
  const int beam = 3 * static_cast<int>(model->config().tgt_vocab());
  std::vector<Hypothesis> nbest = BeamSearch(*model, context_, src, {.beam_size = beam, .max_len_factor = 1.0f});
  ASSERT_FALSE(nbest.empty());
  EXPECT_LE(nbest.size(), static_cast<size_t>(beam));
  for (size_t i = 1; i < nbest.size(); ++i) EXPECT_GE(nbest[i - 1].score, nbest[i].score);
}

TEST_P(SearchTest, LengthNormAndUnkSuppression) {
  auto model = TinyModel(GetParam());
  const std::vector<int32_t> src = {3, 5, 6, kEosId};
  SearchOptions options{.beam_size = 3, .length_norm = true, .suppress_unk = true};
  for (const Hypothesis& h : BeamSearch(*model, context_, src, options)) {
    EXPECT_NEAR(h.score, h.log_prob / h.ids.size(), 1e-9);
    for (int32_t id : h.ids) EXPECT_NE(id, kUnkId);
  }
}

TEST_P(SearchTest, AlignmentIsOneDistributionPerOutputWord) {
  auto model = TinyModel(GetParam());
  const std::vector<int32_t> src = {3, 5, 6, kEosId};
  Hypothesis best = BeamSearch(*model, context_, src, {.beam_size = 2})[0];
  if (!HasAttention(context_, *model)) {
    EXPECT_FALSE(best.alignment.defined());
    return;
  }
  ASSERT_EQ(best.alignment.shape(), (Shape{static_cast<int64_t>(best.ids.size()), 4}));
  for (int64_t i = 0; i < best.alignment.dim(0); ++i) {
    double sum = 0.0;
    for (int64_t j = 0; j < 4; ++j) sum += best.alignment.data()[i * 4 + j];
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

std::vector<ModelConfig::Kind> RegisteredKinds() {
  std::vector<ModelConfig::Kind> kinds;
  for (const ModelEntry& e : RegisteredModels()) kinds.push_back(e.kind);
  return kinds;
}

// Every registered model, so that a new one is searched as soon as it has its registry line.
INSTANTIATE_TEST_SUITE_P(EveryModel, SearchTest, ::testing::ValuesIn(RegisteredKinds()),
                         [](const ::testing::TestParamInfo<ModelConfig::Kind>& info) {
                           return std::string(FindModel(info.param)->name);
                         });

}  // namespace
}  // namespace nmt::models
