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

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
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
  int host_threads() const override { return threads_; }
  // 1 ≤ threads ≤ the count given at construction (or OpenMP's default); clamped.
  void SetHostThreads(int threads) override;

  // The cached primitive for `key`, built by `make()` on first use. Kept per thread
  // count: oneDNN sizes a primitive's work split and scratchpad for the threads there
  // are when it is built, so one built for 2 threads is not run on 1.
  template <typename Make>
  dnnl::primitive& Primitive(const std::string& key, Make make) {
    auto it = primitives_->find(key);
    if (it == primitives_->end()) it = primitives_->emplace(key, make()).first;
    return it->second;
  }
  // Primitives built for the current thread count.
  int64_t num_primitives() const { return static_cast<int64_t>(primitives_->size()); }

  // True when oneDNN runs bf16 matrix products natively here (AVX512-BF16 or AMX);
  // MatmulPrecision::kBF16 is refused elsewhere (ops/backend.h).
  static bool SupportsBf16();
  // True where bf16 products were measured faster than f32 end to end (ops/PRECISION.md):
  // CPUs with AMX tiles, and AMD's with AVX512-BF16 (Zen 4 and later). Intel's AVX512-BF16
  // without AMX is left out: there oneDNN 2.6's bf16 matmul ran 1.8x slower than its f32.
  static bool Bf16IsFaster();

  // `count` floats at `data` rounded to bf16 (round to nearest even, as oneDNN), for one
  // product's operand. A parameter's copy is kept until InvalidateParameterCaches(), so
  // each weight is converted once per step however often it is used; anything else goes
  // into scratch slot `slot` (0 or 1), valid until the next call with that slot.
  const uint16_t* Bf16Operand(const float* data, int64_t count, bool is_parameter, int slot);
  // A parameter operand b of a bf16 product, reordered once per step from its f32 layout
  // `user` into the primitive's preferred (blocked) layout `packed`: oneDNN's bf16 kernels
  // would otherwise repack it on every call. `key` names the use (pointer, shape, layout).
  const dnnl::memory& PackedBf16Weights(const std::string& key, const float* data, const dnnl::memory::desc& user,
                                        const dnnl::memory::desc& packed);
  void InvalidateParameterCaches() override {
    bf16_parameters_.clear();
    packed_weights_.clear();
  }
  int64_t num_cached_bf16_parameters() const {
    return static_cast<int64_t>(bf16_parameters_.size() + packed_weights_.size());
  }

 private:
  using PrimitiveCache = absl::node_hash_map<std::string, dnnl::primitive>;

  const int max_threads_;
  int threads_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  // Node-based: a returned reference stays valid while later calls add primitives.
  absl::node_hash_map<int, PrimitiveCache> primitives_by_threads_;
  PrimitiveCache* primitives_;  // primitives_by_threads_[threads_]
  absl::flat_hash_map<std::pair<const float*, int64_t>, std::vector<uint16_t>> bf16_parameters_;
  std::vector<uint16_t> bf16_scratch_[2];
  absl::flat_hash_map<std::string, dnnl::memory> packed_weights_;
};

// f32 → bf16 with round to nearest even (NaN stays a quiet NaN), as oneDNN's reorder.
void RoundToBf16(const float* x, int64_t count, uint16_t* y);

// The CPU context behind `context`; fails naming `op` for another device.
CpuContext& AsCpu(DeviceContext& context, const char* op);

}  // namespace nmt

#endif  // NMT_OPS_KERNELS_CPU_CPU_CONTEXT_H_
