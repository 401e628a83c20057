// The switch that picks a device's kernel table: the one place that knows every backend.
//
//   const Kernels& k = KernelsFor(tape.context());
//   k.gemm(tape.context(), args);
#ifndef NMT_OPS_BACKEND_H_
#define NMT_OPS_BACKEND_H_

#include "autograd/tape.h"
#include "ops/kernels/kernels.h"

namespace nmt {

// Aborts (a programmer error: tensors of a device exist only where its backend does)
// for a device this build has no backend for.
const Kernels& KernelsFor(Device device);
inline const Kernels& KernelsFor(const DeviceContext& context) { return KernelsFor(context.device()); }

}  // namespace nmt

#endif  // NMT_OPS_BACKEND_H_
