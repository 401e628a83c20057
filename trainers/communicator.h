// Communicator: what synchronous data parallelism needs of the processes that train
// together (trainers/DISTRIBUTED.md): every rank holds a replica of the model, sums
// its gradients with the others' and applies the same update.
//
//   std::unique_ptr<Communicator> comm = ...;          // MakeCommunicator("cpu"), mpi_communicator.h
//   absl::Status s = comm->AllReduceSum(gradients);     // every rank: the sum over all ranks
//   s = comm->Broadcast(AsBytes(value), /*root=*/0);    // every rank: rank 0's bytes
//   s = comm->Barrier();                                // e.g. rank 0 wrote a file the others read
//
// Every collective must be called by every rank, in the same order, with the same
// lengths. A failed collective returns a Status; the other ranks may then be waiting in
// theirs for good, so the program ends the whole job with Abort (apps/train_main.cc).
//
// Backends: OneProcessCommunicator (here; one process, every call does nothing, so a
// program that never runs under mpirun needs no MPI), MpiCommunicator (host memory,
// mpi_communicator.h) and NcclCommunicator (CUDA device memory, nccl_communicator.h).
#ifndef NMT_TRAINERS_COMMUNICATOR_H_
#define NMT_TRAINERS_COMMUNICATOR_H_

#include <cstddef>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace nmt::trainers {

class Communicator {
 public:
  // Where AllReduceSum's spans live.
  enum class Memory { kHost, kCudaDevice };

  virtual ~Communicator() = default;

  // This process's rank, 0 <= rank() < size(); rank 0 writes the run's files.
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual Memory memory() const { return Memory::kHost; }

  // Replaces every element of `data` with its sum over all ranks. Every rank gets the
  // same sums; the order in which the ranks' values are added is the backend's.
  virtual absl::Status AllReduceSum(absl::Span<float> data) = 0;
  virtual absl::Status AllReduceSum(absl::Span<double> data) = 0;
  // Copies rank `root`'s bytes into every rank's `data` (host memory, same length everywhere).
  virtual absl::Status Broadcast(absl::Span<std::byte> data, int root) = 0;
  // Returns once every rank has called it.
  virtual absl::Status Barrier() = 0;
  // Ends every process of the job with `exit_code`: after an error that leaves the
  // other ranks waiting in a collective. Does not return.
  [[noreturn]] virtual void Abort(int exit_code) = 0;
};

// The bytes of a trivially copyable value, for Broadcast.
template <typename T>
absl::Span<std::byte> AsBytes(T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
  return {reinterpret_cast<std::byte*>(&value), sizeof(T)};
}

// One process: rank 0 of 1. Sums and broadcasts leave the data as it is.
class OneProcessCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  absl::Status AllReduceSum(absl::Span<float>) override { return absl::OkStatus(); }
  absl::Status AllReduceSum(absl::Span<double>) override { return absl::OkStatus(); }
  absl::Status Broadcast(absl::Span<std::byte>, int root) override;
  absl::Status Barrier() override { return absl::OkStatus(); }
  // Flushes stdio and exits.
  [[noreturn]] void Abort(int exit_code) override;
};

// A process-wide OneProcessCommunicator, for callers that train in one process.
Communicator& OneProcess();

// The job's size as OpenMPI's mpirun announces it to each process
// (OMPI_COMM_WORLD_SIZE), or 0 when this process was not started by mpirun.
int MpirunWorldSize();

// CPU threads for one rank: the cores this process may run on (its affinity mask:
// mpirun binds each of up to 2 ranks to one core by default), but no more than the
// machine's cores shared among the job's ranks on this machine
// (OMPI_COMM_WORLD_LOCAL_SIZE); at least 1.
int DefaultThreadsPerRank();

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_COMMUNICATOR_H_
