// FNV-1a, 64-bit (Fowler, Noll & Vo): the project's one stable hash, for numbers that must
// not change between runs, builds or library versions: the Bible corpus's train/dev/test
// buckets, the batcher's data fingerprint stored in checkpoints, checkpoint digests.
// absl::Hash is no use for these: it is salted per process.
//
//   uint64_t h = Fnv1a64("Genesis 1:1");     // bytes from the offset basis
//   h = Fnv1a64(more_bytes, h);              // continues the same hash over more bytes
//   h = Fnv1a64Word(h, 42);                  // one step with a whole 64-bit value
#ifndef NMT_BASE_FNV1A_H_
#define NMT_BASE_FNV1A_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace nmt {

inline constexpr uint64_t kFnv1a64OffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kFnv1a64Prime = 0x100000001b3ULL;

// FNV-1a of `bytes`, starting from `hash` (the offset basis for a fresh hash).
constexpr uint64_t Fnv1a64(absl::string_view bytes, uint64_t hash = kFnv1a64OffsetBasis) {
  for (const char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * kFnv1a64Prime;
  return hash;
}

// One FNV-1a step that xors a whole 64-bit value instead of one byte. Cheaper than hashing
// a number's bytes, but not byte-wise FNV-1a: only for fingerprints of this program's own.
constexpr uint64_t Fnv1a64Word(uint64_t hash, uint64_t word) { return (hash ^ word) * kFnv1a64Prime; }

}  // namespace nmt

#endif  // NMT_BASE_FNV1A_H_
