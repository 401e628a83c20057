#include "trainers/communicator.h"

#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "trainers/mpi_communicator.h"

namespace nmt::trainers {
namespace {

TEST(OneProcessCommunicator, IsRankZeroOfOneAndLeavesDataAlone) {
  Communicator& one = OneProcess();
  EXPECT_EQ(one.rank(), 0);
  EXPECT_EQ(one.size(), 1);
  EXPECT_EQ(one.memory(), Communicator::Memory::kHost);
  std::vector<float> f = {1.5f, -2.0f};
  std::vector<double> d = {3.25};
  EXPECT_TRUE(one.AllReduceSum(absl::MakeSpan(f)).ok());
  EXPECT_TRUE(one.AllReduceSum(absl::MakeSpan(d)).ok());
  EXPECT_EQ(f, (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(d, (std::vector<double>{3.25}));
  int value = 7;
  EXPECT_TRUE(one.Broadcast(AsBytes(value), 0).ok());
  EXPECT_EQ(value, 7);
  EXPECT_EQ(one.Broadcast(AsBytes(value), 1).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(one.Barrier().ok());
}

TEST(MakeCommunicator, OutsideMpirunIsOneProcessWithoutMpi) {
  unsetenv("OMPI_COMM_WORLD_SIZE");
  EXPECT_EQ(MpirunWorldSize(), 0);
  absl::StatusOr<std::unique_ptr<Communicator>> comm = MakeCommunicator("cpu");
  ASSERT_TRUE(comm.ok()) << comm.status();
  EXPECT_EQ((*comm)->size(), 1);
  EXPECT_NE(dynamic_cast<OneProcessCommunicator*>(comm->get()), nullptr);
}

TEST(DefaultThreadsPerRank, SharesTheCoresAmongTheLocalRanks) {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  const int alone = DefaultThreadsPerRank();
  EXPECT_GE(alone, 1);
  EXPECT_LE(alone, cores);
  setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "2", 1);
  EXPECT_EQ(DefaultThreadsPerRank(), std::max(1, std::min(alone, cores / 2)));
  setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "1000", 1);
  EXPECT_EQ(DefaultThreadsPerRank(), 1);
  setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "junk", 1);
  EXPECT_EQ(DefaultThreadsPerRank(), alone);
  unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
}

}  // namespace
}  // namespace nmt::trainers
