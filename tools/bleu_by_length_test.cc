#include "tools/bleu_by_length.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "datasets/text_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "metrics/bleu.h"

namespace nmt::tools {
namespace {

using ::testing::HasSubstr;

// A source sentence of `words` words.
std::string Words(int words) {
  std::vector<std::string> tokens(words, "w");
  return absl::StrJoin(tokens, " ");
}

TEST(BleuByLengthTest, BinsBySourceWordsWithOpenLastBin) {
  // Sources of 0, 9, 10, 59, 60 and 200 words -> bins [0,10) x2, [10,20), [50,60), [60,inf) x2.
  const std::vector<std::string> sources = {Words(0), Words(9), Words(10), Words(59), Words(60), Words(200)};
  const std::vector<std::string> hyps(6, "the cat sat on the mat .");
  const std::vector<std::vector<std::string>> refs = {hyps};
  LengthBinning binning;
  binning.min_sentences = 2;
  absl::StatusOr<std::vector<LengthBin>> bins = BleuByLength(sources, hyps, refs, binning);
  ASSERT_TRUE(bins.ok()) << bins.status();
  ASSERT_EQ(bins->size(), 7);
  std::vector<int64_t> counts;
  for (const LengthBin& bin : *bins) counts.push_back(bin.sentences);
  EXPECT_EQ(counts, (std::vector<int64_t>{2, 1, 0, 0, 0, 1, 2}));
  EXPECT_EQ((*bins)[0].Label(), "0-9");
  EXPECT_EQ((*bins)[5].Label(), "50-59");
  EXPECT_EQ((*bins)[6].Label(), "60+");
  EXPECT_EQ((*bins)[6].max_len, -1);
  EXPECT_DOUBLE_EQ((*bins)[0].centre, 5.0);
  EXPECT_DOUBLE_EQ((*bins)[6].centre, 65.0);
  EXPECT_FALSE((*bins)[0].too_small);
  EXPECT_TRUE((*bins)[1].too_small);
  EXPECT_TRUE((*bins)[2].too_small);  // empty
  EXPECT_NEAR((*bins)[0].bleu.score, 100.0, 1e-9);
  EXPECT_EQ((*bins)[2].bleu.score, 0.0);
}

TEST(BleuByLengthTest, EachBinIsCorpusBleuOfItsSentences) {
  // Bin scores equal CorpusBleu over the same subsets, not averages of sentence BLEU.
  const std::vector<std::string> hyps = {"The dog bit the man.", "It wasn't surprising.",
                                         "The man had just bitten him."};
  const std::vector<std::string> refs = {"The dog bit the man.", "It was not unexpected.", "The man bit him first."};
  const std::vector<std::string> sources = {Words(3), Words(4), Words(12)};
  absl::StatusOr<std::vector<LengthBin>> bins = BleuByLength(sources, hyps, {refs});
  ASSERT_TRUE(bins.ok()) << bins.status();
  const metrics::BleuScore short_bin = *metrics::CorpusBleu({hyps[0], hyps[1]}, {{refs[0], refs[1]}});
  const metrics::BleuScore long_bin = *metrics::CorpusBleu({hyps[2]}, {{refs[2]}});
  EXPECT_EQ((*bins)[0].bleu.Format(), short_bin.Format());
  EXPECT_EQ((*bins)[1].bleu.Format(), long_bin.Format());
  EXPECT_EQ((*bins)[0].sentences, 2);
}

TEST(BleuByLengthTest, RejectsMismatchedInputsAndBadOptions) {
  EXPECT_THAT(BleuByLength({"a"}, {"a", "b"}, {{"a", "b"}}).status().message(),
              HasSubstr("1 source sentences but 2 hypotheses"));
  EXPECT_FALSE(BleuByLength({"a"}, {"a"}, {{"a", "b"}}).ok());
  LengthBinning binning;
  binning.width = 0;
  EXPECT_EQ(BleuByLength({"a"}, {"a"}, {{"a"}}, binning).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LengthBinsCsvTest, WritesHeaderAndOneRowPerBin) {
  LengthBinning binning;
  binning.num_bins = 2;
  binning.min_sentences = 1;
  absl::StatusOr<std::vector<LengthBin>> bins =
      BleuByLength({Words(3), Words(30)}, {"a b c d", "x"}, {{"a b c d", "y"}}, binning);
  ASSERT_TRUE(bins.ok()) << bins.status();
  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/bins.csv");
  ASSERT_TRUE(WriteLengthBinsCsv(path, *bins).ok());
  const std::vector<std::string> lines = *datasets::ReadUtf8Lines(path);
  ASSERT_EQ(lines.size(), 3);
  EXPECT_EQ(lines[0], "bin,min_len,max_len,centre,sentences,bleu,brevity_penalty,hyp_len,ref_len,too_small");
  EXPECT_EQ(lines[1], "0-9,0,10,5,1,100.00,1.000,4,4,0");
  EXPECT_EQ(lines[2], "10+,10,,15,1,0.00,1.000,1,1,0");
  EXPECT_FALSE(WriteLengthBinsCsv("/no/such/dir/bins.csv", *bins).ok());
}

}  // namespace
}  // namespace nmt::tools
