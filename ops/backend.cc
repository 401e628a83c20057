#include "ops/backend.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/check.h"
#include "ops/kernels/cpu/cpu_context.h"
#include "ops/kernels/cpu/cpu_kernels.h"
#include "ops/kernels/cuda/cuda_context.h"
#include "ops/kernels/cuda/cuda_kernels.h"

namespace nmt {

const Kernels& KernelsFor(Device device) {
  switch (device) {
    case Device::kCPU:
      return CpuKernels();
    case Device::kCUDA:
      return CudaKernels();
  }
  NMT_CHECK(false) << "no kernels for device " << DeviceName(device) << " in this build";
  return CpuKernels();
}

absl::StatusOr<MatmulPrecision> ParseMatmulPrecision(absl::string_view name, Device device) {
  if (name.empty() || name == "f32") return MatmulPrecision::kF32;
  if (name != "auto" && name != "bf16") {
    return absl::InvalidArgumentError(absl::StrCat("precision \"", name, "\": expected f32, bf16 or auto"));
  }
  if (device != Device::kCPU) {  // the CUDA GEMM has no bf16 path yet (ops/kernels/cuda/README.md)
    if (name == "auto") return MatmulPrecision::kF32;
    return absl::InvalidArgumentError(
        absl::StrCat("precision bf16: not implemented on ", DeviceName(device), " yet (use f32)"));
  }
  // auto: bf16 only where it was measured faster (CpuContext::Bf16IsFaster).
  if (name == "auto") return CpuContext::Bf16IsFaster() ? MatmulPrecision::kBF16 : MatmulPrecision::kF32;
  if (CpuContext::SupportsBf16()) return MatmulPrecision::kBF16;
  return absl::InvalidArgumentError(
      "precision bf16: this CPU has neither AVX512-BF16 nor AMX, so oneDNN has no native bf16 products here "
      "(use f32, or auto to pick bf16 only where it is faster)");
}

bool HasBackend(Device device) {
  switch (device) {
    case Device::kCPU:
      return true;
    case Device::kCUDA:
      return true;  // compiled in everywhere; its device may still be absent
  }
  return false;
}

std::vector<Device> CompiledBackends() {
  std::vector<Device> devices;
  for (Device device : {Device::kCPU, Device::kCUDA}) {
    if (HasBackend(device)) devices.push_back(device);
  }
  return devices;
}

absl::StatusOr<Device> ParseDevice(absl::string_view name) {
  if (name == "cpu") return Device::kCPU;
  if (name == "cuda") return Device::kCUDA;
  return absl::InvalidArgumentError(absl::StrCat("device = \"", name, "\": must be cpu or cuda"));
}

absl::StatusOr<std::unique_ptr<DeviceContext>> CreateDeviceContext(Device device, int threads) {
  switch (device) {
    case Device::kCPU:
      return std::make_unique<CpuContext>(threads);
    case Device::kCUDA: {
      // Device 0 of those CUDA_VISIBLE_DEVICES leaves visible; FailedPrecondition without one.
      absl::StatusOr<std::unique_ptr<CudaContext>> cuda = CudaContext::Create(0);
      if (!cuda.ok()) return cuda.status();
      return std::unique_ptr<DeviceContext>(*std::move(cuda));
    }
  }
  return absl::UnimplementedError(absl::StrCat("device = ", DeviceName(device), ": this build has no ",
                                               absl::AsciiStrToUpper(DeviceName(device)), " backend"));
}

}  // namespace nmt
