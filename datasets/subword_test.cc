#include "datasets/subword.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "datasets/special_ids.h"
#include "datasets/text_file.h"
#include "gtest/gtest.h"

namespace nmt::datasets {
namespace {

// A few hundred varied lines: enough for SentencePiece to learn a small vocabulary.
std::string TrainingText() {
  const char* const kWords[] = {"the",   "beginning", "God",     "created",   "heavens", "earth",
                                "light", "darkness",  "waters",  "firmament", "said",    "was",
                                "good",  "evening",   "morning", "day",       "seas",    "grass"};
  std::string text;
  for (int line = 0; line < 400; ++line) {
    for (int w = 0; w < 8; ++w) absl::StrAppend(&text, kWords[(line * 7 + w * w) % 18], " ");
    absl::StrAppend(&text, "and ", line % 50, ".\n");
  }
  return text;
}

class SubwordModelTest : public ::testing::TestWithParam<SubwordType> {
 protected:
  SubwordModel TrainAndLoad(const std::string& name) {
    const std::string dir = ::testing::TempDir();
    const std::string text_path = absl::StrCat(dir, "/", name, ".txt");
    EXPECT_TRUE(WriteFileAtomically(text_path, TrainingText()).ok());
    SubwordTrainOptions options;
    options.vocab_size = 120;
    options.type = GetParam();
    absl::Status trained = TrainSubwordModel(text_path, absl::StrCat(dir, "/", name), options);
    EXPECT_TRUE(trained.ok()) << trained;
    absl::StatusOr<SubwordModel> model = SubwordModel::Load(absl::StrCat(dir, "/", name, ".model"));
    EXPECT_TRUE(model.ok()) << model.status();
    return *std::move(model);
  }
};

TEST_P(SubwordModelTest, RoundTripsTextThroughPiecesAndIds) {
  SubwordModel model = TrainAndLoad(GetParam() == SubwordType::kBpe ? "bpe" : "unigram");
  EXPECT_GT(model.size(), kFirstWordId);
  EXPECT_LE(model.size(), 120);
  const std::string text = "the heavens and the earth was good and 42.";
  absl::StatusOr<std::vector<std::string>> pieces = model.Encode(text);
  ASSERT_TRUE(pieces.ok()) << pieces.status();
  EXPECT_GT(pieces->size(), 1u);
  EXPECT_EQ(*model.Decode(*pieces), text);

  absl::StatusOr<std::vector<int32_t>> ids = model.EncodeIds(text);
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(ids->back(), kEosId);
  for (size_t i = 0; i + 1 < ids->size(); ++i) {
    EXPECT_GE((*ids)[i], kUnkId);  // never PAD or EOS inside a sentence
  }
  std::vector<int32_t> padded = *ids;
  padded.insert(padded.begin(), kPadId);
  padded.push_back(kFirstWordId);  // after EOS: ignored
  EXPECT_EQ(*model.DecodeIds(padded), text);
}

TEST_P(SubwordModelTest, UnknownCharactersMapToUnk) {
  SubwordModel model = TrainAndLoad(GetParam() == SubwordType::kBpe ? "bpe_unk" : "unigram_unk");
  absl::StatusOr<std::vector<int32_t>> ids = model.EncodeIds("ж");
  ASSERT_TRUE(ids.ok());
  EXPECT_NE(std::find(ids->begin(), ids->end(), kUnkId), ids->end());
  EXPECT_FALSE(model.DecodeIds({kFirstWordId, 100000}).ok());
}

INSTANTIATE_TEST_SUITE_P(Types, SubwordModelTest, ::testing::Values(SubwordType::kUnigram, SubwordType::kBpe));

// Training stderr, as SentencePiece writes it there.
std::string TrainingLog(const std::string& name, bool verbose) {
  const std::string dir = ::testing::TempDir();
  const std::string text_path = absl::StrCat(dir, "/", name, ".txt");
  EXPECT_TRUE(WriteFileAtomically(text_path, TrainingText()).ok());
  SubwordTrainOptions options;
  options.vocab_size = 120;
  options.verbose = verbose;
  ::testing::internal::CaptureStderr();
  const absl::Status trained = TrainSubwordModel(text_path, absl::StrCat(dir, "/", name), options);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(trained.ok()) << trained;
  return log;
}

TEST(SubwordModel, TrainsQuietlyUnlessVerbose) {
  // Verbose first: SentencePiece's log level is process-wide, so a quiet run after a
  // verbose one shows that each call sets it.
  EXPECT_NE(TrainingLog("verbose", true).find("trainer_interface"), std::string::npos);
  const std::string quiet = TrainingLog("quiet", false);
  EXPECT_EQ(quiet, "") << quiet;
}

TEST(SubwordModel, LoadAndTrainReportErrors) {
  EXPECT_FALSE(SubwordModel::Load("/nonexistent/model").ok());
  EXPECT_FALSE(TrainSubwordModel("/nonexistent/text", ::testing::TempDir() + "/x", {}).ok());
}

// Found by //datasets:subword_fuzzer: a model of one piece, "<pad>" as its unk, loaded,
// and EncodeIds appended kEosId = 1, an id the model does not have. Load now refuses
// models whose special ids are not the project's.
TEST(SubwordModel, LoadRefusesModelsWithOtherSpecialIds) {
  const std::string model(
      "\x0a\x0e\x0a\x05<pad>\x15\x00\x00\x00\x00\x18\x02\x12\x30\x18\x02\x20\x3c\x55\x00\x00\x80\x3f\x88\x02"
      "\x00\xc0\x02\x02\xc8\x02\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\xd0\x02\x01\xd8\x02\x00\xfa\x02\x04</s>"
      "\x82\x03\x05<py\x12\x00",
      66);
  const std::string path = ::testing::TempDir() + "/one_piece.model";
  ASSERT_TRUE(WriteFileAtomically(path, model).ok());
  absl::StatusOr<SubwordModel> loaded = SubwordModel::Load(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("special ids"), std::string::npos) << loaded.status();
}

// Found by //datasets:subword_fuzzer: a ModelProto whose second piece is "\0\0" makes
// SentencePiece's trie builder throw (darts_clone: "zero-length key"), which used to
// escape the bridge and terminate the process.
TEST(SubwordModel, LoadReportsAModelThatMakesSentencePieceThrow) {
  const std::string model(
      "\x0a\x0d\x18\x02\x0a\x09\x15\x00\x00\x3c\x00\x00\x00\x10\xc1"
      "\x0a\x09\x0a\x02\x00\x00\x15\x00\x96\x81\x61",
      26);
  const std::string path = ::testing::TempDir() + "/throws.model";
  ASSERT_TRUE(WriteFileAtomically(path, model).ok());
  absl::StatusOr<SubwordModel> loaded = SubwordModel::Load(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("zero-length key"), std::string::npos) << loaded.status();
}

}  // namespace
}  // namespace nmt::datasets
