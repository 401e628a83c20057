#include "trainers/communicator.h"

#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace nmt::trainers {
namespace {

// A positive integer from the environment, or 0.
int PositiveEnv(const char* name) {
  const char* value = std::getenv(name);
  int n = 0;
  return value != nullptr && absl::SimpleAtoi(value, &n) && n > 0 ? n : 0;
}

}  // namespace

absl::Status OneProcessCommunicator::Broadcast(absl::Span<std::byte>, int root) {
  if (root != 0) return absl::InvalidArgumentError(absl::StrCat("Broadcast: root ", root, " of 1 rank"));
  return absl::OkStatus();
}

void OneProcessCommunicator::Abort(int exit_code) {
  std::fflush(nullptr);
  std::_Exit(exit_code);
}

Communicator& OneProcess() {
  static OneProcessCommunicator* const instance = new OneProcessCommunicator;
  return *instance;
}

int MpirunWorldSize() { return PositiveEnv("OMPI_COMM_WORLD_SIZE"); }

int DefaultThreadsPerRank() {
  const int machine = std::max(1u, std::thread::hardware_concurrency());
  const int local_ranks = std::max(1, PositiveEnv("OMPI_COMM_WORLD_LOCAL_SIZE"));
  int allowed = machine;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) allowed = CPU_COUNT(&set);
  return std::max(1, std::min(allowed, machine / local_ranks));
}

}  // namespace nmt::trainers
