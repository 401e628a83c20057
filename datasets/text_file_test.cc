#include "datasets/text_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "gtest/gtest.h"

namespace nmt::datasets {
namespace {

std::string TempPath(const std::string& name) { return absl::StrCat(::testing::TempDir(), "/", name); }

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

TEST(ReadLines, CrlfAndLfFilesReadTheSameAndOtherCarriageReturnsStay) {
  const std::string lf = TempPath("lf.txt");
  const std::string crlf = TempPath("crlf.txt");
  ASSERT_TRUE(WriteFileAtomically(lf, "a\rb\nzahăr\n\n").ok());
  ASSERT_TRUE(WriteFileAtomically(crlf, "a\rb\r\nzahăr\r\n\r\n").ok());
  const std::vector<std::string> expected = {"a\rb", "zahăr", ""};
  EXPECT_EQ(*ReadLines(lf), expected);
  EXPECT_EQ(*ReadLines(crlf), expected);
}

TEST(ReadLines, LastLineWithoutNewlineCountsAndEmptyFileHasNoLines) {
  const std::string path = TempPath("no_newline.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "a\nb").ok());
  EXPECT_EQ(*ReadLines(path), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(WriteFileAtomically(path, "").ok());
  EXPECT_TRUE(ReadLines(path)->empty());
  ASSERT_TRUE(WriteFileAtomically(path, "\n").ok());
  EXPECT_EQ(*ReadLines(path), (std::vector<std::string>{""}));
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

// Replaces standard input with `path` for the life of the object.
class StdinFrom {
 public:
  explicit StdinFrom(const std::string& path) : saved_(dup(STDIN_FILENO)) {
    const int fd = open(path.c_str(), O_RDONLY);
    EXPECT_GE(fd, 0) << path;
    EXPECT_EQ(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    close(fd);
  }
  ~StdinFrom() {
    dup2(saved_, STDIN_FILENO);
    close(saved_);
  }

 private:
  int saved_;
};

TEST(ReadLines, DashIsStandardInputPlainOrGzip) {
  const std::string plain = TempPath("stdin.txt");
  ASSERT_TRUE(WriteFileAtomically(plain, "uno\r\ndos\n").ok());
  {
    StdinFrom stdin_from(plain);
    EXPECT_EQ(*ReadLines("-"), (std::vector<std::string>{"uno", "dos"}));
  }
  const std::string compressed = TempPath("stdin.gz");
  WriteGzip(compressed, "tres\ncuatro\n");
  {
    StdinFrom stdin_from(compressed);
    EXPECT_EQ(*ReadLines("-"), (std::vector<std::string>{"tres", "cuatro"}));
  }
}

TEST(ReadUtf8Lines, ReadsValidTextPlainOrGzip) {
  const std::string path = TempPath("valid.gz");
  WriteGzip(path, "¿Qué?\r\nzahăr 日本\n");
  absl::StatusOr<std::vector<std::string>> lines = ReadUtf8Lines(path);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(*lines, (std::vector<std::string>{"¿Qué?", "zahăr 日本"}));
}

TEST(ReadUtf8Lines, ReportsInvalidUtf8WithFileLineAndOffset) {
  const std::string path = TempPath("latin1.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "fine\ncaf\xe9\n").ok());
  absl::StatusOr<std::vector<std::string>> lines = ReadUtf8Lines(path);
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(lines.status().message(), path + ":2: invalid UTF-8 at byte offset 3");
}

TEST(ReadUtf8Lines, NamesStandardInputInErrors) {
  const std::string path = TempPath("latin1_stdin.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "caf\xe9\n").ok());
  StdinFrom stdin_from(path);
  EXPECT_EQ(ReadUtf8Lines("-").status().message(), "<stdin>:1: invalid UTF-8 at byte offset 3");
}

TEST(ReadUtf8Lines, MissingFileIsNotFound) {
  EXPECT_EQ(ReadUtf8Lines(TempPath("absent.txt")).status().code(), absl::StatusCode::kNotFound);
}

TEST(FindInvalidUtf8, AcceptsValidText) {
  EXPECT_EQ(FindInvalidUtf8("¿Qué? «sí» — 😀"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("plain ascii"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("zahăr 日本 \xf0\x9f\x98\x80"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8(""), std::nullopt);
}

TEST(FindInvalidUtf8, ReportsOffsetOfFirstBadByte) {
  EXPECT_EQ(FindInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(FindInvalidUtf8("a\xc3"), 1u);             // truncated sequence
  EXPECT_EQ(FindInvalidUtf8("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("ok\xed\xa0\x80"), 2u);    // UTF-16 surrogate
  EXPECT_EQ(FindInvalidUtf8("\xed\xbf\xbf"), 0u);      // the last surrogate, U+DFFF
  EXPECT_EQ(FindInvalidUtf8("\xf4\x90\x80\x80"), 0u);  // past U+10FFFF
}

}  // namespace
}  // namespace nmt::datasets
