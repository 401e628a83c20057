// NcclCommunicator: the Communicator for gradients in CUDA device memory, one rank per
// process and GPU: ncclAllReduce in place on a CUDA stream of its own. As Marian and
// llm.c do, rank 0 makes the ncclUniqueId and a host communicator (MPI under mpirun)
// broadcasts it; Broadcast and Barrier are that host communicator's, on host memory.
//
//   std::unique_ptr<MpiCommunicator> mpi = *MpiCommunicator::Create();
//   std::unique_ptr<NcclCommunicator> nccl = *NcclCommunicator::Create(*mpi, local_rank);
//   absl::Status s = nccl->AllReduceSum(absl::MakeSpan(device_pointer, n));   // device memory
//
// Not used by the trainer yet: there is no CUDA tensor backend whose gradients it would
// sum (DISTRIBUTED.md), so --device=cpu runs over MPI. Compiled with g++ against nccl.h
// and cuda_runtime.h (no device code of its own); only machines with a GPU and driver
// can run it, and DeviceCount() tells the others.
#ifndef NMT_TRAINERS_NCCL_COMMUNICATOR_H_
#define NMT_TRAINERS_NCCL_COMMUNICATOR_H_

#include <memory>

#include "absl/status/statusor.h"
#include "trainers/communicator.h"

// NCCL's and CUDA's handle types (ncclComm_t, cudaStream_t), without their headers.
struct ncclComm;
struct CUstream_st;

namespace nmt::trainers {

class NcclCommunicator final : public Communicator {
 public:
  // CUDA devices this process sees: 0 without a GPU or without a driver.
  static int DeviceCount();

  // One NCCL rank per rank of `host`, which must outlive it, on CUDA device `device`
  // (e.g. the rank's local rank). Collective: every rank of `host` calls it.
  static absl::StatusOr<std::unique_ptr<NcclCommunicator>> Create(Communicator& host, int device);
  ~NcclCommunicator() override;
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  int rank() const override { return host_.rank(); }
  int size() const override { return host_.size(); }
  Memory memory() const override { return Memory::kCudaDevice; }
  int device() const { return device_; }

  // `data` is device memory of this rank's device. Returns once the sums are there.
  // While it waits it polls NCCL's asynchronous errors (a peer that died, a network
  // failure): then the NCCL communicator is aborted and the error returned.
  absl::Status AllReduceSum(absl::Span<float> data) override;
  absl::Status AllReduceSum(absl::Span<double> data) override;
  // Host memory, through the host communicator.
  absl::Status Broadcast(absl::Span<std::byte> data, int root) override { return host_.Broadcast(data, root); }
  absl::Status Barrier() override { return host_.Barrier(); }
  // Aborts the NCCL communicator, then the host's job.
  [[noreturn]] void Abort(int exit_code) override;

 private:
  NcclCommunicator(Communicator& host, int device, ncclComm* comm, CUstream_st* stream)
      : host_(host), device_(device), comm_(comm), stream_(stream) {}
  absl::Status AllReduce(void* data, size_t count, int nccl_type, const char* type_name);

  Communicator& host_;
  int device_;
  ncclComm* comm_;
  CUstream_st* stream_;
};

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_NCCL_COMMUNICATOR_H_
