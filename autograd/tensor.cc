#include "autograd/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/check.h"

namespace nmt {
namespace {

// 64-byte alignment: one cache line, and what AVX-512 loads would want.
constexpr int64_t kAlignment = 64;

class HostDeviceMemory final : public DeviceMemory {
 public:
  HostDeviceMemory() : DeviceMemory(Device::kCPU) {}

  void* Allocate(int64_t bytes) override {
    const int64_t rounded = ((bytes + kAlignment - 1) / kAlignment) * kAlignment;
    void* data = std::aligned_alloc(kAlignment, rounded > 0 ? rounded : kAlignment);
    NMT_CHECK(data != nullptr) << "out of memory allocating " << bytes << " bytes";
    return data;
  }
  void Free(void* data) override { std::free(data); }
  void Copy(void* dst, Device dst_device, const void* src, Device src_device, int64_t bytes) override {
    NMT_CHECK(dst_device == Device::kCPU && src_device == Device::kCPU)
        << "host memory: copy from " << DeviceName(src_device) << " to " << DeviceName(dst_device);
    if (bytes > 0) std::memmove(dst, src, bytes);
  }
  void Fill32(void* dst, uint32_t bits, int64_t count) override {
    uint32_t* p = static_cast<uint32_t*>(dst);
    for (int64_t i = 0; i < count; ++i) p[i] = bits;
  }
  // A buffer of 4 MiB or more (a fresh gradient: the logits' is 61 MB a `small` step) is
  // zeroed by every OpenMP thread in 1 MiB pieces; a single memset left the other
  // cores waiting.
  void Zero(void* dst, int64_t bytes) override {
    constexpr int64_t kPiece = int64_t{1} << 20;
    char* p = static_cast<char*>(dst);
    const int64_t pieces = (bytes + kPiece - 1) / kPiece;
#pragma omp parallel for if (bytes >= 4 * kPiece)
    for (int64_t i = 0; i < pieces; ++i) std::memset(p + i * kPiece, 0, std::min(kPiece, bytes - i * kPiece));
  }
  void Synchronize() override {}
};

// Copies between two tensors' storages through the one that is not host memory.
DeviceMemory& CopyEngine(const Tensor& dst, const Tensor& src) {
  if (dst.device() != Device::kCPU) return *dst.memory();
  return *src.memory();
}

}  // namespace

DeviceMemory::~DeviceMemory() = default;

const std::shared_ptr<DeviceMemory>& HostMemory() {
  static const auto* const memory = new std::shared_ptr<DeviceMemory>(std::make_shared<HostDeviceMemory>());
  return *memory;
}

const char* DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "f32";
    case DType::kBF16:
      return "bf16";
    case DType::kF16:
      return "f16";
    case DType::kI32:
      return "i32";
  }
  return "?";
}

const char* DeviceName(Device device) {
  switch (device) {
    case Device::kCPU:
      return "cpu";
    case Device::kCUDA:
      return "cuda";
  }
  return "?";
}

int64_t DTypeSize(DType dtype) { return dtype == DType::kF32 || dtype == DType::kI32 ? 4 : 2; }

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeString(const Shape& shape) { return absl::StrCat("[", absl::StrJoin(shape, ", "), "]"); }

Storage::Storage(void* data, int64_t bytes, std::shared_ptr<DeviceMemory> memory, std::shared_ptr<BufferPool> pool)
    : data_(data), bytes_(bytes), memory_(std::move(memory)), pool_(std::move(pool)) {
  NMT_CHECK(memory_ != nullptr) << "Storage: no DeviceMemory";
}

std::shared_ptr<Storage> Storage::Borrowed(void* data, int64_t bytes, std::shared_ptr<DeviceMemory> memory) {
  auto storage = std::make_shared<Storage>(data, bytes, std::move(memory), nullptr);
  storage->borrowed_ = true;
  return storage;
}

Storage::~Storage() {
  if (borrowed_) return;
  if (pool_ != nullptr) {
    pool_->Release(data_, bytes_);
  } else {
    memory_->Free(data_);
  }
}

Tensor Tensor::Empty(const Shape& shape, DType dtype) { return EmptyOn(HostMemory(), shape, dtype); }

