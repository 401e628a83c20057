#include "tools/device_flag.h"

#include <cstdio>

#include "absl/flags/flag.h"
#include "ops/backend.h"

ABSL_FLAG(std::string, device, "cpu", "where to compute: cpu or cuda");

namespace nmt::tools {

int DeviceErrorExitCode(const absl::Status& status) {
  return absl::IsInvalidArgument(status) || absl::IsUnimplemented(status) ? 2 : 1;
}

std::unique_ptr<DeviceContext> DeviceContextFromFlag(int threads, int& exit_code) {
  absl::Status status;
  absl::StatusOr<Device> device = ParseDevice(absl::GetFlag(FLAGS_device));
  if (device.ok()) {
    absl::StatusOr<std::unique_ptr<DeviceContext>> context = CreateDeviceContext(*device, threads);
    if (context.ok()) return *std::move(context);
    status = context.status();
  } else {
    status = device.status();
  }
  exit_code = DeviceErrorExitCode(status);
  std::fprintf(stderr, "%s: %s\n", exit_code == 2 ? "usage error" : "error", std::string(status.message()).c_str());
  return nullptr;
}

}  // namespace nmt::tools
