// SplitMix64 (Steele, Lea & Flood 2014): the project's one pseudo-random generator, behind
// every shuffle of datasets/ and every dropout mask of the CPU kernels.
//
//   SplitMix64 rng(seed);
//   uint64_t x = rng.Next();
//   uint64_t k = rng.Uniform(10);            // unbiased, in [0, 10)
//   ShuffleInPlace(order, rng);              // Fisher-Yates
//   uint64_t z = SplitMix64At(seed, i);      // output i of SplitMix64(seed), without the first i
//
// Why not <random> or absl/random: std::shuffle and std::uniform_int_distribution are
// implementation-defined, and Abseil documents that its distributions' sequences may change
// between releases. A data order that must be reproducible across machines, compilers and
// library upgrades (and restorable from a checkpoint) needs a generator whose every output is
// fixed by its definition; SplitMix64 is that in a few lines and passes BigCrush.
// Its state advances by a constant, so output i can be computed directly (SplitMix64At):
// a kernel that fills element i with it gets the same numbers on any thread count.
#ifndef NMT_BASE_RANDOM_H_
#define NMT_BASE_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace nmt {

// The increment of SplitMix64's state (2^64 over the golden ratio, odd).
inline constexpr uint64_t kSplitMix64Gamma = 0x9e3779b97f4a7c15ULL;

// SplitMix64's output function: a bijective mix of one state value.
constexpr uint64_t SplitMix64Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Output i (counting from 0) of SplitMix64(seed): the value of its (i + 1)-th Next().
constexpr uint64_t SplitMix64At(uint64_t seed, uint64_t i) { return SplitMix64Mix(seed + kSplitMix64Gamma * (i + 1)); }

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() { return SplitMix64Mix(state_ += kSplitMix64Gamma); }

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

}  // namespace nmt

#endif  // NMT_BASE_RANDOM_H_