Tensor Tensor::EmptyOn(const std::shared_ptr<DeviceMemory>& memory, const Shape& shape, DType dtype) {
  for (int64_t d : shape) NMT_CHECK(d >= 0) << "Tensor::Empty: negative dimension in " << nmt::ShapeString(shape);
  const int64_t bytes = NumElements(shape) * DTypeSize(dtype);
  return Wrap(std::make_shared<Storage>(memory->Allocate(bytes), bytes, memory, nullptr), shape, dtype);
}

Tensor Tensor::Zeros(const Shape& shape) {
  Tensor t = Empty(shape);
  t.SetZero();
  return t;
}

Tensor Tensor::Full(const Shape& shape, float value) {
  Tensor t = Empty(shape);
  t.Fill(value);
  return t;
}

Tensor Tensor::FromVector(const Shape& shape, absl::Span<const float> values) {
  NMT_CHECK(static_cast<int64_t>(values.size()) == NumElements(shape))
      << "Tensor::FromVector: " << values.size() << " values for shape " << nmt::ShapeString(shape);
  Tensor t = Empty(shape);
  if (!values.empty()) std::memcpy(t.data(), values.data(), values.size() * sizeof(float));
  return t;
}

Tensor Tensor::FromInt32s(const Shape& shape, absl::Span<const int32_t> ids) {
  NMT_CHECK(static_cast<int64_t>(ids.size()) == NumElements(shape))
      << "Tensor::FromInt32s: " << ids.size() << " values for shape " << nmt::ShapeString(shape);
  Tensor t = Empty(shape, DType::kI32);
  if (!ids.empty()) std::memcpy(t.int32_data(), ids.data(), ids.size() * sizeof(int32_t));
  return t;
}

Tensor Tensor::Wrap(std::shared_ptr<Storage> storage, const Shape& shape, DType dtype) {
  NMT_CHECK(storage->bytes() >= NumElements(shape) * DTypeSize(dtype))
      << "Tensor::Wrap: " << storage->bytes() << " bytes cannot hold " << nmt::ShapeString(shape);
  Tensor t;
  t.device_ = storage->device();
  t.storage_ = std::move(storage);
  t.shape_ = shape;
  t.dtype_ = dtype;
  return t;
}

int64_t Tensor::dim(int i) const {
  const int r = rank();
  NMT_CHECK(i >= -r && i < r) << "Tensor::dim(" << i << ") of shape " << ShapeString();
  return shape_[i < 0 ? i + r : i];
}

float* Tensor::data() {
  NMT_CHECK(defined()) << "Tensor::data of an undefined tensor";
  NMT_CHECK(dtype_ == DType::kF32) << "Tensor::data: f32 access to a " << DTypeName(dtype_) << " tensor";
  return static_cast<float*>(storage_->data());
}

const float* Tensor::data() const { return const_cast<Tensor*>(this)->data(); }

int32_t* Tensor::int32_data() {
  NMT_CHECK(defined()) << "Tensor::int32_data of an undefined tensor";
  NMT_CHECK(dtype_ == DType::kI32) << "Tensor::int32_data: i32 access to a " << DTypeName(dtype_) << " tensor";
  return static_cast<int32_t*>(storage_->data());
}

const int32_t* Tensor::int32_data() const { return const_cast<Tensor*>(this)->int32_data(); }

std::vector<int32_t> Tensor::ToInt32Vector() const {
  NMT_CHECK(device_ == Device::kCPU) << "Tensor::ToInt32Vector of a " << DeviceName(device_) << " tensor";
  return std::vector<int32_t>(int32_data(), int32_data() + size());
}

const std::shared_ptr<DeviceMemory>& Tensor::memory() const {
  NMT_CHECK(defined()) << "Tensor::memory of an undefined tensor";
  return storage_->shared_memory();
}

Tensor Tensor::ToHost() const {
  NMT_CHECK(defined()) << "Tensor::ToHost of an undefined tensor";
  if (device_ == Device::kCPU) return *this;
  Tensor t = Empty(shape_, dtype_);
  t.CopyFrom(*this);
  return t;
}

std::vector<float> Tensor::ToVector() const {
  NMT_CHECK(device_ == Device::kCPU) << "Tensor::ToVector of a " << DeviceName(device_) << " tensor";
  return std::vector<float>(data(), data() + size());
}

