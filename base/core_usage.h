// How many of the cores this process may run on other work keeps busy, measured from
// the kernel's own accounting: the busy time of the CPUs in the affinity mask
// (/proc/stat) minus this process's CPU time (/proc/self/stat), between two samples.
//
//   OtherCoreUsage usage;                     // the first sample
//   ...                                       // some seconds of work
//   std::optional<double> busy = usage.Sample();   // e.g. 1.0: one core taken by others
//
// The trainer uses it to run fewer OpenMP threads while another process holds a core
// (trainers/thread_governor.h): a parallel region waits at its barrier for its slowest
// thread, and a thread that shares its core with another process is the slowest by far.
// Steal time (a virtual CPU the hypervisor gave to another guest) counts as busy for the
// same reason: the thread on it is not running. On this project's virtual machines that
// happens in bursts even when nothing else runs here: the idle default run of 2026-12-02
// ran on 1 thread for about 15 of its 1,800 steps.
// Linux only; elsewhere, or when /proc is unreadable, Sample() says nothing.
#ifndef NMT_BASE_CORE_USAGE_H_
#define NMT_BASE_CORE_USAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace nmt {

// Cumulative clock ticks (USER_HZ) of a set of CPUs, from /proc/stat's "cpuN" lines.
struct CpuTicks {
  int64_t busy = 0;   // user + nice + system + irq + softirq + steal (guest time is inside user)
  int64_t total = 0;  // busy + idle + iowait
  int cpus = 0;       // how many of the wanted CPUs had a line
};
// Sums the lines of `proc_stat` (the text of /proc/stat) for the CPUs in `cpus`.
CpuTicks ParseProcStat(absl::string_view proc_stat, const std::vector<int>& cpus);
// utime + stime of /proc/<pid>/stat's text, in clock ticks; nullopt when malformed.
std::optional<int64_t> ParseProcessTicks(absl::string_view pid_stat);

class OtherCoreUsage {
 public:
  OtherCoreUsage();

  // The CPUs of this process's affinity mask.
  const std::vector<int>& cpus() const { return cpus_; }
  // Cores' worth of time other processes used since the previous call (or construction),
  // in [0, cpus().size()]; nullopt when /proc cannot be read or no tick has passed.
  std::optional<double> Sample();

 private:
  struct Reading {
    CpuTicks cpu;
    int64_t self = 0;
  };
  std::optional<Reading> Read() const;

  std::vector<int> cpus_;
  std::optional<Reading> last_;
};

}  // namespace nmt

#endif  // NMT_BASE_CORE_USAGE_H_
