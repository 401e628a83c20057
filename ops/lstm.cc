#include "ops/lstm.h"

#include "base/check.h"
#include "ops/backend.h"

namespace nmt {

Var LstmStep(Var x_proj, Var state, Var u, const Tensor* mask, const Tensor* recurrent_mask) {
  Tape& tape = TapeFor("LstmStep", {x_proj, state, u});
  NMT_CHECK(state.rank() == 2 && state.dim(1) % 2 == 0 && x_proj.rank() == 2 && x_proj.dim(0) == state.dim(0) &&
            x_proj.dim(1) == 2 * state.dim(1) && u.shape() == (Shape{x_proj.dim(1), state.dim(1) / 2}))
      << "LstmStep: x_proj " << x_proj.ShapeString() << " (B, 4n), state " << state.ShapeString() << " (B, 2n), U "
      << u.ShapeString() << " (4n, n)";
  NMT_CHECK(mask == nullptr || mask->size() == state.dim(0))
      << "LstmStep: mask " << mask->ShapeString() << " for state " << state.ShapeString();
  const int64_t batch = state.dim(0), n = state.dim(1) / 2;
  DeviceContext& context = tape.context();
  LstmStepTensors t;
  t.x_proj = x_proj.value();
  t.state = state.value();
  t.u = u.value();
  t.u_is_parameter = u.is_parameter();
  if (mask != nullptr) t.mask = *mask;
  if (recurrent_mask != nullptr) {
    NMT_CHECK(recurrent_mask->shape() == (Shape{batch, n}))
        << "LstmStep: recurrent mask " << recurrent_mask->ShapeString() << " for state " << state.ShapeString();
    t.recurrent_mask = *recurrent_mask;
  }
  t.h = context.Allocate({batch, n});
  t.gates = context.Allocate({batch, 3 * n});
  t.candidate = context.Allocate({batch, n});
  t.cell_tanh = context.Allocate({batch, n});
  Tensor y = context.Allocate({batch, 2 * n});
  KernelsFor(context).lstm_step_forward(context, t, y);
  return tape.Record("LstmStep", y, {x_proj, state, u}, [&tape, t, x_proj, state, u](const Tensor& dy) {
    LstmStepGrads grads;
    if (x_proj.requires_grad()) grads.dx_proj = tape.GradOf(x_proj);
    if (state.requires_grad()) grads.dstate = tape.GradOf(state);
    if (u.requires_grad()) grads.du = tape.GradOf(u);
    KernelsFor(tape.context()).lstm_step_backward(tape.context(), t, dy, grads);
  });
}

}  // namespace nmt
