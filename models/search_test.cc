#include "models/search.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>
#include <utility>
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

TEST_P(SearchTest, WithThePenaltiesOffScoresAreExactlyLogProbOrLogProbPerWord) {
  auto model = TinyModel(GetParam());
  const std::vector<int32_t> src = {3, 5, 6, kEosId};
  for (const Hypothesis& h : BeamSearch(*model, context_, src, {.beam_size = 3})) EXPECT_EQ(h.score, h.log_prob);
  for (const Hypothesis& h : BeamSearch(*model, context_, src, {.beam_size = 3, .length_norm = true})) {
    EXPECT_EQ(h.score, h.log_prob / static_cast<double>(h.ids.size()));
  }
  for (const Hypothesis& h : GreedySearch(*model, context_, MakeBatch({src}, {}))) EXPECT_EQ(h.score, h.log_prob);
}

TEST_P(SearchTest, PenaltiesRerankTheSameFinishedHypotheses) {
  // They rank finished hypotheses only: the beam finds the same ones, with the same
  // log-probabilities, and orders them by the penalised score.
  auto model = TinyModel(GetParam());
  const std::vector<int32_t> src = {3, 5, 6, 4, 3, kEosId};
  const SearchOptions plain{.beam_size = 4};
  const SearchOptions wu{.beam_size = 4, .length_penalty = 0.6, .coverage_penalty = 0.2};
  std::vector<Hypothesis> a = BeamSearch(*model, context_, src, plain);
  std::vector<Hypothesis> b = BeamSearch(*model, context_, src, wu);
  auto key = [](const std::vector<Hypothesis>& list) {
    std::vector<std::pair<std::vector<int32_t>, double>> keys;
    for (const Hypothesis& h : list) keys.emplace_back(h.ids, h.log_prob);
    std::sort(keys.begin(), keys.end());
    return keys;
  };
  EXPECT_EQ(key(a), key(b));
  const bool attention = HasAttention(context_, *model);
  for (size_t i = 0; i < b.size(); ++i) {
    const double lp = LengthPenalty(static_cast<int64_t>(b[i].ids.size()), 0.6);
    const double cp = CoveragePenalty(b[i].alignment, 0.2);
    EXPECT_EQ(b[i].score, b[i].log_prob / lp + cp);
    if (!attention) {
      EXPECT_EQ(cp, 0.0);
    }
    if (i > 0) {
      EXPECT_GE(b[i - 1].score, b[i].score);
    }
  }
}

