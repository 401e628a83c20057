#include "datasets/parallel_corpus.h"

#include <zlib.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "datasets/text_file.h"
#include "gtest/gtest.h"

namespace nmt::datasets {
namespace {

std::string WriteTemp(const std::string& name, const std::string& contents) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/", name);
  EXPECT_TRUE(WriteFileAtomically(path, contents).ok());
  return path;
}

TEST(ReadParallelFiles, ReadsPairsWithLineNumbers) {
  absl::StatusOr<ParallelCorpus> corpus =
      ReadParallelFiles(WriteTemp("a.en", "Hello .\nGood night .\n"), WriteTemp("a.es", "Hola .\nBuenas noches .\n"));
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  ASSERT_EQ(corpus->pairs.size(), 2u);
  EXPECT_EQ(corpus->pairs[1].source, "Good night .");
  EXPECT_EQ(corpus->pairs[1].target, "Buenas noches .");
  EXPECT_EQ(corpus->pairs[1].line, 2);
  EXPECT_EQ(corpus->stats.pairs_kept, 2);
}

TEST(ReadParallelFiles, ReadsGzipOnOneSide) {
  const std::string gz_path = absl::StrCat(::testing::TempDir(), "/b.es.gz");
  gzFile file = gzopen(gz_path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  gzputs(file, "Hola\n");
  ASSERT_EQ(gzclose(file), Z_OK);
  absl::StatusOr<ParallelCorpus> corpus = ReadParallelFiles(WriteTemp("b.en", "Hello\n"), gz_path);
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  EXPECT_EQ(corpus->pairs[0].target, "Hola");
}

TEST(ReadParallelFiles, MismatchedLineCountsNameBothCounts) {
  absl::StatusOr<ParallelCorpus> corpus =
      ReadParallelFiles(WriteTemp("c.en", "a\nb\nc\n"), WriteTemp("c.es", "a\nb\n"));
  ASSERT_FALSE(corpus.ok());
  EXPECT_TRUE(absl::StrContains(corpus.status().message(), "c.en has 3 lines")) << corpus.status();
  EXPECT_TRUE(absl::StrContains(corpus.status().message(), "c.es has 2")) << corpus.status();
}

TEST(ReadParallelFiles, MissingFileIsNotFound) {
  absl::StatusOr<ParallelCorpus> corpus = ReadParallelFiles(WriteTemp("d.en", "a\n"), "/nonexistent/d.es");
  EXPECT_EQ(corpus.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(corpus.status().message(), "/nonexistent/d.es"));
}

TEST(ReadParallelFiles, EmptyFileIsAnError) {
  absl::StatusOr<ParallelCorpus> corpus = ReadParallelFiles(WriteTemp("e.en", ""), WriteTemp("e.es", ""));
  ASSERT_FALSE(corpus.ok());
  EXPECT_TRUE(absl::StrContains(corpus.status().message(), "e.en: file is empty"));
}

TEST(ReadParallelFiles, InvalidUtf8NamesFileLineAndOffset) {
  absl::StatusOr<ParallelCorpus> corpus = ReadParallelFiles(WriteTemp("f.en", "fine\nfine\n"), WriteTemp("f.es",
                                                                                                         "bien\nma\xf1"
                                                                                                         "ana\n"));
  ASSERT_FALSE(corpus.ok());
  EXPECT_TRUE(absl::StrContains(corpus.status().message(), "f.es:2: invalid UTF-8 at byte offset 2"))
      << corpus.status();
}

TEST(ReadParallelFiles, SkipsAndCountsEmptyAndLongPairs) {
  ParallelCorpusOptions options;
  options.max_words = 3;
  absl::StatusOr<ParallelCorpus> corpus =
      ReadParallelFiles(WriteTemp("g.en", "one two\n\nthree\none two three four\nfive\n"),
                        WriteTemp("g.es", "uno dos\nalgo\n   \nuno\ncinco seis siete\n"), options);
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  EXPECT_EQ(corpus->stats.lines_read, 5);
  EXPECT_EQ(corpus->stats.empty_skipped, 2);
  EXPECT_EQ(corpus->stats.too_long_skipped, 1);
  EXPECT_EQ(corpus->stats.pairs_kept, 2);
  ASSERT_EQ(corpus->pairs.size(), 2u);
  EXPECT_EQ(corpus->pairs[1].line, 5);  // three words on the target side is within the limit
}

TEST(ReadTsv, SplitsOnTheTab) {
  absl::StatusOr<ParallelCorpus> corpus = ReadTsv(WriteTemp("h.tsv", "Hello\tHola\n\tnada\n"));
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  ASSERT_EQ(corpus->pairs.size(), 1u);
  EXPECT_EQ(corpus->pairs[0].source, "Hello");
  EXPECT_EQ(corpus->pairs[0].target, "Hola");
  EXPECT_EQ(corpus->stats.empty_skipped, 1);
}

TEST(ReadTsv, LineWithoutExactlyOneTabIsAnError) {
  absl::StatusOr<ParallelCorpus> corpus = ReadTsv(WriteTemp("i.tsv", "a\tb\na\tb\tc\n"));
  ASSERT_FALSE(corpus.ok());
  EXPECT_TRUE(absl::StrContains(corpus.status().message(), "i.tsv:2: expected exactly one tab")) << corpus.status();
  EXPECT_FALSE(ReadTsv(WriteTemp("j.tsv", "no tab here\n")).ok());
}

}  // namespace
}  // namespace nmt::datasets
