// CudaContext, CudaMemory and the error macros. The macros' messages are checked on any
// machine (they format a status code; no device involved). Everything that touches a
// device reports GTEST_SKIP where there is none, never a pass.
#include "ops/kernels/cuda/cuda_context.h"

#include <vector>

#include "gtest/gtest.h"
#include "ops/kernels/cuda/cuda_check.h"
#include "ops/kernels/cuda/launch.h"

namespace nmt {
namespace {

TEST(CudaCheck, NamesTheCallAndTheError) {
  EXPECT_DEATH(NMT_CUDA_CHECK(cudaErrorMemoryAllocation) << "4096 bytes",
               "check failed: cudaErrorMemoryAllocation: cudaErrorMemoryAllocation \\(out of memory\\): 4096 bytes");
  EXPECT_DEATH(NMT_CUBLAS_CHECK(CUBLAS_STATUS_INVALID_VALUE) << "Gemm", "CUBLAS_STATUS_INVALID_VALUE.*: Gemm");
}

TEST(CudaCheck, SuccessEvaluatesOnceAndPassesThrough) {
  int calls = 0;
  auto call = [&] {
    ++calls;
    return cudaSuccess;
  };
  NMT_CUDA_CHECK(call()) << "never printed";
  EXPECT_EQ(calls, 1);
}

class CudaContextTest : public testing::Test {
 protected:
  void SetUp() override {
    if (CudaContext::DeviceCount() == 0) GTEST_SKIP() << "no CUDA device";
    context_ = std::make_unique<CudaContext>(0);
  }
  std::unique_ptr<CudaContext> context_;
};

TEST_F(CudaContextTest, TensorsLiveOnTheDeviceAndComeBack) {
  const std::vector<float> values = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f};
  Tensor device = context_->FromVector({5}, values);
  EXPECT_EQ(device.device(), Device::kCUDA);
  EXPECT_EQ(device.ToHost().ToVector(), values);
  device.Fill(4.0f);
  EXPECT_EQ(device.ToHost().ToVector(), std::vector<float>(5, 4.0f));
  device.SetZero();
  EXPECT_EQ(device.ToHost().ToVector(), std::vector<float>(5, 0.0f));
  const std::vector<int32_t> ids = {3, 0, -7, 2147483647};
  EXPECT_EQ(context_->FromInt32s({4}, ids).ToHost().ToInt32Vector(), ids);
}

TEST_F(CudaContextTest, PoolReusesFreedBuffersOfTheSameSizeClass) {
  { Tensor first = context_->Allocate({1000, 37}); }
  const int64_t from_system = context_->pool().bytes_from_system();
  for (int i = 0; i < 10; ++i) {
    Tensor again = context_->Allocate({1000, 36});  // a smaller request of the same class
    EXPECT_EQ(again.device(), Device::kCUDA);
  }
  EXPECT_EQ(context_->pool().bytes_from_system(), from_system);
  context_->pool().Trim();
  EXPECT_EQ(context_->pool().cached_bytes(), 0);
}

TEST_F(CudaContextTest, SynchronizeReportsABadIdFromTheDevice) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // re-executes the test: no fork of a CUDA process
  EXPECT_DEATH(
      {
        CudaContext context(0);
        const Tensor table = context.Zeros({4, 3});
        const Tensor ids = context.FromInt32s({2}, std::vector<int32_t>{1, 9});
        Tensor y = context.Allocate({2, 3});
        cuda::EmbeddingForward(context.stream(), table.data(), 4, 3, ids.int32_data(), 2, y.data(),
                               context.error_flags());
        context.Synchronize();
      },
      "EmbeddingLookup: an id outside the table");
}

}  // namespace
}  // namespace nmt