TEST_P(SearchTest, OutputsStopAtMaxLenFactorTimesTheSourceLengthAndAtLeastOneWord) {
  auto model = TinyModel(GetParam());
  const std::vector<int32_t> src = {3, 5, 6, kEosId};
  for (const Hypothesis& h : BeamSearch(*model, context_, src, {.beam_size = 3, .max_len_factor = 0.5f})) {
    EXPECT_LE(h.ids.size(), 2u);
    EXPECT_GE(h.ids.size(), 1u);
  }
  for (const Hypothesis& h : GreedySearch(*model, context_, MakeBatch({src}, {}), {.max_len_factor = 0.5f})) {
    EXPECT_LE(h.ids.size(), 2u);
  }
  for (const Hypothesis& h : BeamSearch(*model, context_, src, {.beam_size = 2, .max_len_factor = 0.01f})) {
    EXPECT_EQ(h.ids.size(), 1u);
    EXPECT_TRUE(std::isfinite(h.score));
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

// Sentences of 1 to 9 words (EOS included) in a mixed order, so that the batch pads.
std::vector<std::vector<int32_t>> MixedLengthSources(int64_t vocab) {
  std::vector<std::vector<int32_t>> sources;
  for (int i = 0; i < 12; ++i) {
    std::vector<int32_t> s;
    const int words = (i * 5) % 9;
    for (int w = 0; w < words; ++w) s.push_back(static_cast<int32_t>(3 + (i * 7 + w * 3) % (vocab - 3)));
    s.push_back(kEosId);
    sources.push_back(std::move(s));
  }
  return sources;
}

TEST_P(SearchTest, BatchedBeamGivesEachSentenceItsOwnNBestList) {
  auto model = TinyModel(GetParam());
  const std::vector<std::vector<int32_t>> sources = MixedLengthSources(model->config().src_vocab());
  for (const SearchOptions& options :
       {SearchOptions{.beam_size = 3}, SearchOptions{.beam_size = 5, .length_norm = true, .coverage_penalty = 0.2},
        SearchOptions{.beam_size = 2, .max_len_factor = 0.5f, .suppress_unk = true}}) {
    const std::vector<std::vector<Hypothesis>> batched =
        BatchBeamSearch(*model, context_, MakeBatch(sources, {}), options);
    ASSERT_EQ(batched.size(), sources.size());
    for (size_t i = 0; i < sources.size(); ++i) {
      const std::vector<Hypothesis> alone = BeamSearch(*model, context_, sources[i], options);
      ASSERT_EQ(batched[i].size(), alone.size()) << "sentence " << i << ", beam " << options.beam_size;
      for (size_t k = 0; k < alone.size(); ++k) {
        EXPECT_EQ(batched[i][k].ids, alone[k].ids) << "sentence " << i << " hypothesis " << k;
        EXPECT_EQ(batched[i][k].log_prob, alone[k].log_prob) << "sentence " << i << " hypothesis " << k;
        EXPECT_EQ(batched[i][k].score, alone[k].score) << "sentence " << i << " hypothesis " << k;
        ASSERT_EQ(batched[i][k].alignment.defined(), alone[k].alignment.defined());
        if (alone[k].alignment.defined()) {
          ASSERT_EQ(batched[i][k].alignment.shape(), alone[k].alignment.shape());
          EXPECT_TRUE(std::equal(alone[k].alignment.data(), alone[k].alignment.data() + alone[k].alignment.size(),
                                 batched[i][k].alignment.data()))
              << "sentence " << i << " hypothesis " << k;
        }
      }
    }
  }
}

// With every parameter 0, every word is equally likely at every step: each choice is a
// tie, which goes to the lower flat index (hypothesis, then word id). Beam 3 then takes
// EOS (1), 2 and 3 first; EOS finishes, and each later step extends [2, ...] by EOS
// and 2 while the finished ones fill the beam.
TEST_P(SearchTest, TiesGoToTheLowerHypothesisAndWordId) {
  auto model = TinyModel(GetParam());
  for (Parameter* p : model->Parameters()) p->value().SetZero();
  const std::vector<int32_t> src = {3, 5, 6, kEosId};
  std::vector<Hypothesis> nbest = BeamSearch(*model, context_, src, {.beam_size = 3});
  ASSERT_EQ(nbest.size(), 3u);
  EXPECT_EQ(nbest[0].ids, (std::vector<int32_t>{kEosId}));
  EXPECT_EQ(nbest[1].ids, (std::vector<int32_t>{2, kEosId}));
  EXPECT_EQ(nbest[2].ids, (std::vector<int32_t>{2, 2, kEosId}));
}

// A Select that leaves every row on its sentence keeps the encoder's tensors instead of
// copying them (SourceRows); the step after it must be what copying gives.
TEST_P(SearchTest, SelectWithinSentencesStepsAsACopyWould) {
  auto model = TinyModel(GetParam());
  const std::vector<int32_t> a = {3, 5, 6, kEosId}, b = {4, 6, kEosId};
  Tape tape(context_);
  TapeScope scope(tape);
  NoGradScope no_grad;
  // Encode, Select `beams`, two steps (no word, then `words`), Select `rows`, and the
  // log-probabilities of one more step.
  auto log_probs_after = [&](const std::vector<std::vector<int32_t>>& sources, absl::Span<const int> beams,
                             absl::Span<const int32_t> words, absl::Span<const int> rows) {
    const datasets::Batch batch = MakeBatch(sources, {});
    std::unique_ptr<DecoderState> state = model->Encode(batch.source_ids, SourceMask(batch));
    if (!beams.empty()) state = state->Select(beams);
    state = std::move(model->Step(*state, {}).state);
    state = model->Step(*state, words).state->Select(rows);
    return model->Step(*state, {4, 3, 3, 5}).log_probs;
  };
  auto equal = [](const Tensor& x, const Tensor& y) {
    return x.shape() == y.shape() && std::equal(x.data(), x.data() + x.size(), y.data());
  };
  // Rows [a, a, b, b] swapped within each sentence: kept. Encoding four sentences makes
  // each row its own sentence, so the same swap copies.
  EXPECT_TRUE(equal(log_probs_after({a, b}, {0, 0, 1, 1}, {3, 4, 5, 3}, {1, 0, 3, 2}),
                    log_probs_after({a, a, b, b}, {}, {3, 4, 5, 3}, {1, 0, 3, 2})));
  // b's rows moved into a's places must copy: the same as encoding [b, a] in the first place.
  EXPECT_TRUE(equal(log_probs_after({a, b}, {0, 0, 1, 1}, {3, 4, 5, 3}, {2, 3, 0, 1}),
                    log_probs_after({b, a}, {0, 0, 1, 1}, {5, 3, 3, 4}, {0, 1, 2, 3})));
}

TEST(SourceRows, SameOnlyWhenEveryRowKeepsItsSentence) {
  const SourceRows two(2);
  const SourceRows beams = two.Select({0, 0, 1, 1});
  EXPECT_FALSE(two.SameAs(beams));
  EXPECT_TRUE(beams.SameAs(beams.Select({1, 0, 3, 2})));
  EXPECT_TRUE(beams.SameAs(beams.Select({0, 0, 2, 2})));   // still sentences [0, 0, 1, 1]
  EXPECT_FALSE(beams.SameAs(beams.Select({0, 2, 2, 3})));  // [0, 1, 1, 1]
  EXPECT_FALSE(beams.SameAs(beams.Select({0, 1, 2})));     // a row fewer
  EXPECT_FALSE(SourceRows().SameAs(SourceRows()));         // not known: always copy
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

TEST(LengthPenalty, IsWuEtAlsFormula) {
  EXPECT_DOUBLE_EQ(LengthPenalty(1, 0.6), 1.0);
  EXPECT_DOUBLE_EQ(LengthPenalty(7, 0.6), std::pow(2.0, 0.6));
  EXPECT_DOUBLE_EQ(LengthPenalty(13, 1.0), 3.0);
  EXPECT_EQ(LengthPenalty(20, 0.0), 1.0);
}

TEST(CoveragePenalty, SumsTheLogOfEachSourceWordsCappedAttention) {
  // Two output words over three source positions: column sums 1.0, 0.7 and 0.3 (+ a
  // fourth, unattended, counted as 1e-10).
  Tensor alignment = Tensor::Zeros({2, 4});
  const float rows[] = {0.5f, 0.5f, 0.0f, 0.0f, 0.5f, 0.2f, 0.3f, 0.0f};
  std::copy(std::begin(rows), std::end(rows), alignment.data());
  const double expected =
      0.2 * (std::log(1.0) + std::log(double{0.5f} + double{0.2f}) + std::log(double{0.3f}) + std::log(1e-10));
  EXPECT_NEAR(CoveragePenalty(alignment, 0.2), expected, 1e-12);
  EXPECT_EQ(CoveragePenalty(alignment, 0.0), 0.0);
  EXPECT_EQ(CoveragePenalty(Tensor(), 0.2), 0.0);
  // Over-attention is not rewarded: a column summing to 2 counts as 1.
  Tensor twice = Tensor::Full({2, 1}, 1.0f);
  EXPECT_EQ(CoveragePenalty(twice, 1.0), 0.0);
}

TEST(HypothesisScore, CombinesTheOptions) {
  Tensor half = Tensor::Full({2, 1}, 0.25f);  // one source word, attention 0.5 in all
  EXPECT_EQ(HypothesisScore(-4.0, 2, half, {}), -4.0);
  EXPECT_EQ(HypothesisScore(-4.0, 2, half, {.length_norm = true}), -2.0);
  EXPECT_DOUBLE_EQ(HypothesisScore(-4.0, 2, half, {.length_penalty = 1.0}), -4.0 / (7.0 / 6.0));
  EXPECT_DOUBLE_EQ(HypothesisScore(-4.0, 2, half, {.coverage_penalty = 1.0}), -4.0 + std::log(0.5));
}

}  // namespace

}  // namespace nmt::models
