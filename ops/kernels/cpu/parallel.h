// When a CPU kernel's loop is worth an OpenMP team. A parallel region costs about a
// microsecond while the team's threads are spinning between regions, as they are
// during a training step; an elementwise pass over 16k floats takes 5-15 µs. Below
// this size the loop runs on the calling thread alone.
#ifndef NMT_OPS_KERNELS_CPU_PARALLEL_H_
#define NMT_OPS_KERNELS_CPU_PARALLEL_H_

#include <cstdint>

namespace nmt::cpu {

// Every size threshold of the CPU kernels' OpenMP loops is this one. The recurrent steps' elementwise passes
// (batch × n: 64 × 512 at `small`) are above it; left serial they were a tenth of a
// training step with the second core waiting (tools/PROFILE.md). Each iteration of every
// such loop writes its own outputs, so results do not depend on the thread count.
constexpr int64_t kMinParallelFloats = 16384;

}  // namespace nmt::cpu

#endif  // NMT_OPS_KERNELS_CPU_PARALLEL_H_
