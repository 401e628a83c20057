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

TEST(BufferPool, ReusesFreedBuffersOfEqualSize) {
  auto pool = std::make_shared<BufferPool>(Device::kCPU);
  for (int step = 0; step < 3; ++step) {
    Tensor a = pool->Allocate({128, 64});
    Tensor b = pool->Allocate({64});
  }
  EXPECT_EQ(pool->bytes_from_system(), (128 * 64 + 64) * 4);
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
