#include "ops/maxout.h"

#include "base/check.h"
#include "ops/backend.h"

namespace nmt {

Var Maxout(Var x) {
  Tape& tape = TapeFor("Maxout", {x});
  NMT_CHECK(x.rank() >= 1 && x.dim(-1) % 2 == 0) << "Maxout: last dimension of " << x.ShapeString() << " is not even";
  Shape y_shape = x.shape();
  y_shape.back() /= 2;
  DeviceContext& context = tape.context();
  Tensor y = context.Allocate(y_shape);
  KernelsFor(context).maxout_forward(context, x.value(), y);
  return tape.Record("Maxout", y, {x}, [&tape, x](const Tensor& dy) {
    KernelsFor(tape.context()).maxout_backward(tape.context(), x.value(), dy, tape.GradOf(x));
  });
}

}  // namespace nmt
