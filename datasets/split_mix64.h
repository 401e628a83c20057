// SplitMix64 (Steele, Lea & Flood 2014): the fixed pseudo-random generator behind every
// shuffle in datasets/.
//
//   SplitMix64 rng(seed);
//   uint64_t x = rng.Next();
//   uint64_t k = rng.Uniform(10);            // unbiased, in [0, 10)
//   ShuffleInPlace(order, rng);              // Fisher-Yates
//
// Why not <random> or absl/random: std::shuffle and std::uniform_int_distribution are
// implementation-defined, and Abseil documents that its distributions' sequences may change
// between releases. A data order that must be reproducible across machines, compilers and
// library upgrades (and restorable from a checkpoint) needs a generator whose every output is
// fixed by its definition; SplitMix64 is that in a few lines and passes BigCrush.
#ifndef NMT_DATASETS_SPLIT_MIX64_H_
#define NMT_DATASETS_SPLIT_MIX64_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace nmt::datasets {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound), bound > 0. Rejects the 2^64 mod bound lowest outputs so that
  // every residue is equally likely (a plain modulo would favour small values).
  uint64_t Uniform(uint64_t bound) {
    const uint64_t threshold = (0 - bound) % bound;
    while (true) {
      const uint64_t r = Next();
      if (r >= threshold) return r % bound;
    }
  }

 private:
  uint64_t state_;
};

// Fisher-Yates from the back: element i swaps with a uniform j in [0, i].
template <typename T>
void ShuffleInPlace(std::vector<T>& items, SplitMix64& rng) {
  for (size_t i = items.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng.Uniform(i));
    std::swap(items[i - 1], items[j]);
  }
}

}  // namespace nmt::datasets

#endif  // NMT_DATASETS_SPLIT_MIX64_H_
