#include "ops/backend.h"

#include "base/check.h"
#include "ops/kernels/cpu/cpu_kernels.h"

namespace nmt {

const Kernels& KernelsFor(Device device) {
  switch (device) {
    case Device::kCPU:
      return CpuKernels();
    case Device::kCUDA:
      break;
  }
  NMT_CHECK(false) << "no kernels for device " << DeviceName(device) << " in this build";
  return CpuKernels();
}

}  // namespace nmt
