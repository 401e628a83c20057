#include "tools/user_path.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace nmt::tools {
namespace {

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
