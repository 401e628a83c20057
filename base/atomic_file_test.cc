#include "base/atomic_file.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace nmt {
namespace {

std::string TestDir() { return std::getenv("TEST_TMPDIR"); }

// Every entry of `directory` whose name starts with `prefix`.
std::vector<std::string> Entries(const std::string& directory, const std::string& prefix) {
  std::vector<std::string> names;
  DIR* dir = opendir(directory.c_str());
  if (dir == nullptr) return names;
  while (dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.rfind(prefix, 0) == 0) names.push_back(name);
  }
  closedir(dir);
  return names;
}

TEST(WriteFileAtomically, CreatesThenReplacesAndLeavesNoTemporaryFile) {
  const std::string path = absl::StrCat(TestDir(), "/replace.bin");
  ASSERT_TRUE(WriteFileAtomically(path, "first version").ok());
  EXPECT_EQ(*ReadFileToString(path), "first version");

  const std::string binary("a\0b\xff", 4);
  ASSERT_TRUE(WriteFileAtomically(path, binary).ok());
  EXPECT_EQ(*ReadFileToString(path), binary);
  EXPECT_EQ(Entries(TestDir(), "replace.bin"), std::vector<std::string>{"replace.bin"});
}

TEST(WriteFileAtomically, WritesEmptyAndLargeContents) {
  const std::string path = absl::StrCat(TestDir(), "/sizes.bin");
  ASSERT_TRUE(WriteFileAtomically(path, "").ok());
  EXPECT_EQ(*ReadFileToString(path), "");
  std::string large(3 << 20, 'x');  // several read() chunks
  large[12345] = 'y';
  ASSERT_TRUE(WriteFileAtomically(path, large).ok());
  EXPECT_EQ(*ReadFileToString(path), large);
}

TEST(WriteFileAtomically, MissingDirectoryIsAnErrorNamingThePath) {
  const std::string path = absl::StrCat(TestDir(), "/no/such/dir/file.bin");
  const absl::Status status = WriteFileAtomically(path, "x");
  EXPECT_TRUE(absl::IsNotFound(status)) << status;
  EXPECT_NE(status.message().find(path), std::string::npos) << status;
}

TEST(WriteFileAtomically, FailedRenameKeepsTargetAndRemovesTemporaryFile) {
  // A directory cannot be replaced by a file, so the rename fails after the
  // temporary file was fully written.
  const std::string dir = absl::StrCat(TestDir(), "/target_is_dir");
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  const absl::Status status = WriteFileAtomically(dir, "x");
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("renaming"), std::string::npos) << status;
  EXPECT_EQ(Entries(TestDir(), "target_is_dir.tmp"), std::vector<std::string>{});
}

TEST(RemoveStaleTemporaries, RemovesTheTemporaryFilesOfThatExactNameOnly) {
  const std::string dir = absl::StrCat(TestDir(), "/stale");
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  const std::string path = absl::StrCat(dir, "/checkpoint.ckpt");
  ASSERT_TRUE(WriteFileAtomically(path, "current").ok());
  // What a SIGKILL mid-write leaves (mkstemp's six letters or digits), and neighbours
  // that are not this file's temporaries.
  const std::vector<std::string> stale = {"checkpoint.ckpt.tmp.P4z7tD", "checkpoint.ckpt.tmp.000000"};
  const std::vector<std::string> others = {"checkpoint.ckpt.tmp.short",   "checkpoint.ckpt.tmp.P4z7tD7",
                                           "checkpoint.ckpt.tmp.P4z-tD",  "best.ckpt.tmp.P4z7tD",
                                           "xcheckpoint.ckpt.tmp.P4z7tD", "checkpoint.ckpt.prev"};
  for (const std::string& name : stale) std::ofstream(absl::StrCat(dir, "/", name)) << "half";
  for (const std::string& name : others) std::ofstream(absl::StrCat(dir, "/", name)) << "keep";

  absl::StatusOr<std::vector<std::string>> removed = RemoveStaleTemporaries(path);
  ASSERT_TRUE(removed.ok()) << removed.status();
  std::vector<std::string> expected_removed;
  for (const std::string& name : stale) expected_removed.push_back(absl::StrCat(dir, "/", name));
  std::sort(removed->begin(), removed->end());
  std::sort(expected_removed.begin(), expected_removed.end());
  EXPECT_EQ(*removed, expected_removed);

  std::vector<std::string> left = Entries(dir, "");
  std::sort(left.begin(), left.end());
  std::vector<std::string> expected_left = others;
  expected_left.insert(expected_left.end(), {".", "..", "checkpoint.ckpt"});
  std::sort(expected_left.begin(), expected_left.end());
  EXPECT_EQ(left, expected_left);
  EXPECT_EQ(*ReadFileToString(path), "current");

  // Nothing left to remove; a missing directory has none either.
  EXPECT_EQ(RemoveStaleTemporaries(path)->size(), 0u);
  absl::StatusOr<std::vector<std::string>> none = RemoveStaleTemporaries(absl::StrCat(dir, "/absent/x.ckpt"));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST(ReadFileToString, MissingFileIsNotFound) {
  const absl::StatusOr<std::string> read = ReadFileToString(absl::StrCat(TestDir(), "/absent"));
  EXPECT_TRUE(absl::IsNotFound(read.status())) << read.status();
}

}  // namespace
}  // namespace nmt
