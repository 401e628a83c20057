#include "ops/gru.h"

#include "base/check.h"
#include "ops/backend.h"

namespace nmt {

Var GruStep(Var x_proj, Var h, Var u_zr, Var u, const Tensor* mask, GruForm form, const Tensor* recurrent_mask) {
  Tape& tape = TapeFor("GruStep", {x_proj, h, u_zr, u});
  NMT_CHECK(h.rank() == 2 && x_proj.rank() == 2 && x_proj.dim(0) == h.dim(0) && x_proj.dim(1) == 3 * h.dim(1))
      << "GruStep: x_proj " << x_proj.ShapeString() << " is not (B, 3n) for h " << h.ShapeString();
  NMT_CHECK(mask == nullptr || mask->size() == h.dim(0))
      << "GruStep: mask " << mask->ShapeString() << " for h " << h.ShapeString();
  const int64_t batch = h.dim(0), n = h.dim(1);
  DeviceContext& context = tape.context();
  GruStepTensors t;
  t.linear_before_reset = form == GruForm::kLinearBeforeReset;
  t.x_proj = x_proj.value();
  t.h = h.value();
  t.u_zr = u_zr.value();
  t.u = u.value();
  t.u_is_parameter = u_zr.is_parameter() && u.is_parameter();
  if (mask != nullptr) t.mask = *mask;
  if (recurrent_mask != nullptr) {
    NMT_CHECK(recurrent_mask->shape() == h.shape())
        << "GruStep: recurrent mask " << recurrent_mask->ShapeString() << " for h " << h.ShapeString();
    t.recurrent_mask = *recurrent_mask;
    t.h_dropped = context.Allocate({batch, n});
  }
  t.gates = context.Allocate({batch, 2 * n});
  t.candidate = context.Allocate({batch, n});
  t.recurrent = context.Allocate({batch, n});
  Tensor y = context.Allocate({batch, n});
  KernelsFor(context).gru_step_forward(context, t, y);
  return tape.Record("GruStep", y, {x_proj, h, u_zr, u}, [&tape, t, x_proj, h, u_zr, u](const Tensor& dy) {
    GruStepGrads grads;
    if (x_proj.requires_grad()) grads.dx_proj = tape.GradOf(x_proj);
    if (h.requires_grad()) grads.dh = tape.GradOf(h);
    if (u_zr.requires_grad()) grads.du_zr = tape.GradOf(u_zr);
    if (u.requires_grad()) grads.du = tape.GradOf(u);
    KernelsFor(tape.context()).gru_step_backward(tape.context(), t, dy, grads);
  });
}

}  // namespace nmt
