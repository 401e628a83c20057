// Runs under mpirun (mpirun_test.sh starts it with 2 ranks on loopback); every rank
// runs every test, and the checks hold for any number of ranks. Only rank 0 writes
// the test.xml that Bazel reads.
#include "trainers/mpi_communicator.h"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace nmt::trainers {
namespace {

MpiCommunicator* comm = nullptr;

TEST(MpiCommunicator, RanksAreDistinctAndCoverTheJob) {
  EXPECT_EQ(comm->size(), MpirunWorldSize());
  ASSERT_GE(comm->size(), 2) << "run this test with mpirun -np 2 or more";
  std::vector<double> seen(comm->size(), 0.0);
  seen[comm->rank()] = 1.0;
  ASSERT_TRUE(comm->AllReduceSum(absl::MakeSpan(seen)).ok());
  EXPECT_EQ(seen, std::vector<double>(comm->size(), 1.0));
}

TEST(MpiCommunicator, AllReduceSumOfFloatsInPlace) {
  // Small integers: exact in float, so the order of additions cannot matter.
  std::vector<float> data(1000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>((comm->rank() + 1) * static_cast<int>(i % 97));
  ASSERT_TRUE(comm->AllReduceSum(absl::MakeSpan(data)).ok());
  const int n = comm->size();
  for (size_t i = 0; i < data.size(); ++i) {
    ASSERT_EQ(data[i], static_cast<float>(n * (n + 1) / 2 * static_cast<int>(i % 97))) << i;
  }
}

TEST(MpiCommunicator, AllReduceSumOfDoublesAndOfNothing) {
  std::vector<double> data = {0.5 * comm->rank(), -1.0};
  ASSERT_TRUE(comm->AllReduceSum(absl::MakeSpan(data)).ok());
  const int n = comm->size();
  EXPECT_EQ(data[0], 0.25 * n * (n - 1));
  EXPECT_EQ(data[1], -1.0 * n);
  EXPECT_TRUE(comm->AllReduceSum(absl::Span<double>()).ok());
}

TEST(MpiCommunicator, BroadcastFromTheLastRank) {
  const int root = comm->size() - 1;
  std::vector<std::byte> bytes(300, std::byte{0});
  if (comm->rank() == root) {
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i * 7);
  }
  ASSERT_TRUE(comm->Broadcast(absl::MakeSpan(bytes), root).ok());
  for (size_t i = 0; i < bytes.size(); ++i) ASSERT_EQ(bytes[i], static_cast<std::byte>(i * 7)) << i;

  double value = comm->rank() == 0 ? 12.5 : -1.0;
  ASSERT_TRUE(comm->Broadcast(AsBytes(value), 0).ok());
  EXPECT_EQ(value, 12.5);
}

TEST(MpiCommunicator, Barrier) { EXPECT_TRUE(comm->Barrier().ok()); }

TEST(MpiCommunicator, AnMpiErrorIsAStatusNotAnAbort) {
  // Every rank sees the bad root, so every rank returns (none waits for the others).
  char byte = 0;
  const absl::Status s = comm->Broadcast(AsBytes(byte), comm->size());
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_NE(s.message().find("MPI_Bcast of 1 bytes from rank"), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find("MPI_ERR_ROOT"), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find(absl::StrCat("failed on rank ", comm->rank(), " of ")), absl::string_view::npos) << s;
  // The communicator still works afterwards.
  EXPECT_TRUE(comm->Barrier().ok());
}

TEST(MpiCommunicator, OnlyOneInstanceAndOnlyTheCpu) {
  EXPECT_EQ(MpiCommunicator::Create().status().code(), absl::StatusCode::kFailedPrecondition);
  const absl::StatusOr<std::unique_ptr<Communicator>> cuda = MakeCommunicator("cuda");
  EXPECT_EQ(cuda.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(cuda.status().message().find("no CUDA tensor backend"), absl::string_view::npos) << cuda.status();
}

}  // namespace
}  // namespace nmt::trainers

int main(int argc, char** argv) {
  absl::StatusOr<std::unique_ptr<nmt::trainers::MpiCommunicator>> comm = nmt::trainers::MpiCommunicator::Create();
  if (!comm.ok()) {
    std::fprintf(stderr, "%s\n", std::string(comm.status().message()).c_str());
    return 1;
  }
  nmt::trainers::comm = comm->get();
  testing::InitGoogleTest(&argc, argv);
  // One test.xml for the target: rank 0's. Bazel's XML_OUTPUT_FILE and its
  // premature-exit file reach every rank; the others leave both alone.
  if ((*comm)->rank() != 0) {
    GTEST_FLAG_SET(output, "");
    unsetenv("TEST_PREMATURE_EXIT_FILE");
  }
  const int failed = RUN_ALL_TESTS();
  // A rank that failed fails the job (mpirun's exit status), whatever rank 0 wrote.
  return failed;
}
