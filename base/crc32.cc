#include "base/crc32.h"

#include <zlib.h>

#include <algorithm>

namespace nmt {

uint32_t Crc32(absl::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes a uInt length, so feed very large payloads in pieces.
  while (!bytes.empty()) {
    const uInt chunk = static_cast<uInt>(std::min<size_t>(bytes.size(), 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), chunk);
    bytes.remove_prefix(chunk);
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace nmt
