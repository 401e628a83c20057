#include "ops/kernels/cuda/cuda_context.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/check.h"
#include "ops/kernels/cuda/cuda_check.h"
#include "ops/kernels/cuda/launch.h"

namespace nmt {
namespace cuda {

std::string CudaErrorText(cudaError_t status) {
  return absl::StrCat(cudaGetErrorName(status), " (", cudaGetErrorString(status), ")");
}

std::string CublasErrorText(cublasStatus_t status) {
  return absl::StrCat(cublasGetStatusName(status), " (", cublasGetStatusString(status), ")");
}

}  // namespace cuda

namespace {

cudaMemcpyKind CopyKind(Device dst, Device src) {
  if (dst == Device::kCPU) return src == Device::kCPU ? cudaMemcpyHostToHost : cudaMemcpyDeviceToHost;
  return src == Device::kCPU ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToDevice;
}

}  // namespace

CudaMemory::CudaMemory(int device) : DeviceMemory(Device::kCUDA), ordinal_(device) {
  NMT_CUDA_CHECK(cudaSetDevice(device)) << "CUDA device " << device;
  NMT_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  NMT_CUDA_CHECK(cudaMalloc(&error_flags_, sizeof(unsigned int)));
  NMT_CUDA_CHECK(cudaMemsetAsync(error_flags_, 0, sizeof(unsigned int), stream_));
}

CudaMemory::~CudaMemory() {
  // Outstanding work may still use memory that is about to be freed with the stream.
  NMT_CUDA_CHECK(cudaStreamSynchronize(stream_));
  NMT_CUDA_CHECK(cudaFree(error_flags_));
  NMT_CUDA_CHECK(cudaStreamDestroy(stream_));
}

void* CudaMemory::Allocate(int64_t bytes) {
  void* data = nullptr;
  NMT_CUDA_CHECK(cudaMallocAsync(&data, static_cast<size_t>(bytes), stream_)) << bytes << " bytes";
  return data;
}

void CudaMemory::Free(void* data) { NMT_CUDA_CHECK(cudaFreeAsync(data, stream_)); }

void CudaMemory::Copy(void* dst, Device dst_device, const void* src, Device src_device, int64_t bytes) {
  if (bytes == 0) return;
  const cudaMemcpyKind kind = CopyKind(dst_device, src_device);
  if (kind == cudaMemcpyHostToHost) {
    std::memcpy(dst, src, static_cast<size_t>(bytes));
    return;
  }
  // From pageable host memory, cudaMemcpyAsync returns once it has staged the source
  // (DeviceMemory's contract: the source may be reused); to the host, the caller reads
  // the values next, so wait for them.
  NMT_CUDA_CHECK(cudaMemcpyAsync(dst, src, static_cast<size_t>(bytes), kind, stream_)) << bytes << " bytes";
  if (kind == cudaMemcpyDeviceToHost) {
    NMT_CUDA_CHECK(cudaStreamSynchronize(stream_));
    CheckDeviceErrors();
  }
}

void CudaMemory::Fill32(void* dst, uint32_t bits, int64_t count) {
  if (count == 0) return;
  cuda::Fill32(stream_, count, bits, static_cast<uint32_t*>(dst));
}

void CudaMemory::Zero(void* dst, int64_t bytes) {
  if (bytes == 0) return;
  NMT_CUDA_CHECK(cudaMemsetAsync(dst, 0, static_cast<size_t>(bytes), stream_));
}

void CudaMemory::Synchronize() {
  NMT_CUDA_CHECK(cudaStreamSynchronize(stream_));
  CheckDeviceErrors();
}

void CudaMemory::CheckDeviceErrors() {
  unsigned int flags = 0;  // a pageable copy on a drained stream: returns with the value
  NMT_CUDA_CHECK(cudaMemcpyAsync(&flags, error_flags_, sizeof(flags), cudaMemcpyDeviceToHost, stream_));
  NMT_CUDA_CHECK(cudaStreamSynchronize(stream_));
  NMT_CHECK(flags == 0) << ((flags & cuda::kEmbeddingIdOutOfRange) ? "EmbeddingLookup: an id outside the table; " : "")
                        << ((flags & cuda::kXentTargetOutOfRange)
                                ? "SoftmaxCrossEntropy: a target outside the classes; "
                                : "")
                        << ((flags & cuda::kGatherRowOutOfRange) ? "GatherRows: a row outside x; " : "")
                        << "reported by a CUDA kernel at this synchronisation";
}

CudaContext::CudaContext(int device) : CudaContext(std::make_shared<CudaMemory>(device)) {}

CudaContext::CudaContext(std::shared_ptr<CudaMemory> memory) : DeviceContext(memory), memory_(std::move(memory)) {
  NMT_CUBLAS_CHECK(cublasCreate(&cublas_));
  NMT_CUBLAS_CHECK(cublasSetStream(cublas_, memory_->stream()));
  // Full f32 products (no TF32), so that results match the CPU backend's within f32
  // rounding; a reduced-precision mode is a decision for the dtype work to come.
  NMT_CUBLAS_CHECK(cublasSetMathMode(cublas_, CUBLAS_DEFAULT_MATH));
}

CudaContext::~CudaContext() { NMT_CUBLAS_CHECK(cublasDestroy(cublas_)); }

int CudaContext::DeviceCount() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error for later calls
    return 0;
  }
  return count;
}

absl::StatusOr<std::unique_ptr<CudaContext>> CudaContext::Create(int device) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    return absl::FailedPreconditionError(
        absl::StrCat("device = cuda: no usable CUDA device (cudaGetDeviceCount: ", cuda::CudaErrorText(status), ")"));
  }
  if (device < 0 || device >= count) {
    return absl::FailedPreconditionError(
        absl::StrCat("device = cuda: CUDA device ", device, " requested, ", count, " visible"));
  }
  return std::make_unique<CudaContext>(device);
}

CudaContext& AsCuda(DeviceContext& context, const char* op) {
  NMT_CHECK(context.device() == Device::kCUDA)
      << op << ": CUDA kernel called with a " << DeviceName(context.device()) << " context";
  return static_cast<CudaContext&>(context);
}

}  // namespace nmt
