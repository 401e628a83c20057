#include "autograd/tensor.h"

#include <cstring>
#include <memory>
#include <vector>

#include "gtest/gtest.h"

namespace nmt {
namespace {

TEST(Tensor, ZerosHasShapeAndZeroValues) {
  Tensor t = Tensor::Zeros({2, 3});
  EXPECT_EQ(t.rank(), 2);
  EXPECT_EQ(t.size(), 6);
  EXPECT_EQ(t.dim(-1), 3);
  for (float v : t.values()) EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(t.ShapeString(), "[2, 3]");
}

TEST(Tensor, ReshapedSharesStorage) {
  Tensor t = Tensor::FromVector({2, 2}, {1, 2, 3, 4});
  Tensor r = t.Reshaped({4});
  r.data()[3] = 9;
  EXPECT_EQ(t.data()[3], 9);
  EXPECT_TRUE(t.SharesStorageWith(r));
  EXPECT_FALSE(t.SharesStorageWith(t.Clone()));
}

TEST(Tensor, ReshapeToOtherCountDies) {
  Tensor t = Tensor::Zeros({2, 3});
  EXPECT_DEATH(t.Reshaped({4}), "Reshape: \\[2, 3\\] to \\[4\\]");
}

TEST(Tensor, ScalarItem) { EXPECT_EQ(Tensor::Scalar(2.5f).item(), 2.5f); }

// Host memory that calls itself a CUDA device and counts what crosses to and from it,
// so that the device paths of Tensor can be checked without a GPU.
class TaggedHostMemory final : public DeviceMemory {
 public:
  TaggedHostMemory() : DeviceMemory(Device::kCUDA) {}
  void* Allocate(int64_t bytes) override { return HostMemory()->Allocate(bytes); }
  void Free(void* data) override { HostMemory()->Free(data); }
  void Copy(void* dst, Device dst_device, const void* src, Device src_device, int64_t bytes) override {
    if (dst_device == Device::kCPU) ++to_host;
    if (src_device == Device::kCPU) ++from_host;
    std::memcpy(dst, src, bytes);
  }
  void Fill32(void* dst, uint32_t bits, int64_t count) override { HostMemory()->Fill32(dst, bits, count); }
  void Zero(void* dst, int64_t bytes) override { HostMemory()->Zero(dst, bytes); }
  void Synchronize() override {}
  int to_host = 0, from_host = 0;
};

TEST(Tensor, HostReadsOfANonCpuTensorDieButDataDoesNot) {
  // Only the device tag matters here: the memory is host memory that no kernel touches.
  auto device = std::make_shared<TaggedHostMemory>();
  float memory[4] = {1, 2, 3, 4};
  const Tensor t = Tensor::Wrap(Storage::Borrowed(memory, sizeof(memory), device), {4}, DType::kF32);
  EXPECT_EQ(t.data(), memory);
  EXPECT_DEATH(t.ToVector(), "Tensor::ToVector of a cuda tensor");
  const Tensor one = Tensor::Wrap(Storage::Borrowed(memory, sizeof(float), device), {}, DType::kF32);
  EXPECT_DEATH(one.item(), "Tensor::item of a cuda tensor");
}

TEST(Tensor, CopiesCrossBetweenHostAndDeviceThroughTheDevicesMemory) {
  auto device = std::make_shared<TaggedHostMemory>();
  const Tensor host = Tensor::FromVector({2, 2}, {1, 2, 3, 4});
  Tensor on_device = Tensor::EmptyOn(device, {2, 2});
  EXPECT_EQ(on_device.device(), Device::kCUDA);
  on_device.CopyFrom(host);
  EXPECT_EQ(device->from_host, 1);
  const Tensor clone = on_device.Clone();  // device to device
  EXPECT_EQ(clone.device(), Device::kCUDA);
  EXPECT_FALSE(clone.SharesStorageWith(on_device));
  EXPECT_EQ(clone.ToHost().ToVector(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(device->to_host, 1);
  EXPECT_TRUE(host.ToHost().SharesStorageWith(host));  // already there: no copy
}

TEST(Tensor, FillAndSetZeroWorkOnADevice) {
  auto device = std::make_shared<TaggedHostMemory>();
  Tensor t = Tensor::EmptyOn(device, {3});
  t.Fill(-1.5f);
  EXPECT_EQ(t.ToHost().ToVector(), (std::vector<float>{-1.5f, -1.5f, -1.5f}));
  t.SetZero();
  EXPECT_EQ(t.ToHost().ToVector(), (std::vector<float>{0, 0, 0}));
}

TEST(Tensor, Int32TensorsHoldIds) {
  const Tensor ids = Tensor::FromInt32s({3}, {7, -1, 2});
  EXPECT_EQ(ids.dtype(), DType::kI32);
  EXPECT_EQ(DTypeSize(DType::kI32), 4);
  EXPECT_STREQ(DTypeName(DType::kI32), "i32");
  EXPECT_EQ(ids.ToInt32Vector(), (std::vector<int32_t>{7, -1, 2}));
  EXPECT_DEATH(ids.data(), "f32 access to a i32 tensor");
  EXPECT_DEATH(Tensor::Zeros({1}).int32_data(), "i32 access to a f32 tensor");
}

TEST(Tensor, CopyFromRefusesAnotherDtypeOrSize) {
  Tensor t = Tensor::Zeros({2});
  EXPECT_DEATH(t.CopyFrom(Tensor::FromInt32s({2}, {1, 2})), "CopyFrom: i32 \\[2\\] into f32 \\[2\\]");
  EXPECT_DEATH(t.CopyFrom(Tensor::Zeros({3})), "CopyFrom: f32 \\[3\\] into f32 \\[2\\]");
}

TEST(Tensor, DataOfAnUndefinedOrNonF32TensorDies) {
  EXPECT_DEATH(Tensor().data(), "Tensor::data of an undefined tensor");
  float memory[2] = {0, 0};
  const Tensor half = Tensor::Wrap(Storage::Borrowed(memory, sizeof(memory), HostMemory()), {4}, DType::kBF16);
  EXPECT_DEATH(half.data(), "Tensor::data: f32 access to a bf16 tensor");
}

TEST(BufferPool, ReusesFreedBuffersOfEqualSize) {
  auto pool = std::make_shared<BufferPool>(HostMemory());
  for (int step = 0; step < 3; ++step) {
    Tensor a = pool->Allocate({128, 64});
    Tensor b = pool->Allocate({64});
  }
  EXPECT_EQ(pool->bytes_from_system(), BufferPool::SizeClass(128 * 64 * 4) + BufferPool::SizeClass(64 * 4));
}

TEST(BufferPool, NearbySizesShareAClassWastingAtMostAnEighth) {
  for (int64_t bytes : {1, 64, 65, 4096, 4097, 10000, 1 << 20, (1 << 20) + 1, 123456789}) {
    const int64_t size_class = BufferPool::SizeClass(bytes);
    EXPECT_GE(size_class, bytes);
    EXPECT_LE(size_class, bytes <= 4096 ? bytes + 63 : bytes + bytes / 8) << bytes;
  }
  EXPECT_EQ(BufferPool::SizeClass(1000000), BufferPool::SizeClass(1010000));
}

TEST(BufferPool, VaryingShapesReuseBuffersOfTheirClass) {
  auto pool = std::make_shared<BufferPool>(HostMemory());
  int64_t exact = 0;
  for (int length = 20; length < 30; ++length) {  // a batch's annotations at varying lengths
    Tensor t = pool->Allocate({64, length, 512});
    exact += t.size() * 4;
  }
  const int64_t first_pass = pool->bytes_from_system();
  EXPECT_LT(first_pass, exact * 3 / 4);  // neighbouring lengths share a class
  for (int length = 29; length >= 20; --length) Tensor t = pool->Allocate({64, length, 512});
  EXPECT_EQ(pool->bytes_from_system(), first_pass);
}

TEST(BufferPool, ALargerFreeBufferServesARequestOfUpToHalfItsSize) {
  auto pool = std::make_shared<BufferPool>(HostMemory());
  { Tensor big = pool->Allocate({1 << 16}); }  // 256 KiB, freed
  const int64_t first = pool->bytes_from_system();
  {
    Tensor half = pool->Allocate({1 << 15});  // 128 KiB: the 256 KiB buffer
    EXPECT_EQ(pool->bytes_from_system(), first);
    EXPECT_EQ(pool->cached_bytes(), 0);
  }
  EXPECT_EQ(pool->cached_bytes(), first);  // back in its own class
  {
    Tensor smaller = pool->Allocate({25000});  // 100,000 bytes, class 106,496: under half, from the system
    EXPECT_GT(pool->bytes_from_system(), first);
    EXPECT_EQ(pool->cached_bytes(), first);
  }
}

TEST(BufferPool, KeepsAtMostItsCapOfFreeBuffers) {
  auto pool = std::make_shared<BufferPool>(HostMemory(), /*max_cached_bytes=*/1 << 20);
  {
    Tensor a = pool->Allocate({1 << 18});  // 1 MiB
    Tensor b = pool->Allocate({1 << 18});
  }
  EXPECT_EQ(pool->cached_bytes(), 1 << 20);
}

TEST(BufferPool, BuffersOutliveThePoolHandle) {
  Tensor t;
  {
    auto pool = std::make_shared<BufferPool>(HostMemory());
    t = pool->Allocate({4});
  }
  t.Fill(1.0f);  // the storage keeps its pool alive
  EXPECT_EQ(t.data()[3], 1.0f);
}

}  // namespace
}  // namespace nmt
