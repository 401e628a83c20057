// Runs fewer OpenMP threads while other processes hold cores, and all of them again when
// the cores are free.
//
//   ThreadGovernor governor(context.host_threads());
//   for (...) {
//     if (std::optional<int> t = governor.Poll()) context.SetHostThreads(*t);
//     ... one training step ...
//   }
//
// Why: each parallel region ends at a barrier that waits for its slowest thread. When
// another CPU-bound process shares a core with one of our threads, the scheduler gives
// that thread half the core in slices of milliseconds, and every barrier waits for it:
// with 2 threads on 2 cores beside one busy process training ran at a third of its idle
// speed (trainers/README.md, "Threads"), where 1 thread on the free core loses only that
// core's share.
// The count follows the cores left free (base/core_usage.h): the cores of the affinity
// mask minus those other processes kept busy over the last interval, rounded, at least 1.
// Results do not depend on the thread count (every kernel's reduction order is fixed), so
// a run that adapts trains bit for bit as one that does not.
#ifndef NMT_TRAINERS_THREAD_GOVERNOR_H_
#define NMT_TRAINERS_THREAD_GOVERNOR_H_

#include <optional>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/core_usage.h"

namespace nmt::trainers {

// The threads to run when other processes keep `other_busy_cores` of `cores` busy: the
// free cores, rounded up from 0.7 of one (a process that takes a core only now and then
// costs less than running one thread fewer), within [1, max_threads].
int ThreadsForFreeCores(double other_busy_cores, int cores, int max_threads);

class ThreadGovernor {
 public:
  // max_threads: the most to run (the --threads setting). interval: how often to look.
  explicit ThreadGovernor(int max_threads, absl::Duration interval = absl::Seconds(2));

  // A new thread count when one is due and differs from the last returned (initially
  // max_threads); nullopt otherwise. `now` is for tests.
  std::optional<int> Poll(absl::Time now = absl::Now());
  // Also for tests: decide from a measured load instead of /proc.
  std::optional<int> PollWithLoad(absl::Time now, std::optional<double> other_busy_cores, int cores);

  int threads() const { return threads_; }
  // The other processes' load behind the last decision, for the progress display.
  double last_other_busy_cores() const { return last_load_; }

 private:
  const int max_threads_;
  const absl::Duration interval_;
  int threads_;
  absl::Time next_;
  double last_load_ = 0;
  OtherCoreUsage usage_;
};

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_THREAD_GOVERNOR_H_
