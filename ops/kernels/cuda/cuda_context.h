// CudaContext: everything the CUDA kernels share, owned by the program (one per GPU and
// thread, like CpuContext).
//
//   if (CudaContext::DeviceCount() == 0) ...         // no GPU: use the CPU backend
//   CudaContext context(/*device=*/0);
//   Tape tape(context);
//
// It holds one CUDA stream, one cuBLAS handle bound to it, and the device memory its
// tensors live in (CudaMemory). Every kernel, copy and fill of the context goes onto
// that one stream, so they run in issue order without host synchronisation; the host
// waits only where it reads values (a copy to the host, Synchronize()).
//
// Memory: intermediates come from DeviceContext::pool(), the BufferPool of
// autograd/tensor.h over CudaMemory: requests are rounded to size classes (1/8 of a
// power of two) and freed buffers are cached for reuse, so after the first steps a
// training loop calls no CUDA allocator at all. Under the pool, CudaMemory allocates
// with cudaMallocAsync on the context's stream (CUDA's own stream-ordered pool), so
// even a cache miss or a trim does not synchronise the device. A buffer handed back
// to the cache while kernels that use it are still queued is safe: every later user
// is on the same stream, after them.
//
// Device-side errors: kernels that index by ids, targets or rows cannot abort on a bad
// value without killing the CUDA context, so they skip the element (writing NaN where
// they produce one) and set a bit in a device word (launch.h, DeviceError). Every wait
// of the host reads the word and aborts naming the kernel: Synchronize() and every copy
// to the host (a loss read back, ToHost), so a bad id never passes silently.
#ifndef NMT_OPS_KERNELS_CUDA_CUDA_CONTEXT_H_
#define NMT_OPS_KERNELS_CUDA_CUDA_CONTEXT_H_

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <memory>

#include "absl/status/statusor.h"
#include "autograd/tape.h"
#include "autograd/tensor.h"

namespace nmt {

// One GPU's memory, ordered on one stream (owned here, so that it outlives every tensor).
class CudaMemory : public DeviceMemory {
 public:
  // Makes the stream on `device` (the current device afterwards).
  explicit CudaMemory(int device);
  ~CudaMemory() override;

  int ordinal() const { return ordinal_; }
  cudaStream_t stream() const { return stream_; }
  // The device word of DeviceError bits (launch.h) that kernels set.
  unsigned int* error_flags() const { return error_flags_; }

  void* Allocate(int64_t bytes) override;
  void Free(void* data) override;
  void Copy(void* dst, Device dst_device, const void* src, Device src_device, int64_t bytes) override;
  void Fill32(void* dst, uint32_t bits, int64_t count) override;
  void Zero(void* dst, int64_t bytes) override;
  // Waits for the stream, then aborts if a kernel reported a bad id, target or row.
  void Synchronize() override;

 private:
  // After the stream has drained: aborts on a DeviceError bit.
  void CheckDeviceErrors();

  int ordinal_;
  cudaStream_t stream_ = nullptr;
  unsigned int* error_flags_ = nullptr;
};

class CudaContext : public DeviceContext {
 public:
  // Aborts, naming the failed call, when `device` cannot be used: check DeviceCount().
  explicit CudaContext(int device = 0);
  ~CudaContext() override;

  // CUDA devices this process can use; 0 when there are none or the runtime cannot run
  // (no driver): never aborts, so that callers and tests can skip.
  static int DeviceCount();
  // A context on `device`, or FailedPrecondition naming what is missing (no driver, no
  // device, an ordinal beyond the devices) instead of aborting: for --device flags.
  static absl::StatusOr<std::unique_ptr<CudaContext>> Create(int device = 0);

  int ordinal() const { return memory_->ordinal(); }
  cudaStream_t stream() const { return memory_->stream(); }
  cublasHandle_t cublas() const { return cublas_; }
  unsigned int* error_flags() const { return memory_->error_flags(); }

 private:
  explicit CudaContext(std::shared_ptr<CudaMemory> memory);

  std::shared_ptr<CudaMemory> memory_;
  cublasHandle_t cublas_ = nullptr;
};

// The CUDA context behind `context`; fails naming `op` for another device.
CudaContext& AsCuda(DeviceContext& context, const char* op);

}  // namespace nmt

#endif  // NMT_OPS_KERNELS_CUDA_CUDA_CONTEXT_H_
