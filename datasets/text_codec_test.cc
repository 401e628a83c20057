#include "datasets/text_codec.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "datasets/special_ids.h"
#include "gtest/gtest.h"

namespace nmt::datasets {
namespace {

std::string TempPrefix(const std::string& name) { return std::string(std::getenv("TEST_TMPDIR")) + "/" + name; }

std::vector<std::string> Corpus() {
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i) {
    lines.push_back("In the beginning, God created the heavens and the earth.");
    lines.push_back("The earth was formless and empty; darkness was on the surface of the deep.");
    lines.push_back("God said, “Let there be light,” and there was light.");
  }
  return lines;
}

TEST(TextCodec, WordsRoundTripThroughTheSavedVocabulary) {
  TextCodecOptions options;
  options.vocab_size = 1000;
  auto codec = TextCodec::Build(Corpus(), options, TempPrefix("words"));
  ASSERT_TRUE(codec.ok()) << codec.status();
  const std::string text = "God said, “Let there be light,” and there was light.";
  std::vector<int32_t> ids = (*codec)->Encode(text);
  EXPECT_EQ(ids.back(), kEosId);
  EXPECT_EQ((*codec)->Decode(ids), text);
  auto loaded = TextCodec::Load(TempPrefix("words"), Language::kEnglish);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->Encode(text), ids);
  EXPECT_EQ((*loaded)->size(), (*codec)->size());
}

TEST(TextCodec, ShortlistMapsRareWordsToUnk) {
  TextCodecOptions options;
  options.vocab_size = 3;
  auto codec = TextCodec::Build(Corpus(), options, TempPrefix("short"));
  ASSERT_TRUE(codec.ok()) << codec.status();
  EXPECT_EQ((*codec)->size(), 6);
  std::vector<int32_t> ids = (*codec)->Encode("formless deep");
  EXPECT_EQ(ids, (std::vector<int32_t>{kUnkId, kUnkId, kEosId}));
}

TEST(TextCodec, SubwordsRoundTrip) {
  TextCodecOptions options;
  options.kind = TextCodecOptions::Kind::kSubwords;
  options.vocab_size = 60;
  auto codec = TextCodec::Build(Corpus(), options, TempPrefix("spm"));
  ASSERT_TRUE(codec.ok()) << codec.status();
  const std::string text = "In the beginning, God created light.";
  std::vector<int32_t> ids = (*codec)->Encode(text);
  EXPECT_EQ(ids.back(), kEosId);
  EXPECT_EQ((*codec)->Decode(ids), text);
  EXPECT_EQ((*codec)->Labels(ids).size(), ids.size());
  auto loaded = TextCodec::Load(TempPrefix("spm"), Language::kEnglish);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->Encode(text), ids);
}

TEST(TextCodec, LoadWithoutFilesIsNotFound) {
  auto codec = TextCodec::Load(TempPrefix("nothing"), Language::kEnglish);
  EXPECT_EQ(codec.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace nmt::datasets
