// Tensor: a dense, row-major array with a shape, a dtype and a device.
//
//   Tensor x = Tensor::Zeros({2, 3});
//   x.data()[4] = 1.0f;                 // row 1, column 1
//   Tensor y = x.Reshaped({3, 2});      // shares storage with x
//
// Storage is reference counted; copies of a Tensor are views of the same memory.
// Memory comes from a device's DeviceMemory (the host's is HostMemory()), directly or
// through a BufferPool when a kernel allocates an intermediate, so that training steps
// of equal shapes reuse the same buffers. f32 is computed on, i32 holds token ids and
// targets; bf16/f16 are carried for the reduced-precision backends to come.
//
// Host and device memory: data() is the storage's own pointer, a device pointer on a
// CUDA tensor. Reading or writing elements on the host (ToVector, item, a loop over
// data()) needs a host tensor; ToHost() and DeviceContext::ToDevice (autograd/tape.h)
// are the explicit copies between the two. Fill, SetZero, CopyFrom and Clone work on
// any device, through the storage's DeviceMemory.
#ifndef NMT_AUTOGRAD_TENSOR_H_
#define NMT_AUTOGRAD_TENSOR_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace nmt {

// kI32: token ids, targets and row indices for the kernels (ops/kernels/kernels.h).
enum class DType : uint8_t { kF32, kBF16, kF16, kI32 };
enum class Device : uint8_t { kCPU, kCUDA };

const char* DTypeName(DType dtype);
const char* DeviceName(Device device);
int64_t DTypeSize(DType dtype);

using Shape = absl::InlinedVector<int64_t, 4>;

// Number of elements of a shape (1 for rank 0).
int64_t NumElements(const Shape& shape);
// "[2, 3]".
std::string ShapeString(const Shape& shape);

class BufferPool;

// How one device's memory is allocated, filled and copied: the part of a backend that
// tensors need. The host's is HostMemory(); a device backend (ops/kernels/<device>/)
// derives its own and hands it to its DeviceContext. Every pointer argument is either
// memory of this device or host memory, as the Device arguments say. Shared (by
// shared_ptr) with every Storage it allocated, so it outlives its last tensor.
//
// Ordering: copies, fills and kernels of one device are executed in the order they are
// issued. A copy to the host has completed when Copy returns; a copy from the host has
// finished reading its source when Copy returns (the source may then be reused). Fills
// and device-to-device copies may still be in flight; Synchronize() waits for them.
class DeviceMemory {
 public:
  explicit DeviceMemory(Device device) : device_(device) {}
  virtual ~DeviceMemory();
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;

  Device device() const { return device_; }

  // `bytes` (> 0) of uninitialised memory, 64-byte aligned. Aborts when out of memory.
  virtual void* Allocate(int64_t bytes) = 0;
  virtual void Free(void* data) = 0;
  // Copies `bytes` from src to dst; each device is this memory's or kCPU.
  virtual void Copy(void* dst, Device dst_device, const void* src, Device src_device, int64_t bytes) = 0;
  // Writes `count` copies of the 32-bit pattern `bits` (an f32 or i32 value) at dst.
  virtual void Fill32(void* dst, uint32_t bits, int64_t count) = 0;
  // Sets `bytes` bytes at dst to zero.
  virtual void Zero(void* dst, int64_t bytes) = 0;
  // Waits until everything issued to this device has completed.
  virtual void Synchronize() = 0;

 private:
  Device device_;
};

// The host's memory: aligned_alloc, memcpy, loops. One for the process.
const std::shared_ptr<DeviceMemory>& HostMemory();

// A block of device memory. Returned to its pool (if any) when the last Tensor lets go,
// else to its DeviceMemory. Memory that someone else owns (an arena) is borrowed with
// `Storage::Borrowed`.
class Storage {
 public:
  Storage(void* data, int64_t bytes, std::shared_ptr<DeviceMemory> memory, std::shared_ptr<BufferPool> pool);
  static std::shared_ptr<Storage> Borrowed(void* data, int64_t bytes, std::shared_ptr<DeviceMemory> memory);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  int64_t bytes() const { return bytes_; }
  Device device() const { return memory_->device(); }
  DeviceMemory& memory() const { return *memory_; }
  const std::shared_ptr<DeviceMemory>& shared_memory() const { return memory_; }

