// The device context tests run on (testonly), instead of each test making its own.
//
//   Tape tape(TestContext());
//   optimizer.Step(TestContext());
//
// One CPU context with one thread per test process: deterministic, and cheap to share
// between the tests of a binary. Tests that compare backends use BackendsUnderTest
// (ops/backend_ops_testing.h) instead.
#ifndef NMT_OPS_TEST_CONTEXT_H_
#define NMT_OPS_TEST_CONTEXT_H_

#include "autograd/tape.h"

namespace nmt {

DeviceContext& TestContext();

}  // namespace nmt

#endif  // NMT_OPS_TEST_CONTEXT_H_
