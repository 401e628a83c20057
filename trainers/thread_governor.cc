#include "trainers/thread_governor.h"

#include <algorithm>
#include <cmath>

namespace nmt::trainers {

int ThreadsForFreeCores(double other_busy_cores, int cores, int max_threads) {
  const double free_cores = cores - other_busy_cores;
  const int threads = static_cast<int>(std::floor(free_cores + 0.3));
  return std::clamp(threads, 1, std::max(1, max_threads));
}

ThreadGovernor::ThreadGovernor(int max_threads, absl::Duration interval)
    : max_threads_(std::max(1, max_threads)),
      interval_(interval),
      threads_(max_threads_),
      next_(absl::Now() + interval) {}

std::optional<int> ThreadGovernor::Poll(absl::Time now) {
  if (now < next_ || max_threads_ == 1) return std::nullopt;
  return PollWithLoad(now, usage_.Sample(), static_cast<int>(usage_.cpus().size()));
}

std::optional<int> ThreadGovernor::PollWithLoad(absl::Time now, std::optional<double> other_busy_cores, int cores) {
  if (now < next_) return std::nullopt;
  next_ = now + interval_;
  if (!other_busy_cores.has_value() || cores <= 0) return std::nullopt;
  last_load_ = *other_busy_cores;
  const int threads = ThreadsForFreeCores(*other_busy_cores, cores, max_threads_);
  if (threads == threads_) return std::nullopt;
  threads_ = threads;
  return threads;
}

}  // namespace nmt::trainers
