// The CPU instance of the kernel table (ops/kernels/kernels.h): oneDNN primitives for
// forward passes, OpenMP loops for the accumulating backward passes.
#ifndef NMT_OPS_KERNELS_CPU_CPU_KERNELS_H_
#define NMT_OPS_KERNELS_CPU_CPU_KERNELS_H_

#include "ops/kernels/kernels.h"

namespace nmt {

const Kernels& CpuKernels();

}  // namespace nmt

#endif  // NMT_OPS_KERNELS_CPU_CPU_KERNELS_H_
