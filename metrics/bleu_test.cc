#include "metrics/bleu.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nmt::metrics {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Agreement required with sacreBLEU's printed scores (two decimals).
constexpr double kTolerance = 0.01;

// sacreBLEU's test/test_bleu.py, `test_corpus_bleu_cases` (the README example): three
// segments, two reference streams, expected 48.530827 with default settings.
const std::vector<std::string> kReadmeHyps = {"The dog bit the man.", "It wasn't surprising.",
                                              "The man had just bitten him."};
const std::vector<std::vector<std::string>> kReadmeRefs = {
    {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
    {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};

TEST(CorpusBleuTest, MatchesSacreBleuReadmeExample) {
  absl::StatusOr<BleuScore> bleu = CorpusBleu(kReadmeHyps, kReadmeRefs);
  ASSERT_TRUE(bleu.ok()) << bleu.status();
  EXPECT_NEAR(bleu->score, 48.530827, 1e-6);
  // By hand, per segment (closest ref length in brackets):
  //   1: equals ref 1          correct 6/5/4/3 of 6/5/4/3   [6]
  //   2: "It" "." match         correct 2/0/0/0 of 4/3/2/1   [5]
  //   3: The man had bitten him . / The man, man had / The man had
  //                             correct 6/2/1/0 of 7/6/5/4   [7]
  // Sum: 14/7/5/3 of 17/14/11/8, hyp_len 17, ref_len 18, BP = exp(1 - 18/17) = 0.9429.
  EXPECT_EQ(bleu->Format(), "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)");
}

TEST(CorpusBleuTest, EmptyHypothesesScoreZero) {
  // test_bleu.py: "ensure that empty hypotheses are not removed" -> 0.0.
  absl::StatusOr<BleuScore> bleu = CorpusBleu({"", "", ""}, kReadmeRefs);
  ASSERT_TRUE(bleu.ok()) << bleu.status();
  EXPECT_EQ(bleu->score, 0.0);
  EXPECT_EQ(bleu->hyp_len, 0);
  EXPECT_EQ(bleu->brevity_penalty, 0.0);
}

TEST(CorpusBleuTest, FormatsTheExampleLine) {
  // By hand: 7 tokens each; "a" misses. Unigrams 6/7 ("the" clipped to 1 of 1), bigrams
  // 4/6 (the cat, cat sat, sat on, mat .), trigrams 2/5, 4-grams 1/4 (the cat sat on).
  // (85.71 * 66.67 * 40 * 25)^(1/4) = 48.892.
  absl::StatusOr<BleuScore> bleu = CorpusBleu({"the cat sat on a mat."}, {{"the cat sat on the mat."}});
  ASSERT_TRUE(bleu.ok()) << bleu.status();
  EXPECT_NEAR(bleu->score, 48.892302, 1e-5);
  EXPECT_EQ(bleu->Format(), "BLEU = 48.89 85.7/66.7/40.0/25.0 (BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)");
}

TEST(SegmentStatsTest, MatchesSacreBleuStatisticsCase) {
  // test_bleu.py `test_case_statistics`: counts [4, 2, 1, 0], totals [6, 5, 4, 3].
  const std::vector<std::string> refs = {"I am a symbol string sequence a a"};
  const BleuStats stats = SegmentStats("am I am a character sequence", refs);
  EXPECT_THAT(stats.correct, ElementsAre(4, 2, 1, 0));
  EXPECT_THAT(stats.total, ElementsAre(6, 5, 4, 3));
  EXPECT_EQ(stats.hyp_len, 6);
  EXPECT_EQ(stats.ref_len, 8);
  // By hand with 'exp' smoothing: p4 = 100 / (2 * 3); BP = exp(1 - 8/6) = 0.716531.
  const double expected = std::exp(1.0 - 8.0 / 6.0) *
                          std::exp((std::log(400.0 / 6) + std::log(40.0) + std::log(25.0) + std::log(100.0 / 6)) / 4);
  EXPECT_NEAR(ScoreFromStats(stats).score, expected, 1e-9);
  EXPECT_NEAR(ScoreFromStats(stats).score, 23.26, kTolerance);
}

TEST(ScoreFromStatsTest, MatchesSacreBleuScoringCase) {
  // test_bleu.py `test_case_scoring`: counts [9,7,5,3] of [10,8,6,4], lengths 11/11.
  BleuStats stats;
  stats.hyp_len = stats.ref_len = 11;
  stats.correct = {9, 7, 5, 3};
  stats.total = {10, 8, 6, 4};
  EXPECT_NEAR(ScoreFromStats(stats).score, 83.75922397, 1e-6);
}

TEST(ScoreFromStatsTest, NoMatchesScoreZeroWithZeroPrecisions) {
  // test_bleu.py `test_case_degenerate_stats` and issue #141.
  BleuStats stats;
  stats.hyp_len = 4;
  stats.ref_len = 1;
  stats.total = {4, 4, 2, 1};
  const BleuScore score = ScoreFromStats(stats);
  EXPECT_EQ(score.score, 0.0);
  EXPECT_THAT(score.precisions, ElementsAre(0.0, 0.0, 0.0, 0.0));
  EXPECT_EQ(ScoreFromStats(BleuStats{}).score, 0.0);
}

TEST(ScoreFromStatsTest, OrderWithoutHypothesisNgramsZeroesScore) {
  // A 3-token corpus has no 4-grams: sacreBLEU breaks out of its loop and logs a zero
  // precision, so the score is 0 even though every token matches (effective order off).
  absl::StatusOr<BleuScore> bleu = CorpusBleu({"a b c"}, {{"a b c"}});
  ASSERT_TRUE(bleu.ok());
  EXPECT_NEAR(bleu->score, 0.0, 1e-12);
  EXPECT_THAT(bleu->precisions, ElementsAre(100.0, 100.0, 100.0, 0.0));
}

TEST(SentenceBleuTest, MatchesSacreBleuUtf8Example) {
  // sacreBLEU's test/test_sentence_bleu.py (example from its issue #98), 'exp', 13a: 8.493.
  // By hand: "Producția" (comma-below t) differs from "producţia" (cedilla t). Matches:
  // de, zahăr, în, alb, ; = 5/14; "de zahăr", "alb ;" = 2/13; none at 3 and 4, so
  // p3 = 100/(2*12), p4 = 100/(4*11); hyp 14 > ref 10, BP 1. Their test enables effective
  // order, which changes nothing here because every order has hypothesis n-grams.
  const std::vector<std::string> refs = {"producţia de zahăr brut se exprimă în zahăr alb;"};
  const BleuStats stats =
      SegmentStats("Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;", refs);
  EXPECT_THAT(stats.correct, ElementsAre(5, 2, 0, 0));
  EXPECT_NEAR(ScoreFromStats(stats).score, 8.493, 1e-3);
}

TEST(SentenceBleuTest, ZeroMatchSentenceScoresZero) {
  // test_sentence_bleu.py `test_cases_zero_bleu` (issue #141).
  absl::StatusOr<BleuScore> bleu = CorpusBleu({"this is a cat"}, {{"okay thanks"}});
  ASSERT_TRUE(bleu.ok());
  EXPECT_EQ(bleu->score, 0.0);
}

TEST(SegmentStatsTest, ClosestReferenceLengthPrefersShorterOnTie) {
  // Hypothesis of 4 tokens, references of 3 and 5 tokens: tie, the shorter one wins.
  const std::vector<std::string> refs = {"a b c d e", "a b c"};
  EXPECT_EQ(SegmentStats("a b c d", refs).ref_len, 3);
}

TEST(SegmentStatsTest, ClipsByMaximumOverReferences) {
  // "a" appears 3 times in the hypothesis, at most twice in one reference.
  const std::vector<std::string> refs = {"a a b", "a b b"};
  EXPECT_EQ(SegmentStats("a a a", refs).correct[0], 2);
}

TEST(CorpusBleuTest, RejectsMismatchedStreams) {
  absl::StatusOr<BleuScore> bleu = CorpusBleu({"a", "b"}, {{"a"}});
  EXPECT_EQ(bleu.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bleu.status().message(), HasSubstr("1 segments but there are 2 hypotheses"));
  EXPECT_FALSE(CorpusBleu({"a"}, {}).ok());
}

TEST(CorpusBleuTest, DropsEmptyReferencesAndRejectsAllEmpty) {
  // Segment 2 has one usable reference of two: scored as if only that one existed.
  const std::vector<std::vector<std::string>> refs = {{"x y", ""}, {"p q", "a b"}};
  absl::StatusOr<BleuScore> bleu = CorpusBleu({"x y", "a b"}, refs);
  ASSERT_TRUE(bleu.ok()) << bleu.status();
  EXPECT_EQ(bleu->ref_len, 4);
  EXPECT_EQ(BleuSignature(refs), "nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.3.1");
  EXPECT_THAT(CorpusBleu({"a"}, {{""}}).status().message(), HasSubstr("only empty references"));
}

TEST(BleuSignatureTest, CountsReferences) {
  EXPECT_EQ(BleuSignature(kReadmeRefs), "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.3.1");
}

}  // namespace
}  // namespace nmt::metrics
