#include "base/core_usage.h"

#include <sched.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace nmt {
namespace {

std::optional<std::string> ReadWhole(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<int> AffinityCpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    }
  }
  return cpus;
}

}  // namespace

CpuTicks ParseProcStat(absl::string_view proc_stat, const std::vector<int>& cpus) {
  const absl::flat_hash_set<int> wanted(cpus.begin(), cpus.end());
  CpuTicks ticks;
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (!absl::ConsumePrefix(&line, "cpu") || line.empty() || !absl::ascii_isdigit(line[0])) continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    int cpu = 0;
    if (fields.size() < 5 || !absl::SimpleAtoi(fields[0], &cpu) || !wanted.contains(cpu)) continue;
    // cpuN user nice system idle iowait irq softirq steal guest guest_nice
    int64_t value[8] = {0};
    for (size_t i = 1; i < fields.size() && i <= 8; ++i) {
      if (!absl::SimpleAtoi(fields[i], &value[i - 1])) return CpuTicks{};
    }
    const int64_t busy = value[0] + value[1] + value[2] + value[5] + value[6] + value[7];
    ticks.busy += busy;
    ticks.total += busy + value[3] + value[4];
    ++ticks.cpus;
  }
  return ticks;
}

std::optional<int64_t> ParseProcessTicks(absl::string_view pid_stat) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are
  // counted from the last ')'. utime and stime are fields 14 and 15, the 12th and 13th
  // after it.
  const size_t paren = pid_stat.rfind(')');
  if (paren == absl::string_view::npos) return std::nullopt;
  std::vector<absl::string_view> fields = absl::StrSplit(pid_stat.substr(paren + 1), ' ', absl::SkipEmpty());
  int64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) || !absl::SimpleAtoi(fields[12], &stime)) {
    return std::nullopt;
  }
  return utime + stime;
}

OtherCoreUsage::OtherCoreUsage() : cpus_(AffinityCpus()), last_(Read()) {}

std::optional<OtherCoreUsage::Reading> OtherCoreUsage::Read() const {
  std::optional<std::string> stat = ReadWhole("/proc/stat");
  std::optional<std::string> self = ReadWhole("/proc/self/stat");
  if (!stat || !self) return std::nullopt;
  Reading reading;
  reading.cpu = ParseProcStat(*stat, cpus_);
  std::optional<int64_t> self_ticks = ParseProcessTicks(*self);
  if (reading.cpu.cpus == 0 || !self_ticks) return std::nullopt;
  reading.self = *self_ticks;
  return reading;
}

std::optional<double> OtherCoreUsage::Sample() {
  std::optional<Reading> now = Read();
  if (!now) return std::nullopt;
  std::optional<Reading> before = last_;
  if (!before || before->cpu.cpus != now->cpu.cpus) {
    last_ = now;
    return std::nullopt;
  }
  const int64_t total = now->cpu.total - before->cpu.total;
  if (total <= 0) return std::nullopt;  // keep `before`: too short an interval
  last_ = now;
  const double cores = now->cpu.cpus;
  const double elapsed = static_cast<double>(total) / cores;  // ticks of wall time
  const double others = static_cast<double>((now->cpu.busy - before->cpu.busy) - (now->self - before->self));
  return std::clamp(others / elapsed, 0.0, cores);
}

}  // namespace nmt
