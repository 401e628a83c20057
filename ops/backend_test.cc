#include "ops/backend.h"

#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "ops/kernels/cpu/cpu_context.h"
#include "ops/kernels/cuda/cuda_context.h"

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

// auto resolves to bf16 exactly where CpuContext::Bf16IsFaster says so, and bf16 itself is
// accepted only where oneDNN has native bf16 products; anything else is refused.
TEST(Backends, ParseMatmulPrecisionResolvesAutoFromTheCpu) {
  EXPECT_EQ(ParseMatmulPrecision("f32", Device::kCPU).value(), MatmulPrecision::kF32);
  EXPECT_EQ(ParseMatmulPrecision("", Device::kCPU).value(), MatmulPrecision::kF32);
  EXPECT_EQ(ParseMatmulPrecision("auto", Device::kCPU).value(),
            CpuContext::Bf16IsFaster() ? MatmulPrecision::kBF16 : MatmulPrecision::kF32);
  EXPECT_EQ(ParseMatmulPrecision("bf16", Device::kCPU).ok(), CpuContext::SupportsBf16());
  if (CpuContext::Bf16IsFaster()) EXPECT_TRUE(CpuContext::SupportsBf16());
  EXPECT_EQ(ParseMatmulPrecision("auto", Device::kCUDA).value(), MatmulPrecision::kF32);
  EXPECT_FALSE(ParseMatmulPrecision("bf16", Device::kCUDA).ok());
  const absl::Status bad = ParseMatmulPrecision("fp16", Device::kCPU).status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(bad.message(), "expected f32, bf16 or auto")) << bad;
}

TEST(Backends, CreateDeviceContextMakesACpuContext) {
  absl::StatusOr<std::unique_ptr<DeviceContext>> context = CreateDeviceContext(Device::kCPU, 1);
  ASSERT_TRUE(context.ok()) << context.status();
  EXPECT_EQ((*context)->device(), Device::kCPU);
  EXPECT_EQ((*context)->Allocate({2, 3}).device(), Device::kCPU);
}

TEST(Backends, TheCudaBackendIsCompiledIn) {
  EXPECT_TRUE(HasBackend(Device::kCUDA));
  EXPECT_EQ(CompiledBackends(), (std::vector<Device>{Device::kCPU, Device::kCUDA}));
}

// Checked on every machine: without a GPU the factory refuses with a status (what
// --device=cuda reports), with one it makes a CUDA context.
TEST(Backends, CreateDeviceContextForCudaNeedsADevice) {
  const absl::StatusOr<std::unique_ptr<DeviceContext>> context = CreateDeviceContext(Device::kCUDA, 1);
  if (CudaContext::DeviceCount() == 0) {
    ASSERT_FALSE(context.ok());
    EXPECT_TRUE(absl::IsFailedPrecondition(context.status())) << context.status();
    EXPECT_TRUE(absl::StartsWith(context.status().message(), "device = cuda: ")) << context.status();
  } else {
    ASSERT_TRUE(context.ok()) << context.status();
    EXPECT_EQ((*context)->device(), Device::kCUDA);
    EXPECT_EQ((*context)->Allocate({2, 3}).device(), Device::kCUDA);
  }
}

}  // namespace
}  // namespace nmt
