#include "tools/text_file.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nmt::tools {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string TempPath(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
}

TEST(ReadUtf8LinesTest, SplitsOnNewlineOnlyAndIgnoresFinalNewline) {
  const std::string path = TempPath("lines.txt");
  ASSERT_TRUE(WriteTextFile(path, "one\ntwo\r\n\nzahăr\n").ok());
  absl::StatusOr<std::vector<std::string>> lines = ReadUtf8Lines(path);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(*lines, ElementsAre("one", "two\r", "", "zahăr"));
}

TEST(ReadUtf8LinesTest, LastLineWithoutNewlineAndEmptyFile) {
  const std::string path = TempPath("no_newline.txt");
  ASSERT_TRUE(WriteTextFile(path, "a\nb").ok());
  EXPECT_THAT(*ReadUtf8Lines(path), ElementsAre("a", "b"));
  ASSERT_TRUE(WriteTextFile(path, "").ok());
  EXPECT_THAT(*ReadUtf8Lines(path), IsEmpty());
}

TEST(ReadUtf8LinesTest, ReportsMissingFile) {
  absl::StatusOr<std::vector<std::string>> lines = ReadUtf8Lines(TempPath("absent.txt"));
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(lines.status().message(), HasSubstr("absent.txt: cannot open"));
}

TEST(ReadUtf8LinesTest, ReportsInvalidUtf8WithFileAndLine) {
  const std::string path = TempPath("latin1.txt");
  ASSERT_TRUE(WriteTextFile(path, "fine\ncaf\xe9\n").ok());
  absl::StatusOr<std::vector<std::string>> lines = ReadUtf8Lines(path);
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(lines.status().message(), HasSubstr("latin1.txt:2: invalid UTF-8"));
}

TEST(WriteTextFileTest, ReportsUnwritablePath) {
  EXPECT_FALSE(WriteTextFile(TempPath("no/such/dir/x.txt"), "x").ok());
}

TEST(ResolveUserPathTest, JoinsRelativePathsToBazelWorkingDirectory) {
  ASSERT_EQ(setenv("BUILD_WORKING_DIRECTORY", "/home/me", 1), 0);
  EXPECT_EQ(ResolveUserPath("hyp.txt"), "/home/me/hyp.txt");
  EXPECT_EQ(ResolveUserPath("/abs/hyp.txt"), "/abs/hyp.txt");
  EXPECT_EQ(ResolveUserPath("-"), "-");
  ASSERT_EQ(unsetenv("BUILD_WORKING_DIRECTORY"), 0);
  EXPECT_EQ(ResolveUserPath("hyp.txt"), "hyp.txt");
}

}  // namespace
}  // namespace nmt::tools
