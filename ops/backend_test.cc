#include "ops/backend.h"

#include "gtest/gtest.h"

namespace nmt {
namespace {

// Every entry of a backend's table must be filled: a null pointer would only be
// found when a model first calls it.
TEST(Kernels, EveryCompiledTableIsComplete) {
  for (Device device : CompiledBackends()) {
    const Kernels& k = KernelsFor(device);
    const void* const* entries = reinterpret_cast<const void* const*>(&k);
    const size_t count = sizeof(Kernels) / sizeof(void*);
    ASSERT_EQ(sizeof(Kernels) % sizeof(void*), 0u);
    for (size_t i = 0; i < count; ++i) EXPECT_NE(entries[i], nullptr) << DeviceName(device) << " entry " << i;
  }
}

TEST(Backends, TheCpuIsAlwaysCompiledInAndFirst) {
  ASSERT_FALSE(CompiledBackends().empty());
  EXPECT_EQ(CompiledBackends().front(), Device::kCPU);
  EXPECT_TRUE(HasBackend(Device::kCPU));
}

TEST(Backends, ParseDeviceNamesTheAllowedValues) {
  EXPECT_EQ(*ParseDevice("cpu"), Device::kCPU);
  EXPECT_EQ(*ParseDevice("cuda"), Device::kCUDA);
  const absl::StatusOr<Device> bad = ParseDevice("tpu");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_EQ(bad.status().message(), "device = \"tpu\": must be cpu or cuda");
}

TEST(Backends, CreateDeviceContextMakesACpuContext) {
  absl::StatusOr<std::unique_ptr<DeviceContext>> context = CreateDeviceContext(Device::kCPU, 1);
  ASSERT_TRUE(context.ok()) << context.status();
  EXPECT_EQ((*context)->device(), Device::kCPU);
  EXPECT_EQ((*context)->Allocate({2, 3}).device(), Device::kCPU);
}

TEST(Backends, CudaWithoutItsBackendIsAnErrorNotACrash) {
  if (HasBackend(Device::kCUDA)) GTEST_SKIP() << "this build has the CUDA backend";
  const absl::StatusOr<std::unique_ptr<DeviceContext>> context = CreateDeviceContext(Device::kCUDA, 1);
  ASSERT_FALSE(context.ok());
  EXPECT_TRUE(absl::IsUnimplemented(context.status()));
  EXPECT_EQ(context.status().message(), "device = cuda: this build has no CUDA backend");
  EXPECT_DEATH(KernelsFor(Device::kCUDA), "no kernels for device cuda");
}

}  // namespace
}  // namespace nmt
