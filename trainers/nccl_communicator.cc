#include "trainers/nccl_communicator.h"

#include <cuda_runtime.h>
#include <nccl.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"

namespace nmt::trainers {
namespace {

absl::Status NcclError(ncclResult_t result, absl::string_view call, int rank) {
  return absl::InternalError(absl::StrCat(call, " failed on rank ", rank, ": ", ncclGetErrorString(result)));
}

absl::Status CudaError(cudaError_t error, absl::string_view call, int rank) {
  return absl::InternalError(absl::StrCat(call, " failed on rank ", rank, ": ", cudaGetErrorString(error)));
}

}  // namespace

int NcclCommunicator::DeviceCount() {
  int count = 0;
  // No driver or no device is an error here, and means none.
  if (cudaGetDeviceCount(&count) != cudaSuccess) return 0;
  return count;
}

absl::StatusOr<std::unique_ptr<NcclCommunicator>> NcclCommunicator::Create(Communicator& host, int device) {
  if (host.memory() != Memory::kHost) return absl::InvalidArgumentError("NCCL's bootstrap needs a host communicator");
  const int rank = host.rank();
  if (cudaError_t e = cudaSetDevice(device); e != cudaSuccess) {
    return CudaError(e, absl::StrCat("cudaSetDevice(", device, ")"), rank);
  }
  ncclUniqueId id;
  if (rank == 0) {
    if (ncclResult_t r = ncclGetUniqueId(&id); r != ncclSuccess) return NcclError(r, "ncclGetUniqueId", rank);
  }
  if (absl::Status s = host.Broadcast(AsBytes(id), 0); !s.ok()) return s;
  ncclComm_t comm = nullptr;
  if (ncclResult_t r = ncclCommInitRank(&comm, host.size(), id, rank); r != ncclSuccess) {
    return NcclError(r, "ncclCommInitRank", rank);
  }
  cudaStream_t stream = nullptr;
  if (cudaError_t e = cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking); e != cudaSuccess) {
    ncclCommDestroy(comm);
    return CudaError(e, "cudaStreamCreateWithFlags", rank);
  }
  return std::unique_ptr<NcclCommunicator>(new NcclCommunicator(host, device, comm, stream));
}

NcclCommunicator::~NcclCommunicator() {
  if (comm_ != nullptr) ncclCommDestroy(comm_);
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

absl::Status NcclCommunicator::AllReduce(void* data, size_t count, int nccl_type, const char* type_name) {
  if (count == 0) return absl::OkStatus();
  const std::string call = absl::StrCat("ncclAllReduce of ", count, " ", type_name);
  if (ncclResult_t r =
          ncclAllReduce(data, data, count, static_cast<ncclDataType_t>(nccl_type), ncclSum, comm_, stream_);
      r != ncclSuccess) {
    return NcclError(r, call, rank());
  }
  // Waits for the stream, watching for NCCL's asynchronous errors instead of blocking
  // in cudaStreamSynchronize for good.
  for (;;) {
    const cudaError_t e = cudaStreamQuery(stream_);
    if (e == cudaSuccess) return absl::OkStatus();
    if (e != cudaErrorNotReady) return CudaError(e, call, rank());
    ncclResult_t async = ncclSuccess;
    if (ncclResult_t r = ncclCommGetAsyncError(comm_, &async); r != ncclSuccess || async != ncclSuccess) {
      ncclCommAbort(comm_);
      comm_ = nullptr;
      return NcclError(r != ncclSuccess ? r : async, call, rank());
    }
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
}

absl::Status NcclCommunicator::AllReduceSum(absl::Span<float> data) {
  if (comm_ == nullptr) return absl::FailedPreconditionError("the NCCL communicator was aborted");
  return AllReduce(data.data(), data.size(), ncclFloat32, "floats");
}

absl::Status NcclCommunicator::AllReduceSum(absl::Span<double> data) {
  if (comm_ == nullptr) return absl::FailedPreconditionError("the NCCL communicator was aborted");
  return AllReduce(data.data(), data.size(), ncclFloat64, "doubles");
}

void NcclCommunicator::Abort(int exit_code) {
  if (comm_ != nullptr) ncclCommAbort(comm_);
  comm_ = nullptr;
  host_.Abort(exit_code);
  std::_Exit(exit_code);  // not reached: the host's Abort does not return
}

}  // namespace nmt::trainers
