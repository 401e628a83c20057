// The backends the all-backends op suite (backend_ops_test.cc) runs, from one function.
//
//   for (Device device : BackendsUnderTest()) ...
//   absl::StatusOr<std::unique_ptr<DeviceContext>> context = ContextUnderTest(device);
//   if (absl::IsFailedPrecondition(context.status())) GTEST_SKIP() << context.status();
//
// Every backend this build has (CompiledBackends(), ops/backend.h), the CPU first: with
// only the CPU the suite compares the CPU with itself through the device-copy path; a
// new backend joins by its case in HasBackend. A backend compiled in whose device is
// absent gives FailedPrecondition, which the suite reports as a skip, never a pass.
#ifndef NMT_OPS_BACKEND_OPS_TESTING_H_
#define NMT_OPS_BACKEND_OPS_TESTING_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "autograd/tape.h"

namespace nmt {

std::vector<Device> BackendsUnderTest();

// A fresh context of `device` for a test (two threads on the CPU, so that the CPU under
// test does not run exactly like the one-thread reference).
absl::StatusOr<std::unique_ptr<DeviceContext>> ContextUnderTest(Device device);

// "cpu", "cuda": a test-name suffix.
std::string BackendTestName(Device device);

}  // namespace nmt

#endif  // NMT_OPS_BACKEND_OPS_TESTING_H_
