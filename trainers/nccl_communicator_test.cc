// Needs a CUDA device: on a machine without one (CI, this project's build machines)
// every test reports GTEST_SKIP, never a pass. With one GPU the job is one rank, so a
// sum is the data itself; under mpirun with a GPU per rank it is a real sum.
#include "trainers/nccl_communicator.h"

#include <cuda_runtime.h>

#include <memory>
#include <vector>

#include "gtest/gtest.h"

namespace nmt::trainers {
namespace {

class NcclCommunicatorTest : public testing::Test {
 protected:
  void SetUp() override {
    if (NcclCommunicator::DeviceCount() == 0) GTEST_SKIP() << "no CUDA device: NCCL cannot run here";
    absl::StatusOr<std::unique_ptr<NcclCommunicator>> nccl = NcclCommunicator::Create(OneProcess(), 0);
    ASSERT_TRUE(nccl.ok()) << nccl.status();
    nccl_ = *std::move(nccl);
  }

  template <typename T>
  std::vector<T> SumOnDevice(const std::vector<T>& host) {
    T* device = nullptr;
    EXPECT_EQ(cudaMalloc(&device, host.size() * sizeof(T)), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(device, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
    const absl::Status s = nccl_->AllReduceSum(absl::MakeSpan(device, host.size()));
    EXPECT_TRUE(s.ok()) << s;
    std::vector<T> out(host.size());
    EXPECT_EQ(cudaMemcpy(out.data(), device, host.size() * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
    cudaFree(device);
    return out;
  }

  std::unique_ptr<NcclCommunicator> nccl_;
};

TEST_F(NcclCommunicatorTest, OneRankOnDeviceMemory) {
  EXPECT_EQ(nccl_->rank(), 0);
  EXPECT_EQ(nccl_->size(), 1);
  EXPECT_EQ(nccl_->memory(), Communicator::Memory::kCudaDevice);
}

TEST_F(NcclCommunicatorTest, AllReduceSumOfOneRankIsTheData) {
  std::vector<float> floats(1 << 20);
  for (size_t i = 0; i < floats.size(); ++i) floats[i] = static_cast<float>(i % 1000) - 500.0f;
  EXPECT_EQ(SumOnDevice(floats), floats);
  const std::vector<double> doubles = {0.25, -3.5, 1e300};
  EXPECT_EQ(SumOnDevice(doubles), doubles);
  EXPECT_TRUE(nccl_->AllReduceSum(absl::Span<float>()).ok());
}

TEST_F(NcclCommunicatorTest, BroadcastAndBarrierGoThroughTheHost) {
  int value = 5;
  EXPECT_TRUE(nccl_->Broadcast(AsBytes(value), 0).ok());
  EXPECT_EQ(value, 5);
  EXPECT_TRUE(nccl_->Barrier().ok());
}

}  // namespace
}  // namespace nmt::trainers
