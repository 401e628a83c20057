// MpiCommunicator: the Communicator of processes started by mpirun (OpenMPI 4.1),
// on host memory: MPI_Allreduce with MPI_IN_PLACE, MPI_Bcast, MPI_Barrier over
// MPI_COMM_WORLD. Errors come back as Status messages (MPI_ERRORS_RETURN) naming the
// call, the rank and MPI's own error string, instead of MPI's default of aborting.
//
//   mpirun -np 2 bazel-bin/apps/train ...                 // README.md, "Several processes"
//
//   absl::StatusOr<std::unique_ptr<Communicator>> comm = MakeCommunicator("cpu");
//   (*comm)->rank(), (*comm)->size();                      // 0 of 1 outside mpirun
#ifndef NMT_TRAINERS_MPI_COMMUNICATOR_H_
#define NMT_TRAINERS_MPI_COMMUNICATOR_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "trainers/communicator.h"

namespace nmt::trainers {

class MpiCommunicator final : public Communicator {
 public:
  // Initializes MPI (once per process, MPI_THREAD_FUNNELED: only the thread that
  // creates it calls MPI; OpenMP threads never do). The destructor finalizes MPI.
  static absl::StatusOr<std::unique_ptr<MpiCommunicator>> Create();
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  // Spans longer than INT_MAX elements are summed in pieces (MPI counts are int).
  absl::Status AllReduceSum(absl::Span<float> data) override;
  absl::Status AllReduceSum(absl::Span<double> data) override;
  absl::Status Broadcast(absl::Span<std::byte> data, int root) override;
  absl::Status Barrier() override;
  // MPI_Abort: mpirun ends every rank of the job and reports the exit code.
  [[noreturn]] void Abort(int exit_code) override;

 private:
  MpiCommunicator(int rank, int size) : rank_(rank), size_(size) {}

  int rank_;
  int size_;
};

// The communicator of a training run on `device`: OneProcess() unless mpirun started
// this process (MpirunWorldSize() > 0); under mpirun, MPI for "cpu". A CUDA tensor
// backend does not exist yet, so there is no device whose gradients NCCL would sum
// (nccl_communicator.h): other devices are refused.
absl::StatusOr<std::unique_ptr<Communicator>> MakeCommunicator(absl::string_view device);

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_MPI_COMMUNICATOR_H_
