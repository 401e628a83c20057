#include "datasets/bible_corpus.h"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "datasets/text_file.h"
#include "gtest/gtest.h"

namespace nmt::datasets {
namespace {

constexpr char kEnglishImp[] =
    "$$$[ Module Heading ]\n"
    "$$$Genesis 0:0\n"
    "<title>Preface</title> The Holy Bible is a collection\n"
    "$$$Genesis 1:0\n"
    "<title>Chapter heading</title>\n"
    "$$$Genesis 1:1\n"
    "<w>In</w> <w>the</w> beginning, <w>God</w><note>Elohim</note><w>created</w>\n"
    "$$$Genesis 1:2\n"
    "The earth was formless\n"
    "and empty.\n"
    "$$$Genesis 1:3\n"
    "<note>only a note</note>\n"
    "$$$Revelation of John 22:21\n"
    "Amen. <div eID=\"gen1\" osisID=\"Rev\" type=\"book\"/> Glossary text\n";

constexpr char kSpanishImp[] =
    "$$$Genesis 1:1\n"
    "<w>EN el principio</w> <w>crió</w> Dios\n"
    "$$$Genesis 1:3\n"
    "Y dijo Dios\n"
    "$$$Genesis 1:4\n"
    "Y vió Dios\n"
    "$$$Revelation of John 22:21\n"
    "Amén.\n";

TEST(ParseImp, ReadsReferencesAndJoinsLines) {
  std::vector<ImpEntry> entries = ParseImp(kEnglishImp);
  ASSERT_EQ(entries.size(), 6u);  // the module heading is not a verse
  EXPECT_EQ(entries[0].reference, "Genesis 0:0");
  EXPECT_EQ(entries[3].reference, "Genesis 1:2");
  EXPECT_EQ(entries[3].chapter, 1);
  EXPECT_EQ(entries[3].verse, 2);
  EXPECT_EQ(entries[3].markup, "The earth was formless\nand empty.");
  EXPECT_EQ(entries[5].reference, "Revelation of John 22:21");
  EXPECT_EQ(entries[5].chapter, 22);
}

TEST(AlignVerses, KeepsOnlyNonEmptyVersesInBoth) {
  std::vector<VersePair> pairs = AlignVerses(ParseImp(kEnglishImp), ParseImp(kSpanishImp));
  // 0:0 and 1:0 are headings, 1:2 has no Spanish, 1:3 is empty in English, 1:4 no English.
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].reference, "Genesis 1:1");
  EXPECT_EQ(pairs[0].english, "In the beginning, God created");
  EXPECT_EQ(pairs[0].spanish, "EN el principio crió Dios");
  EXPECT_EQ(pairs[1].english, "Amen.");  // the appendix after the end of the book is cut
}

TEST(SplitOf, IsFixedAndNearTheTargetProportions) {
  // Golden values from the real corpus: changing the hash or the thresholds would move
  // verses between splits and invalidate every reported test score.
  EXPECT_EQ(SplitOf("Genesis 1:1"), Split::kTrain);
  EXPECT_EQ(SplitOf("Genesis 1:12"), Split::kTest);
  EXPECT_EQ(SplitOf("Genesis 2:4"), Split::kDev);
  int dev = 0, test = 0;
  const int n = 31000;
  for (int i = 0; i < n; ++i) {
    const Split split = SplitOf(absl::StrCat("Book ", i / 40 + 1, ":", i % 40 + 1));
    dev += split == Split::kDev;
    test += split == Split::kTest;
  }
  EXPECT_NEAR(test, 1984, 150);
  EXPECT_NEAR(dev, 992, 100);
}

std::string MakeTempDir(const std::string& name) {
  const std::string dir = absl::StrCat(::testing::TempDir(), "/", name);
  mkdir(dir.c_str(), 0755);
  return dir;
}

std::vector<VersePair> ManyPairs(int n) {
  std::vector<VersePair> pairs;
  for (int i = 1; i <= n; ++i) {
    pairs.push_back({absl::StrCat("Psalms ", i, ":1"), absl::StrCat("verse ", i), absl::StrCat("versículo ", i)});
  }
  return pairs;
}

TEST(WriteBibleCorpus, WritesAlignedFilesAndAManifest) {
  const std::string dir = MakeTempDir("bible_write");
  absl::StatusOr<BibleCorpusCounts> counts = WriteBibleCorpus(ManyPairs(500), dir);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->train + counts->dev + counts->test, 500);
  EXPECT_GT(counts->dev, 0);
  EXPECT_GT(counts->test, 0);
  std::vector<std::string> refs = *ReadLines(dir + "/test.refs");
  std::vector<std::string> english = *ReadLines(dir + "/test.en");
  std::vector<std::string> spanish = *ReadLines(dir + "/test.es");
  ASSERT_EQ(refs.size(), static_cast<size_t>(counts->test));
  for (size_t i = 0; i < refs.size(); ++i) {
    EXPECT_EQ(SplitOf(refs[i]), Split::kTest);
    const std::string number = refs[i].substr(7, refs[i].size() - 9);  // "Psalms N:1"
    EXPECT_EQ(english[i], "verse " + number);
    EXPECT_EQ(spanish[i], "versículo " + number);
  }
  std::optional<BibleCorpusCounts> found = FindCompleteCorpus(dir);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->train, counts->train);
}

TEST(FindCompleteCorpus, RejectsMissingOrTruncatedFiles) {
  const std::string dir = MakeTempDir("bible_incomplete");
  EXPECT_FALSE(FindCompleteCorpus(dir).has_value());
  ASSERT_TRUE(WriteBibleCorpus(ManyPairs(200), dir).ok());
  ASSERT_TRUE(FindCompleteCorpus(dir).has_value());
  ASSERT_TRUE(WriteFileAtomically(dir + "/dev.es", "only one line\n").ok());
  EXPECT_FALSE(FindCompleteCorpus(dir).has_value());
}

TEST(BuildBibleCorpus, ReusesACompleteCorpusWithoutRunningMod2imp) {
  const std::string dir = MakeTempDir("bible_reuse");
  ASSERT_TRUE(WriteBibleCorpus(ManyPairs(300), dir).ok());
  const std::string saved_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  setenv("PATH", "", 1);  // mod2imp cannot be found: only the reuse path can succeed
  BibleCorpusOptions options;
  options.out_dir = dir;
  absl::StatusOr<BibleCorpusCounts> counts = BuildBibleCorpus(options);
  options.force = true;
  absl::StatusOr<BibleCorpusCounts> forced = BuildBibleCorpus(options);
  setenv("PATH", saved_path.c_str(), 1);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->train + counts->dev + counts->test, 300);
  EXPECT_EQ(forced.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(forced.status().message(), "libsword-utils"));
}

}  // namespace
}  // namespace nmt::datasets
