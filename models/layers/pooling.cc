#include "models/layers/pooling.h"

#include "base/check.h"
#include "ops/backend.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"

namespace nmt::layers {

Var MaskedMean(Var x, const Tensor& mask) {
  NMT_CHECK(x.rank() == 3 && mask.shape() == (Shape{x.dim(0), x.dim(1)}))
      << "MaskedMean: x " << x.ShapeString() << " (B, T, d), mask " << mask.ShapeString() << " (B, T)";
  const int64_t batch = x.dim(0), length = x.dim(1);
  Tape& tape = CurrentTape("MaskedMean");
  DeviceContext& context = tape.context();
  const Kernels& kernels = KernelsFor(context);
  // 1 / (real positions of each sequence), on the mask's device; the counts are whole
  // numbers, so summing them in any order gives the same floats.
  Tensor count = context.Allocate({batch, 1});
  kernels.reduce_sum(context, mask, count);
  const Tensor host_count = count.ToHost();  // B floats, for the check
  for (int64_t b = 0; b < batch; ++b) {
    NMT_CHECK(host_count.data()[b] > 0.0f) << "MaskedMean: sequence " << b << " has no real position";
  }
  Tensor inverse = context.Allocate({batch, 1});
  kernels.binary_forward(context, BinaryOp::kDiv, context.Full({batch, 1}, 1.0f), count, inverse);
  Var sum = Sum(Mul(x, tape.Constant(mask.Reshaped({batch, length, 1}))), 1);
  return Mul(sum, tape.Constant(inverse));
}

}  // namespace nmt::layers
