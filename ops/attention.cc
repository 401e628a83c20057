#include "ops/attention.h"

#include "base/check.h"
#include "ops/backend.h"

namespace nmt {

Var AdditiveScores(Var query, Var keys, Var v) {
  Tape& tape = TapeFor("AdditiveScores", {query, keys, v});
  NMT_CHECK(keys.rank() == 3 && query.rank() == 2 && v.rank() == 1 && query.dim(0) == keys.dim(0) &&
            query.dim(1) == keys.dim(2) && v.dim(0) == keys.dim(2))
      << "AdditiveScores: query " << query.ShapeString() << " (B, n'), keys " << keys.ShapeString()
      << " (B, Tx, n'), v " << v.ShapeString() << " (n')";
  DeviceContext& context = tape.context();
  Tensor tanh_out = context.Allocate(keys.shape());
  Tensor e = context.Allocate({keys.dim(0), keys.dim(1)});
  KernelsFor(context).additive_scores_forward(context, query.value(), keys.value(), v.value(), tanh_out, e);
  return tape.Record("AdditiveScores", e, {query, keys, v}, [&tape, tanh_out, query, keys, v](const Tensor& de) {
    Tensor* dq = query.requires_grad() ? &tape.GradOf(query) : nullptr;
    Tensor* dk = keys.requires_grad() ? &tape.GradOf(keys) : nullptr;
    Tensor* dv = v.requires_grad() ? &tape.GradOf(v) : nullptr;
    KernelsFor(tape.context()).additive_scores_backward(tape.context(), tanh_out, v.value(), de, dq, dk, dv);
  });
}

Var AttentionContext(Var alpha, Var annotations) {
  Tape& tape = TapeFor("AttentionContext", {alpha, annotations});
  NMT_CHECK(annotations.rank() == 3 && alpha.shape() == (Shape{annotations.dim(0), annotations.dim(1)}))
      << "AttentionContext: alpha " << alpha.ShapeString() << " (B, Tx), annotations " << annotations.ShapeString()
      << " (B, Tx, d)";
  DeviceContext& context = tape.context();
  Tensor c = context.Allocate({annotations.dim(0), annotations.dim(2)});
  KernelsFor(context).attention_context_forward(context, alpha.value(), annotations.value(), c);
  return tape.Record("AttentionContext", c, {alpha, annotations}, [&tape, alpha, annotations](const Tensor& dc) {
    Tensor* da = alpha.requires_grad() ? &tape.GradOf(alpha) : nullptr;
    Tensor* dh = annotations.requires_grad() ? &tape.GradOf(annotations) : nullptr;
    KernelsFor(tape.context())
        .attention_context_backward(tape.context(), alpha.value(), annotations.value(), dc, da, dh);
  });
}

}  // namespace nmt
