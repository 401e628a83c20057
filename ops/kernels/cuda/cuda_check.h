// NMT_CUDA_CHECK and NMT_CUBLAS_CHECK: every CUDA runtime and cuBLAS status is checked,
// and a failure aborts with the call's own text and the library's error name and message.
//
//   NMT_CUDA_CHECK(cudaMallocAsync(&p, bytes, stream)) << bytes << " bytes";
//   NMT_CUBLAS_CHECK(cublasSgemm(...)) << "Gemm " << m << "x" << n << "x" << k;
//
// prints "cuda_context.cc:42: check failed: cudaMallocAsync(&p, bytes, stream):
// cudaErrorMemoryAllocation (out of memory): 1048576 bytes" and aborts (base/check.h).
// Failures here are programmer or machine errors (no device, out of memory, a bad launch),
// never something a user's input can cause, so they abort rather than return a Status.
#ifndef NMT_OPS_KERNELS_CUDA_CUDA_CHECK_H_
#define NMT_OPS_KERNELS_CUDA_CUDA_CHECK_H_

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <string>

#include "base/check.h"

namespace nmt::cuda {

// "cudaErrorMemoryAllocation (out of memory)".
std::string CudaErrorText(cudaError_t status);
// "CUBLAS_STATUS_INVALID_VALUE (an invalid numeric value was used as an argument)".
std::string CublasErrorText(cublasStatus_t status);

}  // namespace nmt::cuda

// A for statement so that the macro takes `<< message` and stays one statement under an
// unbraced if/else; CheckFailure's destructor does not return, so it never loops.
#define NMT_CUDA_CHECK(call)                                                                     \
  for (const cudaError_t nmt_cuda_status = (call); nmt_cuda_status != cudaSuccess;)              \
  ::nmt::internal::Voidify() & ::nmt::internal::CheckFailure(__FILE__, __LINE__, #call).stream() \
                                   << ::nmt::cuda::CudaErrorText(nmt_cuda_status) << ": "

#define NMT_CUBLAS_CHECK(call)                                                                       \
  for (const cublasStatus_t nmt_cublas_status = (call); nmt_cublas_status != CUBLAS_STATUS_SUCCESS;) \
  ::nmt::internal::Voidify() & ::nmt::internal::CheckFailure(__FILE__, __LINE__, #call).stream()     \
                                   << ::nmt::cuda::CublasErrorText(nmt_cublas_status) << ": "

#endif  // NMT_OPS_KERNELS_CUDA_CUDA_CHECK_H_
