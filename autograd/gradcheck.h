// Finite-difference gradient checks (testonly): the one harness every op, layer
// and model test uses.
//
//   EXPECT_TRUE(CheckGradients(context, [](absl::Span<const Var> in) { return Tanh(in[0]); },
//                              {RandomTensor({3, 4}, /*seed=*/1)}));
//
// The loss is Σ w ∘ f(inputs) with w random (seeded), so a backward that swaps,
// transposes or drops elements cannot hide behind a symmetric loss. Every element
// of every input (and of every listed Parameter) is perturbed by ±eps; the
// central difference is computed in double from the f32 forward values and
// compared with the analytic gradient. On failure the message gives the input,
// the index, both values and the shape.
#ifndef NMT_AUTOGRAD_GRADCHECK_H_
#define NMT_AUTOGRAD_GRADCHECK_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/types/span.h"
#include "autograd/tape.h"
#include "gtest/gtest.h"

namespace nmt {

struct GradCheckOptions {
  float eps = 1e-3f;
  // |analytic − numeric| ≤ tolerance · max(1, |analytic|, |numeric|).
  float tolerance = 1e-2f;
  uint64_t seed = 20141009;  // the weights w of the loss
  // Parameters f reads besides its inputs; their gradients are checked too.
  std::vector<Parameter*> parameters;
};

using GradCheckFn = std::function<Var(absl::Span<const Var> inputs)>;

::testing::AssertionResult CheckGradients(DeviceContext& context, const GradCheckFn& f,
                                          const std::vector<Tensor>& inputs, const GradCheckOptions& options = {});

// Values uniform in [-scale, scale], each at least min_abs away from 0 (to keep
// kinks such as relu's out of reach of eps), from a fixed seed.
Tensor RandomTensor(const Shape& shape, uint64_t seed, float scale = 1.0f, float min_abs = 0.0f);

}  // namespace nmt

#endif  // NMT_AUTOGRAD_GRADCHECK_H_
