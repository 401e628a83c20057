#include "models/layers/lstm.h"

#include <vector>

#include "base/check.h"
#include "ops/backend.h"
#include "ops/elementwise.h"
#include "ops/lstm.h"
#include "ops/matmul.h"
#include "ops/shape.h"

namespace nmt::layers {
namespace {

// The step from primitive ops: the reference the fused op is checked against.
Var ComposedStep(const LstmWeights& w, Var x_proj, Var state, const Tensor* mask, int64_t n) {
  std::vector<Var> hc = Split(state, {n, n}, 1);
  std::vector<Var> a = Split(Add(x_proj, nmt::Affine(hc[0], w.u)), {3 * n, n}, 1);
  std::vector<Var> ifo = Split(Sigmoid(a[0]), {n, n, n}, 1);
  Var c = Add(Mul(ifo[1], hc[1]), Mul(ifo[0], Tanh(a[1])));
  Var next = Concat({Mul(ifo[2], Tanh(c)), c}, 1);
  if (mask == nullptr) return next;
  return Add(state, Mul(Sub(next, state), CurrentTape("Lstm").Constant(mask->Reshaped({state.dim(0), 1}))));
}

}  // namespace

Lstm::Lstm(const LstmOptions& options) : options_(options) {
  const int64_t in = options.input_size, n = options.hidden_size, ctx = options.context_size;
  NMT_CHECK(in > 0 && n > 0 && ctx >= 0) << "Lstm: input " << in << ", hidden " << n << ", context " << ctx;
  w_i_ = RegisterParameter("W_i", {n, in}, Init::Normal(0.01f));
  w_f_ = RegisterParameter("W_f", {n, in}, Init::Normal(0.01f));
  w_o_ = RegisterParameter("W_o", {n, in}, Init::Normal(0.01f));
  w_c_ = RegisterParameter("W_c", {n, in}, Init::Normal(0.01f));
  u_i_ = RegisterParameter("U_i", {n, n}, Init::Orthogonal());
  u_f_ = RegisterParameter("U_f", {n, n}, Init::Orthogonal());
  u_o_ = RegisterParameter("U_o", {n, n}, Init::Orthogonal());
  u_c_ = RegisterParameter("U_c", {n, n}, Init::Orthogonal());
  if (ctx > 0) {
    c_i_ = RegisterParameter("C_i", {n, ctx}, Init::Normal(0.01f));
    c_f_ = RegisterParameter("C_f", {n, ctx}, Init::Normal(0.01f));
    c_o_ = RegisterParameter("C_o", {n, ctx}, Init::Normal(0.01f));
    c_c_ = RegisterParameter("C_c", {n, ctx}, Init::Normal(0.01f));
  }
  b_i_ = RegisterParameter("b_i", {n}, Init::Zeros());
  b_f_ = RegisterParameter("b_f", {n}, Init::Zeros());
  b_o_ = RegisterParameter("b_o", {n}, Init::Zeros());
  b_c_ = RegisterParameter("b_c", {n}, Init::Zeros());
}

LstmWeights Lstm::Stack() const {
  LstmWeights w;
  w.w = Concat({w_i_->var(), w_f_->var(), w_o_->var(), w_c_->var()}, 0);
  w.b = Concat({b_i_->var(), b_f_->var(), b_o_->var(), b_c_->var()}, 0);
  w.u = Concat({u_i_->var(), u_f_->var(), u_o_->var(), u_c_->var()}, 0);
  // Transposed, (n_ctx, 4n), for the layout oneDNN prefers in the per-step backward (gru.cc).
  if (c_c_ != nullptr) w.c = Transpose(Concat({c_i_->var(), c_f_->var(), c_o_->var(), c_c_->var()}, 0), {1, 0});
  return w;
}

Var Lstm::ProjectInputs(const LstmWeights& w, Var x) const { return nmt::Affine(x, w.w, w.b); }

Var Lstm::ProjectContext(const LstmWeights& w, Var x) const {
  NMT_CHECK(w.c.defined() && x.rank() == 2) << "Lstm::ProjectContext: no second input, or x " << x.ShapeString();
  return MatMul(x, w.c);
}

Var Lstm::Step(const LstmWeights& w, Var x_proj, Var state, const Tensor* mask) const {
  if (options_.fused) return LstmStep(x_proj, state, w.u, mask);
  return ComposedStep(w, x_proj, state, mask, options_.hidden_size);
}

Var Lstm::Hidden(Var state) const { return Slice(state, state.rank() - 1, 0, options_.hidden_size); }

Var Lstm::RunStates(Var inputs, const Tensor& mask, bool reverse) {
  NMT_CHECK(inputs.rank() == 3 && mask.shape() == (Shape{inputs.dim(0), inputs.dim(1)}))
      << "Lstm::Run: inputs " << inputs.ShapeString() << " (B, T, in), mask " << mask.ShapeString() << " (B, T)";
  const int64_t batch = inputs.dim(0), length = inputs.dim(1), n = options_.hidden_size;
  Tape& tape = CurrentTape("Lstm::Run");
  const LstmWeights w = Stack();
  Var proj = Transpose(ProjectInputs(w, inputs), {1, 0, 2});  // time-major: one block per step
  Var state = tape.Constant(tape.context().Zeros({batch, 2 * n}));
  std::vector<Var> states(length);
  for (int64_t i = 0; i < length; ++i) {
    const int64_t t = reverse ? length - 1 - i : i;
    Tensor step_mask = tape.context().Allocate({batch});
    // Column t of the (B, T) mask, on the mask's device.
    KernelsFor(tape.context())
        .copy_columns(tape.context(), mask, t, step_mask, 0, batch, /*cols=*/1, /*accumulate=*/false);
    state = Step(w, Reshape(Slice(proj, 0, t, 1), {batch, 4 * n}), state, &step_mask);
    states[t] = Reshape(state, {batch, 1, 2 * n});
  }
  return Concat(states, 1);
}

Var Lstm::Run(Var inputs, const Tensor& mask, bool reverse) { return Hidden(RunStates(inputs, mask, reverse)); }

}  // namespace nmt::layers
