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

void* AllocateHost(int64_t bytes) {
  const int64_t rounded = ((bytes + kAlignment - 1) / kAlignment) * kAlignment;
  void* data = std::aligned_alloc(kAlignment, rounded > 0 ? rounded : kAlignment);
  NMT_CHECK(data != nullptr) << "out of memory allocating " << bytes << " bytes";
  return data;
}

}  // namespace

const char* DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "f32";
    case DType::kBF16:
      return "bf16";
    case DType::kF16:
      return "f16";
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

int64_t DTypeSize(DType dtype) { return dtype == DType::kF32 ? 4 : 2; }

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeString(const Shape& shape) { return absl::StrCat("[", absl::StrJoin(shape, ", "), "]"); }

Storage::Storage(void* data, int64_t bytes, Device device, std::shared_ptr<BufferPool> pool)
    : data_(data), bytes_(bytes), device_(device), pool_(std::move(pool)) {}

std::shared_ptr<Storage> Storage::Borrowed(void* data, int64_t bytes, Device device) {
  auto storage = std::make_shared<Storage>(data, bytes, device, nullptr);
  storage->borrowed_ = true;
  return storage;
}

Storage::~Storage() {
  if (borrowed_) return;
  if (pool_ != nullptr) {
    pool_->Release(data_, bytes_);
  } else {
    std::free(data_);
  }
}

Tensor Tensor::Empty(const Shape& shape, DType dtype) {
  for (int64_t d : shape) NMT_CHECK(d >= 0) << "Tensor::Empty: negative dimension in " << nmt::ShapeString(shape);
  const int64_t bytes = NumElements(shape) * DTypeSize(dtype);
  return Wrap(std::make_shared<Storage>(AllocateHost(bytes), bytes, Device::kCPU, nullptr), shape, dtype);
}

Tensor Tensor::Zeros(const Shape& shape) {
  Tensor t = Empty(shape);
  std::memset(t.data(), 0, t.size() * sizeof(float));
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
  std::memcpy(t.data(), values.data(), values.size() * sizeof(float));
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
  Tensor t = Empty(shape_, dtype_);
  std::memcpy(t.storage_->data(), storage_->data(), size() * DTypeSize(dtype_));
  return t;
}

void Tensor::Fill(float value) {
  float* p = data();
  for (int64_t i = 0, n = size(); i < n; ++i) p[i] = value;
}

void Tensor::CopyFrom(const Tensor& source) {
  NMT_CHECK(source.size() == size()) << "CopyFrom: " << source.ShapeString() << " into " << ShapeString();
  std::memcpy(data(), source.data(), size() * sizeof(float));
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
  NMT_CHECK(device_ == Device::kCPU) << "BufferPool::Allocate: no allocator for " << DeviceName(device_);
  const int64_t bytes = SizeClass(NumElements(shape) * DTypeSize(dtype));
  void* data = nullptr;
  {
    absl::MutexLock lock(&mutex_);
    auto it = free_.find(bytes);
    if (it != free_.end() && !it->second.empty()) {
      data = it->second.back();
      it->second.pop_back();
      cached_bytes_ -= bytes;
    } else {
      bytes_from_system_ += bytes;
    }
  }
  if (data == nullptr) data = AllocateHost(bytes);
  return Tensor::Wrap(std::make_shared<Storage>(data, bytes, device_, shared_from_this()), shape, dtype);
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
  std::free(data);
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
    for (void* p : buffers) std::free(p);
  }
  free_.clear();
  cached_bytes_ = 0;
}

}  // namespace nmt
