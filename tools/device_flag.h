// --device=cpu|cuda, shared by every binary that computes, and the context it names.
//
//   std::unique_ptr<DeviceContext> context = DeviceContextFromFlag(threads, exit_code);
//   if (context == nullptr) return exit_code;   // the one-line error is printed
//   Tape tape(*context);
//
// Errors follow the binaries' exit codes: a value the flag cannot take, or a device
// whose backend this build lacks ("this build has no CUDA backend"), is a usage error
// (2); a backend that finds no such device is a runtime error (1).
#ifndef NMT_TOOLS_DEVICE_FLAG_H_
#define NMT_TOOLS_DEVICE_FLAG_H_

#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "autograd/tape.h"

ABSL_DECLARE_FLAG(std::string, device);

namespace nmt::tools {

// The context of --device with `threads` CPU threads (<= 0: all cores); null, after
// printing "usage error: ..." or "error: ..." to stderr and setting `exit_code`, if it
// cannot be made.
std::unique_ptr<DeviceContext> DeviceContextFromFlag(int threads, int& exit_code);

// 2 for a status of ParseDevice or CreateDeviceContext that the user's flag caused
// (InvalidArgument, Unimplemented), else 1.
int DeviceErrorExitCode(const absl::Status& status);

}  // namespace nmt::tools

#endif  // NMT_TOOLS_DEVICE_FLAG_H_
