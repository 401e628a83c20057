// The switch that picks a device's kernel table: the one place that knows every backend.
//
//   const Kernels& k = KernelsFor(tape.context());
//   k.gemm(tape.context(), args);
#ifndef NMT_OPS_BACKEND_H_
#define NMT_OPS_BACKEND_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "autograd/tape.h"
#include "ops/kernels/kernels.h"

namespace nmt {

// Aborts (a programmer error: tensors of a device exist only where its backend does)
// for a device this build has no backend for.
const Kernels& KernelsFor(Device device);
inline const Kernels& KernelsFor(const DeviceContext& context) { return KernelsFor(context.device()); }

// The matrix-product precision a --precision flag (or TrainConfig.precision) names:
// "f32" (also ""), "bf16", or "auto" (bf16 where it is faster: on the CPU, where oneDNN
// reports AMX at run time; else f32). InvalidArgument for another name, or for "bf16" on
// a CPU with neither AVX512-BF16 nor AMX.
absl::StatusOr<MatmulPrecision> ParseMatmulPrecision(absl::string_view name, Device device);

}  // namespace nmt

#endif  // NMT_OPS_BACKEND_H_
