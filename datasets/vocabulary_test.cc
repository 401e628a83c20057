#include "datasets/vocabulary.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "datasets/special_ids.h"
#include "datasets/text_file.h"
#include "gtest/gtest.h"

namespace nmt::datasets {
namespace {

std::string TempPath(const std::string& name) { return absl::StrCat(::testing::TempDir(), "/", name); }

TokenCounts SampleCounts() { return {{"the", 10}, {"house", 3}, {"casa", 3}, {"a", 3}, {"rare", 1}}; }

TEST(Vocabulary, SpecialIdsComeFirst) {
  Vocabulary vocab = Vocabulary::Build({}, 10);
  EXPECT_EQ(vocab.size(), 3);
  EXPECT_EQ(vocab.Token(kPadId), "<pad>");
  EXPECT_EQ(vocab.Token(kEosId), "</s>");
  EXPECT_EQ(vocab.Token(kUnkId), "<unk>");
}

TEST(Vocabulary, OrdersByCountThenBytesAndCutsTheShortlist) {
  Vocabulary vocab = Vocabulary::Build(SampleCounts(), 3);
  ASSERT_EQ(vocab.size(), 6);
  EXPECT_EQ(vocab.Token(kFirstWordId), "the");
  EXPECT_EQ(vocab.Token(kFirstWordId + 1), "a");  // ties broken bytewise: a < casa < house
  EXPECT_EQ(vocab.Token(kFirstWordId + 2), "casa");
  EXPECT_EQ(vocab.Id("house"), kUnkId);  // fourth most frequent: outside the shortlist
  EXPECT_EQ(vocab.Id("never seen"), kUnkId);
}

TEST(Vocabulary, CountTokensAccumulates) {
  TokenCounts counts;
  CountTokens({"a", "b", "a"}, counts);
  CountTokens({"a"}, counts);
  EXPECT_EQ(counts["a"], 3);
  EXPECT_EQ(counts["b"], 1);
}

TEST(Vocabulary, SpecialSpellingsAreNotDuplicated) {
  Vocabulary vocab = Vocabulary::Build({{"</s>", 100}, {"x", 1}}, 10);
  EXPECT_EQ(vocab.size(), 4);
  EXPECT_EQ(vocab.Id("</s>"), kEosId);
}

TEST(Vocabulary, EncodeAppendsEosAndDecodeStopsThere) {
  Vocabulary vocab = Vocabulary::Build(SampleCounts(), 10);
  std::vector<int32_t> ids = vocab.Encode({"the", "zebra", "house"});
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids[1], kUnkId);
  EXPECT_EQ(ids.back(), kEosId);
  ids.insert(ids.begin() + 1, kPadId);
  ids.push_back(vocab.Id("the"));  // after EOS: ignored
  EXPECT_EQ(vocab.Decode(ids), (std::vector<std::string>{"the", "<unk>", "house"}));
}

TEST(Vocabulary, SaveLoadRoundTrip) {
  Vocabulary vocab = Vocabulary::Build(SampleCounts(), 10);
  const std::string path = TempPath("vocab.txt");
  ASSERT_TRUE(vocab.Save(path).ok());
  EXPECT_EQ(*ReadFileContents(path), "<pad>\n</s>\n<unk>\nthe\na\ncasa\nhouse\nrare\n");
  absl::StatusOr<Vocabulary> loaded = Vocabulary::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), vocab.size());
  for (int32_t id = 0; id < vocab.size(); ++id) EXPECT_EQ(loaded->Token(id), vocab.Token(id));
  EXPECT_EQ(loaded->Id("house"), vocab.Id("house"));
}

void ExpectLoadError(const std::string& contents, const std::string& expected) {
  const std::string path = TempPath("bad_vocab.txt");
  ASSERT_TRUE(WriteFileAtomically(path, contents).ok());
  absl::StatusOr<Vocabulary> loaded = Vocabulary::Load(path);
  ASSERT_FALSE(loaded.ok()) << "accepted: " << contents;
  EXPECT_TRUE(absl::StrContains(loaded.status().message(), expected)) << loaded.status();
}

TEST(Vocabulary, LoadIsStrict) {
  ExpectLoadError("<pad>\n</s>\n", "has 2 lines");
  ExpectLoadError("<pad>\n<unk>\n</s>\nthe\n", "bad_vocab.txt:2: expected \"</s>\"");
  ExpectLoadError("<pad>\n</s>\n<unk>\nthe\n\n", ":5: empty token");
  ExpectLoadError("<pad>\n</s>\n<unk>\nthe cat\n", ":4: token contains whitespace");
  ExpectLoadError("<pad>\n</s>\n<unk>\nthe\nthe\n", ":5: duplicate token \"the\" (first on line 4)");
  ExpectLoadError("<pad>\n</s>\n<unk>\n\xff\n", ":4: invalid UTF-8");
  EXPECT_EQ(Vocabulary::Load(TempPath("missing")).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace nmt::datasets