float Tensor::item() const {
  NMT_CHECK(device_ == Device::kCPU) << "Tensor::item of a " << DeviceName(device_) << " tensor";
  NMT_CHECK(size() == 1) << "Tensor::item of shape " << ShapeString();
  return data()[0];
}

Tensor Tensor::Reshaped(const Shape& shape) const {
  NMT_CHECK(NumElements(shape) == size())
      << "Reshape: " << ShapeString() << " to " << nmt::ShapeString(shape) << " changes the element count";
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::Clone() const {
  NMT_CHECK(defined()) << "Tensor::Clone of an undefined tensor";
  Tensor t = EmptyOn(memory(), shape_, dtype_);
  t.CopyFrom(*this);
  return t;
}

void Tensor::Fill(float value) {
  float* p = data();  // checks f32
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  storage_->memory().Fill32(p, bits, size());
}

void Tensor::SetZero() {
  NMT_CHECK(defined()) << "Tensor::SetZero of an undefined tensor";
  storage_->memory().Zero(storage_->data(), size() * DTypeSize(dtype_));
}

void Tensor::CopyFrom(const Tensor& source) {
  NMT_CHECK(defined() && source.defined()) << "CopyFrom: an undefined tensor";
  NMT_CHECK(source.size() == size() && source.dtype() == dtype())
      << "CopyFrom: " << DTypeName(source.dtype()) << " " << source.ShapeString() << " into " << DTypeName(dtype())
      << " " << ShapeString();
  NMT_CHECK(device_ == Device::kCPU || source.device_ == Device::kCPU || device_ == source.device_)
      << "CopyFrom: " << DeviceName(source.device_) << " to " << DeviceName(device_) << " goes through the host";
  CopyEngine(*this, source)
      .Copy(storage_->data(), device_, source.storage_->data(), source.device_, size() * DTypeSize(dtype_));
}

BufferPool::BufferPool(std::shared_ptr<DeviceMemory> memory, int64_t max_cached_bytes)
    : memory_(std::move(memory)), max_cached_bytes_(max_cached_bytes) {
  NMT_CHECK(memory_ != nullptr) << "BufferPool: no DeviceMemory";
}

BufferPool::~BufferPool() { Trim(); }

int64_t BufferPool::SizeClass(int64_t bytes) {
  if (bytes <= 4096) return std::max<int64_t>(kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment);
  int64_t octave = 1;
  while (octave * 2 <= bytes) octave *= 2;
  const int64_t step = octave / 8;
  return (bytes + step - 1) / step * step;
}

Tensor BufferPool::Allocate(const Shape& shape, DType dtype) {
  int64_t bytes = SizeClass(NumElements(shape) * DTypeSize(dtype));
  void* data = nullptr;
  {
    absl::MutexLock lock(&mutex_);
    auto it = free_.lower_bound(bytes);
    if (it != free_.end() && it->first <= kMaxReuseFactor * bytes) {
      bytes = it->first;  // the buffer goes back to its own class
      data = it->second.back();
      it->second.pop_back();
      if (it->second.empty()) free_.erase(it);
      cached_bytes_ -= bytes;
    } else {
      bytes_from_system_ += bytes;
    }
  }
  if (data == nullptr) data = memory_->Allocate(bytes);
  return Tensor::Wrap(std::make_shared<Storage>(data, bytes, memory_, shared_from_this()), shape, dtype);
}

void BufferPool::Release(void* data, int64_t bytes) {
  {
    absl::MutexLock lock(&mutex_);
    if (cached_bytes_ + bytes <= max_cached_bytes_) {
      free_[bytes].push_back(data);
      cached_bytes_ += bytes;
      return;
    }
  }
  memory_->Free(data);
}

int64_t BufferPool::cached_bytes() const {
  absl::MutexLock lock(&mutex_);
  return cached_bytes_;
}

int64_t BufferPool::bytes_from_system() const {
  absl::MutexLock lock(&mutex_);
  return bytes_from_system_;
}

void BufferPool::Trim() {
  absl::MutexLock lock(&mutex_);
  for (auto& [bytes, buffers] : free_) {
    for (void* p : buffers) memory_->Free(p);
  }
  free_.clear();
  cached_bytes_ = 0;
}

}  // namespace nmt
