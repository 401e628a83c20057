// The one place that knows every backend: the switch that picks a device's kernel table,
// and the factory that makes a device's context.
//
//   absl::StatusOr<std::unique_ptr<DeviceContext>> context = CreateDeviceContext(device, threads);
//   if (!context.ok()) return context.status();        // e.g. "this build has no CUDA backend"
//   Tape tape(**context);
//   const Kernels& k = KernelsFor(tape.context());
//   k.gemm(tape.context(), args);
//
// A new backend adds one case to KernelsFor, CreateDeviceContext and HasBackend
// (backend.cc); BackendsUnderTest (backend_ops_testing.h) follows HasBackend.
#ifndef NMT_OPS_BACKEND_H_
#define NMT_OPS_BACKEND_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "autograd/tape.h"
#include "ops/kernels/kernels.h"

namespace nmt {

// Aborts (a programmer error: tensors of a device exist only where its backend does)
// for a device this build has no backend for.
const Kernels& KernelsFor(Device device);
inline const Kernels& KernelsFor(const DeviceContext& context) { return KernelsFor(context.device()); }

// Whether this build has `device`'s backend compiled in (its device may still be absent).
bool HasBackend(Device device);
// Every device whose backend this build has, the CPU first.
std::vector<Device> CompiledBackends();

// "cpu" or "cuda" (the --device flags' values); InvalidArgument naming the allowed values.
absl::StatusOr<Device> ParseDevice(absl::string_view name);

// A new context for `device`. threads: the CPU's OpenMP threads (<= 0: all cores); a
// device backend uses it for its host-side work. Errors: Unimplemented "this build has
// no CUDA backend" for a backend not compiled in; the backend's own (FailedPrecondition
// when no such device is visible).
absl::StatusOr<std::unique_ptr<DeviceContext>> CreateDeviceContext(Device device, int threads = 0);

}  // namespace nmt

#endif  // NMT_OPS_BACKEND_H_
