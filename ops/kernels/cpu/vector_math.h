// exp(x) for loops the compiler vectorises: glibc's expf is a call the vectoriser
// cannot widen (its vector variants need -ffast-math), and the loss gradient takes
// exp of every log-probability, 15 million a `small` training step. Cephes' expf:
// x = n ln 2 + r with |r| ≤ ln 2 / 2, e^r by a degree-7 polynomial, 2^n from the
// exponent bits. Within 1.4 ulp of exp over [−87, 88] (vector_math_test); 0 below,
// +inf above, NaN kept. Vectorises only where the file is built with
// -fno-trapping-math (the compiler may then turn its selects into blends) and the loop
// says `#pragma omp simd`.
#ifndef NMT_OPS_KERNELS_CPU_VECTOR_MATH_H_
#define NMT_OPS_KERNELS_CPU_VECTOR_MATH_H_

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace nmt::cpu {

inline float VectorExp(float x) {
  float clamped = x < -87.0f ? -87.0f : x;
  clamped = clamped > 88.0f ? 88.0f : clamped;
  const float n = std::floor(clamped * 1.44269504088896341f + 0.5f);  // round(x / ln 2)
  // r = x − n ln 2, with ln 2 split in two so that n · 0.693359375 is exact.
  const float r = clamped - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  const float two_to_n = std::bit_cast<float>((static_cast<int32_t>(n) + 127) << 23);
  float y = p * two_to_n;
  y = x < -87.0f ? 0.0f : y;
  y = x > 88.0f ? std::numeric_limits<float>::infinity() : y;
  return x != x ? x : y;
}

}  // namespace nmt::cpu

#endif  // NMT_OPS_KERNELS_CPU_VECTOR_MATH_H_
