#include "autograd/tensor.h"

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

TEST(Tensor, HostReadsOfANonCpuTensorDieButDataDoesNot) {
  // Only the device tag matters here: the memory is host memory that no kernel touches.
  float memory[4] = {1, 2, 3, 4};
  const Tensor t = Tensor::Wrap(Storage::Borrowed(memory, sizeof(memory), Device::kCUDA), {4}, DType::kF32);
  EXPECT_EQ(t.data(), memory);
  EXPECT_DEATH(t.ToVector(), "Tensor::ToVector of a cuda tensor");
  const Tensor one = Tensor::Wrap(Storage::Borrowed(memory, sizeof(float), Device::kCUDA), {}, DType::kF32);
  EXPECT_DEATH(one.item(), "Tensor::item of a cuda tensor");
}

TEST(Tensor, DataOfAnUndefinedOrNonF32TensorDies) {
  EXPECT_DEATH(Tensor().data(), "Tensor::data of an undefined tensor");
  float memory[2] = {0, 0};
  const Tensor half = Tensor::Wrap(Storage::Borrowed(memory, sizeof(memory), Device::kCPU), {4}, DType::kBF16);
  EXPECT_DEATH(half.data(), "Tensor::data: f32 access to a bf16 tensor");
}

TEST(BufferPool, ReusesFreedBuffersOfEqualSize) {
  auto pool = std::make_shared<BufferPool>(Device::kCPU);
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
  auto pool = std::make_shared<BufferPool>(Device::kCPU);
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

TEST(BufferPool, KeepsAtMostItsCapOfFreeBuffers) {
  auto pool = std::make_shared<BufferPool>(Device::kCPU, /*max_cached_bytes=*/1 << 20);
  {
    Tensor a = pool->Allocate({1 << 18});  // 1 MiB
    Tensor b = pool->Allocate({1 << 18});
  }
  EXPECT_EQ(pool->cached_bytes(), 1 << 20);
}

TEST(BufferPool, BuffersOutliveThePoolHandle) {
  Tensor t;
  {
    auto pool = std::make_shared<BufferPool>(Device::kCPU);
    t = pool->Allocate({4});
  }
  t.Fill(1.0f);  // the storage keeps its pool alive
  EXPECT_EQ(t.data()[3], 1.0f);
}

}  // namespace
}  // namespace nmt
