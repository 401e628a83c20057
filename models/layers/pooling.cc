#include "models/layers/pooling.h"

#include "base/check.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"

namespace nmt::layers {

Var MaskedMean(Var x, const Tensor& mask) {
  NMT_CHECK(x.rank() == 3 && mask.shape() == (Shape{x.dim(0), x.dim(1)}))
      << "MaskedMean: x " << x.ShapeString() << " (B, T, d), mask " << mask.ShapeString() << " (B, T)";
  const int64_t batch = x.dim(0), length = x.dim(1);
  Tape& tape = CurrentTape("MaskedMean");
  Tensor inverse = tape.context().Allocate({batch, 1});
  for (int64_t b = 0; b < batch; ++b) {
    float count = 0.0f;
    for (int64_t j = 0; j < length; ++j) count += mask.data()[b * length + j];
    NMT_CHECK(count > 0.0f) << "MaskedMean: sequence " << b << " has no real position";
    inverse.data()[b] = 1.0f / count;
  }
  Var sum = Sum(Mul(x, tape.Constant(mask.Reshaped({batch, length, 1}))), 1);
  return Mul(sum, tape.Constant(inverse));
}

}  // namespace nmt::layers
