#include "ops/test_context.h"

#include <memory>

#include "base/check.h"
#include "ops/backend.h"

namespace nmt {

DeviceContext& TestContext() {
  static DeviceContext* const context = [] {
    absl::StatusOr<std::unique_ptr<DeviceContext>> made = CreateDeviceContext(Device::kCPU, /*threads=*/1);
    NMT_CHECK(made.ok()) << made.status();
    return made->release();
  }();
  return *context;
}

}  // namespace nmt