 private:
  void* data_;
  int64_t bytes_;
  std::shared_ptr<DeviceMemory> memory_;
  std::shared_ptr<BufferPool> pool_;  // null: memory_'s own, freed here unless borrowed
  bool borrowed_ = false;
};

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false

  // Uninitialised CPU memory from the heap.
  static Tensor Empty(const Shape& shape, DType dtype = DType::kF32);
  // Uninitialised memory of `memory`'s device (not pooled).
  static Tensor EmptyOn(const std::shared_ptr<DeviceMemory>& memory, const Shape& shape, DType dtype = DType::kF32);
  // Host tensors.
  static Tensor Zeros(const Shape& shape);
  static Tensor Full(const Shape& shape, float value);
  // Copies `values`, whose size must equal NumElements(shape).
  static Tensor FromVector(const Shape& shape, absl::Span<const float> values);
  static Tensor Scalar(float value) { return FromVector({}, {value}); }
  // A host i32 tensor of `ids` (token ids, targets, row indices).
  static Tensor FromInt32s(const Shape& shape, absl::Span<const int32_t> ids);
  // Wraps pooled (or other) storage; used by allocators.
  static Tensor Wrap(std::shared_ptr<Storage> storage, const Shape& shape, DType dtype);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  // Size of dimension i; negative i counts from the end.
  int64_t dim(int i) const;
  int64_t size() const { return NumElements(shape_); }
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  std::string ShapeString() const { return nmt::ShapeString(shape_); }
  // The memory the storage came from (HostMemory() for a host tensor).
  const std::shared_ptr<DeviceMemory>& memory() const;

  // The f32 elements. data() and values() check that the tensor is defined and f32, not
  // its device: they return the storage's own pointer, which on a CUDA tensor is a device
  // pointer for device kernels. ToVector() and item() read the elements on the host, so
  // they also check that the tensor is on the CPU.
  float* data();
  const float* data() const;
  absl::Span<float> values() { return {data(), static_cast<size_t>(size())}; }
  absl::Span<const float> values() const { return {data(), static_cast<size_t>(size())}; }
  std::vector<float> ToVector() const;
  // The single value of a tensor with one element.
  float item() const;
  // The i32 elements (same rules as data()), and their host copy.
  int32_t* int32_data();
  const int32_t* int32_data() const;
  std::vector<int32_t> ToInt32Vector() const;

  // The values on the host: this tensor itself when it is already there (as PyTorch's
  // .cpu() returns self), else a fresh host copy. Meant for reading.
  Tensor ToHost() const;

  // A view with another shape of the same number of elements.
  Tensor Reshaped(const Shape& shape) const;
  // A deep copy in fresh (unpooled) memory of the same device.
  Tensor Clone() const;
  // Sets every f32 element to `value`, on any device.
  void Fill(float value);
  // Sets every byte to zero (0.0f, or 0 for i32), on any device.
  void SetZero();
  // Copies the elements of `source` (same dtype and number of elements) into this
  // tensor: host↔device or within one device.
  void CopyFrom(const Tensor& source);
  // True if both are views of the same storage.
  bool SharesStorageWith(const Tensor& other) const { return storage_ == other.storage_; }

 private:
  std::shared_ptr<Storage> storage_;
  Shape shape_;
  DType dtype_ = DType::kF32;
  Device device_ = Device::kCPU;
};

// Recycles freed buffers. Requests are rounded up to size classes (steps of 1/8
// of a power of two, so at most 12.5% is wasted) and served from the smallest free
// buffer of at least that class and at most kMaxReuseFactor times it, so that
// batches of varying lengths reuse each other's buffers: after the first steps a
// training loop asks the system for almost nothing. (With exact classes only, the
// cache held one set of buffers per batch length, outgrew its cap on the default run,
// and every step faulted in about 70 MB of fresh pages.) At most `max_cached_bytes`
// of free buffers are kept; beyond that a freed buffer goes back to the system.
// Thread-safe.
class BufferPool : public std::enable_shared_from_this<BufferPool> {
 public:
  static constexpr int64_t kDefaultMaxCachedBytes = int64_t{2} << 30;
  static constexpr int64_t kMaxReuseFactor = 2;
  explicit BufferPool(std::shared_ptr<DeviceMemory> memory, int64_t max_cached_bytes = kDefaultMaxCachedBytes);
  // A pool of host memory.
  explicit BufferPool(int64_t max_cached_bytes = kDefaultMaxCachedBytes) : BufferPool(HostMemory(), max_cached_bytes) {}

  // The size class a request of `bytes` is served from.
  static int64_t SizeClass(int64_t bytes);
  ~BufferPool();

  Device device() const { return memory_->device(); }
  // Uninitialised memory of the pool's device.
  Tensor Allocate(const Shape& shape, DType dtype = DType::kF32);
  // Bytes handed out from the system so far (for tests and benchmarks).
  int64_t bytes_from_system() const;
  // Bytes of free buffers held for reuse.
  int64_t cached_bytes() const;
  // Gives every cached free buffer back to the system.
  void Trim();

 private:
  friend class Storage;
  void Release(void* data, int64_t bytes);

  std::shared_ptr<DeviceMemory> memory_;
  int64_t max_cached_bytes_;
  mutable absl::Mutex mutex_;
  // Free buffers by size class, each vector non-empty.
  absl::btree_map<int64_t, std::vector<void*>> free_ ABSL_GUARDED_BY(mutex_);
  int64_t bytes_from_system_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t cached_bytes_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace nmt

#endif  // NMT_AUTOGRAD_TENSOR_H_
