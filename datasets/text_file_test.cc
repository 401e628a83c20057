#include "datasets/text_file.h"

#include <zlib.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "gtest/gtest.h"

namespace nmt::datasets {
namespace {

std::string TempPath(const std::string& name) {
  return absl::StrCat(::testing::TempDir(), "/", name);
}

void WriteGzip(const std::string& path, const std::string& contents) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, contents.data(), contents.size()), static_cast<int>(contents.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

TEST(ReadLines, SplitsLinesAndDropsCarriageReturns) {
  const std::string path = TempPath("plain.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "one\r\ntwo\n\nfour").ok());
  absl::StatusOr<std::vector<std::string>> lines = ReadLines(path);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(*lines, (std::vector<std::string>{"one", "two", "", "four"}));
}

TEST(ReadLines, DecompressesByMagicBytesNotByName) {
  const std::string path = TempPath("compressed.txt");  // no .gz suffix on purpose
  WriteGzip(path, "hola\nmundo\n");
  absl::StatusOr<std::vector<std::string>> lines = ReadLines(path);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(*lines, (std::vector<std::string>{"hola", "mundo"}));
}

TEST(ReadLines, TruncatedGzipIsDataLoss) {
  const std::string path = TempPath("truncated.gz");
  WriteGzip(path, std::string(10000, 'x'));
  // Read the compressed bytes without decompressing them and cut them in half.
  std::string raw;
  FILE* file = std::fopen(path.c_str(), "rb");
  ASSERT_NE(file, nullptr);
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) raw.append(buffer, n);
  std::fclose(file);
  ASSERT_TRUE(WriteFileAtomically(path, raw.substr(0, raw.size() / 2)).ok());
  EXPECT_EQ(ReadLines(path).status().code(), absl::StatusCode::kDataLoss);
}

TEST(ReadLines, MissingFileIsNotFoundAndNamesTheFile) {
  absl::StatusOr<std::vector<std::string>> lines = ReadLines(TempPath("does_not_exist"));
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(lines.status().message().find("does_not_exist"), std::string::npos);
}

TEST(FindInvalidUtf8, AcceptsValidText) {
  EXPECT_EQ(FindInvalidUtf8("¿Qué? «sí» — 😀"), std::nullopt);
}

TEST(FindInvalidUtf8, ReportsOffsetOfFirstBadByte) {
  EXPECT_EQ(FindInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(FindInvalidUtf8("a\xc3"), 1u);            // truncated sequence
  EXPECT_EQ(FindInvalidUtf8("\xc0\xaf"), 0u);         // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("ok\xed\xa0\x80"), 2u);   // UTF-16 surrogate
  EXPECT_EQ(FindInvalidUtf8("\xf4\x90\x80\x80"), 0u); // past U+10FFFF
}


}  // namespace
}  // namespace nmt::datasets
