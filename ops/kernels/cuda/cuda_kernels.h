// The kernel table's CUDA instance (ops/kernels/kernels.h): cuBLAS for the products,
// the kernels of launch.h for the rest. Every entry enqueues on the context's stream
// and returns without waiting for the device.
//
//   CudaContext context(0);
//   const Kernels& k = CudaKernels();
//   k.gemm(context, args);               // args' pointers are device memory
#ifndef NMT_OPS_KERNELS_CUDA_CUDA_KERNELS_H_
#define NMT_OPS_KERNELS_CUDA_CUDA_KERNELS_H_

#include "ops/kernels/kernels.h"

namespace nmt {

const Kernels& CudaKernels();

}  // namespace nmt

#endif  // NMT_OPS_KERNELS_CUDA_CUDA_KERNELS_H_
