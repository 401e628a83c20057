#include "ops/backend_ops_testing.h"

#include "ops/backend.h"

namespace nmt {

std::vector<Device> BackendsUnderTest() { return CompiledBackends(); }

absl::StatusOr<std::unique_ptr<DeviceContext>> ContextUnderTest(Device device) {
  return CreateDeviceContext(device, /*threads=*/2);
}

std::string BackendTestName(Device device) { return DeviceName(device); }

}  // namespace nmt
