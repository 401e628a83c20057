#include "trainers/mpi_communicator.h"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace nmt::trainers {
namespace {

// "MPI_Allreduce failed on rank 1 of 2: MPI_ERR_TRUNCATE: message truncated".
absl::Status MpiError(int code, absl::string_view call, int rank, int size) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  return absl::InternalError(absl::StrCat(call, " failed on rank ", rank, " of ", size, ": ",
                                          length > 0 ? absl::string_view(text, length) : "unknown MPI error"));
}

// MPI counts are int: longer spans go in pieces.
template <typename T>
int SumInPlace(absl::Span<T> data, MPI_Datatype type) {
  for (size_t start = 0; start < data.size();) {
    const int count = static_cast<int>(std::min<size_t>(data.size() - start, INT_MAX));
    if (int rc = MPI_Allreduce(MPI_IN_PLACE, data.data() + start, count, type, MPI_SUM, MPI_COMM_WORLD);
        rc != MPI_SUCCESS) {
      return rc;
    }
    start += count;
  }
  return MPI_SUCCESS;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MpiCommunicator>> MpiCommunicator::Create() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return absl::FailedPreconditionError("MPI is already initialized in this process");
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    return absl::UnavailableError("MPI_Init_thread failed");
  }
  // From here on an MPI error returns to the caller instead of aborting the job.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    return absl::UnavailableError(absl::StrCat("MPI provides thread level ", provided, ", below MPI_THREAD_FUNNELED"));
  }
  return std::unique_ptr<MpiCommunicator>(new MpiCommunicator(rank, size));
}

MpiCommunicator::~MpiCommunicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

absl::Status MpiCommunicator::AllReduceSum(absl::Span<float> data) {
  if (int rc = SumInPlace(data, MPI_FLOAT); rc != MPI_SUCCESS) {
    return MpiError(rc, absl::StrCat("MPI_Allreduce of ", data.size(), " floats"), rank_, size_);
  }
  return absl::OkStatus();
}

absl::Status MpiCommunicator::AllReduceSum(absl::Span<double> data) {
  if (int rc = SumInPlace(data, MPI_DOUBLE); rc != MPI_SUCCESS) {
    return MpiError(rc, absl::StrCat("MPI_Allreduce of ", data.size(), " doubles"), rank_, size_);
  }
  return absl::OkStatus();
}

absl::Status MpiCommunicator::Broadcast(absl::Span<std::byte> data, int root) {
  for (size_t start = 0; start < data.size();) {
    const int count = static_cast<int>(std::min<size_t>(data.size() - start, INT_MAX));
    if (int rc = MPI_Bcast(data.data() + start, count, MPI_BYTE, root, MPI_COMM_WORLD); rc != MPI_SUCCESS) {
      return MpiError(rc, absl::StrCat("MPI_Bcast of ", data.size(), " bytes from rank ", root), rank_, size_);
    }
    start += count;
  }
  return absl::OkStatus();
}

absl::Status MpiCommunicator::Barrier() {
  if (int rc = MPI_Barrier(MPI_COMM_WORLD); rc != MPI_SUCCESS) return MpiError(rc, "MPI_Barrier", rank_, size_);
  return absl::OkStatus();
}

void MpiCommunicator::Abort(int exit_code) {
  std::fflush(nullptr);
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);  // MPI_Abort does not return; should it, this process still ends.
}

absl::StatusOr<std::unique_ptr<Communicator>> MakeCommunicator(absl::string_view device) {
  if (MpirunWorldSize() == 0) return std::unique_ptr<Communicator>(new OneProcessCommunicator);
  if (device != "cpu") {
    return absl::InvalidArgumentError(absl::StrCat("--device=", device,
                                                   ": several processes train on the CPU only (MPI); there is no CUDA "
                                                   "tensor backend for NCCL to sum gradients on yet"));
  }
  absl::StatusOr<std::unique_ptr<MpiCommunicator>> mpi = MpiCommunicator::Create();
  if (!mpi.ok()) return mpi.status();
  return std::unique_ptr<Communicator>(std::move(*mpi));
}

}  // namespace nmt::trainers
