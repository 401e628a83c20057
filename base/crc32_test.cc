#include "base/crc32.h"

#include <string>

#include "gtest/gtest.h"

namespace nmt {
namespace {

TEST(Crc32, MatchesTheCheckValueOfCrc32IsoHdlc) {
  EXPECT_EQ(Crc32(""), 0u);
  EXPECT_EQ(Crc32("123456789"), 0xcbf43926u);
  EXPECT_EQ(Crc32("a"), 0xe8b7be43u);
}

TEST(Crc32, ChangesWithAnyFlippedBit) {
  std::string bytes(1000, 'x');
  const uint32_t original = Crc32(bytes);
  for (size_t i = 0; i < bytes.size(); i += 37) {
    std::string flipped = bytes;
    flipped[i] ^= 0x10;
    EXPECT_NE(Crc32(flipped), original) << "byte " << i;
  }
}

}  // namespace
}  // namespace nmt
