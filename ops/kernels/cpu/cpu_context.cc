#include "ops/kernels/cpu/cpu_context.h"

#include <omp.h>

#include "base/check.h"

namespace nmt {

CpuContext::CpuContext(int threads)
    : DeviceContext(HostMemory()),
      threads_(threads > 0 ? threads : omp_get_max_threads()),
      engine_(dnnl::engine::kind::cpu, 0),
      stream_(engine_) {
  // oneDNN (Debian's build uses OpenMP) and our own loops share this setting.
  omp_set_num_threads(threads_);
}

CpuContext& AsCpu(DeviceContext& context, const char* op) {
  NMT_CHECK(context.device() == Device::kCPU)
      << op << ": CPU kernel called with a " << DeviceName(context.device()) << " context";
  return static_cast<CpuContext&>(context);
}

}  // namespace nmt
