#include "ops/backend.h"

#include "gtest/gtest.h"

namespace nmt {
namespace {

// Every entry of a backend's table must be filled: a null pointer would only be
// found when a model first calls it. The CUDA table joins this check when the
// CUDA backend lands.
TEST(Kernels, CpuTableIsComplete) {
  const Kernels& k = KernelsFor(Device::kCPU);
  const void* const* entries = reinterpret_cast<const void* const*>(&k);
  const size_t count = sizeof(Kernels) / sizeof(void*);
  ASSERT_EQ(sizeof(Kernels) % sizeof(void*), 0u);
  for (size_t i = 0; i < count; ++i) EXPECT_NE(entries[i], nullptr) << "entry " << i;
}

TEST(Kernels, CudaIsNotInThisBuild) { EXPECT_DEATH(KernelsFor(Device::kCUDA), "no kernels for device cuda"); }

}  // namespace
}  // namespace nmt
