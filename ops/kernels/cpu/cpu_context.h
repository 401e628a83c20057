// CpuContext: everything the CPU kernels share, owned by the program.
//
//   CpuContext context(/*threads=*/2);
//   Tape tape(context);
//
// Holds oneDNN's engine and stream and a cache of built primitives keyed by
// their shapes and flags (building a primitive costs far more than running a
// small one, and a training step runs the same shapes thousands of times), and
// the buffer pool intermediates come from. Not thread-safe: one per thread.
#ifndef NMT_OPS_KERNELS_CPU_CPU_CONTEXT_H_
#define NMT_OPS_KERNELS_CPU_CPU_CONTEXT_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "autograd/tape.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace nmt {

class CpuContext : public DeviceContext {
 public:
  // threads <= 0 keeps OpenMP's default (all cores).
  explicit CpuContext(int threads = 0);

  dnnl::engine& engine() { return engine_; }
  dnnl::stream& stream() { return stream_; }
  int threads() const { return threads_; }

  // The cached primitive for `key`, built by `make()` on first use.
  template <typename Make>
  dnnl::primitive& Primitive(const std::string& key, Make make) {
    auto it = primitives_.find(key);
    if (it == primitives_.end()) it = primitives_.emplace(key, make()).first;
    return it->second;
  }
  int64_t num_primitives() const { return static_cast<int64_t>(primitives_.size()); }

 private:
  int threads_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  absl::flat_hash_map<std::string, dnnl::primitive> primitives_;
};

// The CPU context behind `context`; fails naming `op` for another device.
CpuContext& AsCpu(DeviceContext& context, const char* op);

}  // namespace nmt

#endif  // NMT_OPS_KERNELS_CPU_CPU_CONTEXT_H_
