// CRC-32 (zlib's, the ISO-HDLC polynomial) of a byte string of any length: the checksum
// of tensor files and of every checkpoint section.
//
//   uint32_t crc = Crc32(payload);    // Crc32("123456789") == 0xcbf43926
#ifndef NMT_BASE_CRC32_H_
#define NMT_BASE_CRC32_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace nmt {

uint32_t Crc32(absl::string_view bytes);

}  // namespace nmt

#endif  // NMT_BASE_CRC32_H_
