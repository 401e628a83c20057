// Tensor: a dense, row-major array with a shape, a dtype and a device.
//
//   Tensor x = Tensor::Zeros({2, 3});
//   x.data()[4] = 1.0f;                 // row 1, column 1
//   Tensor y = x.Reshaped({3, 2});      // shares storage with x
//
// Storage is reference counted; copies of a Tensor are views of the same memory.
// Memory comes from the heap, or from a BufferPool when a kernel allocates an
// intermediate, so that training steps of equal shapes reuse the same buffers.
// Only f32 on the CPU is computed on today; dtype and device are carried so that
// the bf16/f16 and CUDA backends slot in without changing this interface.
#ifndef NMT_AUTOGRAD_TENSOR_H_
#define NMT_AUTOGRAD_TENSOR_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace nmt {

enum class DType : uint8_t { kF32, kBF16, kF16 };
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

// A block of device memory. Returned to its pool (if any) when the last Tensor lets go.
// Memory that someone else owns (an arena) is borrowed with `Storage::Borrowed`.
class Storage {
 public:
  Storage(void* data, int64_t bytes, Device device, std::shared_ptr<BufferPool> pool);
  static std::shared_ptr<Storage> Borrowed(void* data, int64_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  int64_t bytes() const { return bytes_; }
  Device device() const { return device_; }

 private:
  void* data_;
  int64_t bytes_;
  Device device_;
  std::shared_ptr<BufferPool> pool_;  // null: heap memory, freed here unless borrowed
  bool borrowed_ = false;
};

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false

  // Uninitialised CPU memory from the heap.
  static Tensor Empty(const Shape& shape, DType dtype = DType::kF32);
  static Tensor Zeros(const Shape& shape);
  static Tensor Full(const Shape& shape, float value);
  // Copies `values`, whose size must equal NumElements(shape).
  static Tensor FromVector(const Shape& shape, absl::Span<const float> values);
  static Tensor Scalar(float value) { return FromVector({}, {value}); }
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

  // A view with another shape of the same number of elements.
  Tensor Reshaped(const Shape& shape) const;
  // A deep copy in fresh heap memory.
  Tensor Clone() const;
  void Fill(float value);
  // Copies the values of `source` (same number of elements) into this tensor.
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
// of a power of two, so at most 12.5% is wasted), so that batches of varying
// lengths reuse each other's buffers: after the first steps a training loop asks
// the system for almost nothing. At most `max_cached_bytes` of free buffers are
// kept; beyond that a freed buffer goes back to the system. Thread-safe.
class BufferPool : public std::enable_shared_from_this<BufferPool> {
 public:
  static constexpr int64_t kDefaultMaxCachedBytes = int64_t{2} << 30;
  explicit BufferPool(Device device, int64_t max_cached_bytes = kDefaultMaxCachedBytes)
      : device_(device), max_cached_bytes_(max_cached_bytes) {}

  // The size class a request of `bytes` is served from.
  static int64_t SizeClass(int64_t bytes);
  ~BufferPool();

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

  Device device_;
  int64_t max_cached_bytes_;
  mutable absl::Mutex mutex_;
  absl::flat_hash_map<int64_t, std::vector<void*>> free_ ABSL_GUARDED_BY(mutex_);
  int64_t bytes_from_system_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t cached_bytes_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace nmt

#endif  // NMT_AUTOGRAD_TENSOR_H_
