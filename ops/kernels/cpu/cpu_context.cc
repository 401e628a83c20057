#include "ops/kernels/cpu/cpu_context.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/check.h"
#include "ops/kernels/cpu/parallel.h"

namespace nmt {

CpuContext::CpuContext(int threads)
    : DeviceContext(HostMemory()),
      max_threads_(threads > 0 ? threads : omp_get_max_threads()),
      threads_(max_threads_),
      engine_(dnnl::engine::kind::cpu, 0),
      stream_(engine_),
      primitives_(&primitives_by_threads_[threads_]) {
  // oneDNN (Debian's build uses OpenMP) and our own loops share this setting.
  omp_set_num_threads(threads_);
}

void CpuContext::SetHostThreads(int threads) {
  threads_ = std::clamp(threads, 1, max_threads_);
  primitives_ = &primitives_by_threads_[threads_];
  omp_set_num_threads(threads_);
}

bool CpuContext::SupportsBf16() {
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto bf16 = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_bf16);  // AMX's mask includes it
  return (isa & bf16) == bf16;
}

void RoundToBf16(const float* x, int64_t count, uint16_t* y) {
  // Branch-free so that it vectorises (`simd`): a scalar loop with a NaN branch was 29% of
  // a bf16 training step at `small` (perf, AMD EPYC with AVX512-BF16).
#pragma omp parallel for simd if (count >= cpu::kMinParallelFloats)
  for (int64_t i = 0; i < count; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &x[i], sizeof bits);
    const uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    const uint32_t quiet_nan = (bits >> 16) | 0x40u;
    y[i] = static_cast<uint16_t>((bits & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded);
  }
}

const uint16_t* CpuContext::Bf16Operand(const float* data, int64_t count, bool is_parameter, int slot) {
  if (is_parameter) {
    auto [it, fresh] = bf16_parameters_.try_emplace({data, count});
    if (fresh) {
      it->second.resize(count);
      RoundToBf16(data, count, it->second.data());
    }
    return it->second.data();
  }
  NMT_CHECK(slot == 0 || slot == 1) << "Bf16Operand: scratch slot " << slot;
  std::vector<uint16_t>& scratch = bf16_scratch_[slot];
  if (static_cast<int64_t>(scratch.size()) < count) scratch.resize(count);
  RoundToBf16(data, count, scratch.data());
  return scratch.data();
}

bool CpuContext::Bf16IsFaster() {
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto amx = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_amx);
  if ((isa & amx) == amx) return true;
  return SupportsBf16() && __builtin_cpu_is("amd");
}

const dnnl::memory& CpuContext::PackedBf16Weights(const std::string& key, const float* data,
                                                  const dnnl::memory::desc& user, const dnnl::memory::desc& packed) {
  auto [it, fresh] = packed_weights_.try_emplace(key);
  if (fresh) {
    it->second = dnnl::memory(packed, engine_);
    dnnl::memory source(user, engine_, const_cast<float*>(data));
    dnnl::primitive& reorder = Primitive(absl::StrCat("pack:", key.substr(key.find('|') + 1)),
                                         [&] { return dnnl::reorder(source, it->second); });
    reorder.execute(stream_, {{DNNL_ARG_FROM, source}, {DNNL_ARG_TO, it->second}});
    stream_.wait();
  }
  return it->second;
}

CpuContext& AsCpu(DeviceContext& context, const char* op) {
  NMT_CHECK(context.device() == Device::kCPU)
      << op << ": CPU kernel called with a " << DeviceName(context.device()) << " context";
  return static_cast<CpuContext&>(context);
}

}  // namespace nmt
