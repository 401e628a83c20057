#include "ops/matmul.h"

#include <vector>

#include "base/check.h"
#include "ops/backend.h"

namespace nmt {
namespace {

struct Product {
  int64_t batch, m, n, k;
  bool batch_b;
};

Product CheckProduct(Var a, Var b, bool trans_a, bool trans_b) {
  const int ra = a.rank(), rb = b.rank();
  NMT_CHECK((ra == 2 && rb == 2) || (ra == 3 && (rb == 3 || rb == 2)))
      << "MatMul: ranks " << ra << " and " << rb << " (shapes " << a.ShapeString() << " and " << b.ShapeString()
      << ") are not 2-D, batched 3-D, or 3-D by 2-D";
  Product p;
  p.batch = ra == 3 ? a.dim(0) : 1;
  p.batch_b = rb == 3;
  NMT_CHECK(!p.batch_b || b.dim(0) == p.batch)
      << "MatMul: batch sizes differ: " << a.ShapeString() << " and " << b.ShapeString();
  p.m = trans_a ? a.dim(-1) : a.dim(-2);
  p.k = trans_a ? a.dim(-2) : a.dim(-1);
  const int64_t kb = trans_b ? b.dim(-1) : b.dim(-2);
  p.n = trans_b ? b.dim(-2) : b.dim(-1);
  NMT_CHECK(p.k == kb) << "MatMul: inner dimensions differ: " << a.ShapeString() << (trans_a ? "ᵀ" : "") << " · "
                       << b.ShapeString() << (trans_b ? "ᵀ" : "");
  return p;
}

}  // namespace

Var MatMul(Var a, Var b, bool trans_a, bool trans_b) {
  Tape& tape = TapeFor("MatMul", {a, b});
  const Product p = CheckProduct(a, b, trans_a, trans_b);
  DeviceContext& context = tape.context();
  Tensor y = context.Allocate(a.rank() == 3 ? Shape{p.batch, p.m, p.n} : Shape{p.m, p.n});
  GemmArgs g{.batch = p.batch,
             .m = p.m,
             .n = p.n,
             .k = p.k,
             .trans_a = trans_a,
             .trans_b = trans_b,
             .batch_b = p.batch_b,
             .a_is_parameter = a.is_parameter(),
             .b_is_parameter = b.is_parameter(),
             .a = a.value().data(),
             .b = b.value().data(),
             .c = y.data()};
  KernelsFor(context).gemm(context, g);
  return tape.Record("MatMul", y, {a, b}, [&tape, p, a, b, trans_a, trans_b](const Tensor& dy) {
    DeviceContext& context = tape.context();
    const Kernels& k = KernelsFor(context);
    if (a.requires_grad()) {
      GemmArgs g{.batch = p.batch, .batch_b = p.batch_b, .accumulate = true, .c = tape.GradOf(a).data()};
      if (!trans_a) {  // dA = dY op(B)ᵀ
        g.m = p.m, g.n = p.k, g.k = p.n;
        g.a = dy.data(), g.b = b.value().data(), g.trans_b = !trans_b, g.b_is_parameter = b.is_parameter();
      } else {  // dA (k×m) = op(B) dYᵀ
        g.m = p.k, g.n = p.m, g.k = p.n;
        g.a = b.value().data(), g.trans_a = trans_b, g.b = dy.data(), g.trans_b = true;
        g.a_is_parameter = b.is_parameter();
        if (!p.batch_b) {  // a shared B cannot be the first operand of a batched product: loop over the batch
          for (int64_t i = 0; i < p.batch; ++i) {
            GemmArgs one = g;
            one.batch = 1;
            one.b = dy.data() + i * p.m * p.n;
            one.c = tape.GradOf(a).data() + i * p.m * p.k;
            k.gemm(context, one);
          }
          g.batch = 0;
        }
      }
      if (g.batch > 0) k.gemm(context, g);
    }
    if (b.requires_grad()) {
      float* db = tape.GradOf(b).data();
      if (p.batch_b) {
        GemmArgs g{.batch = p.batch, .accumulate = true, .c = db};
        if (!trans_b) {  // dB = op(A)ᵀ dY
          g.m = p.k, g.n = p.n, g.k = p.m;
          g.a = a.value().data(), g.trans_a = !trans_a, g.b = dy.data();
        } else {  // dB (n×k) = dYᵀ op(A)
          g.m = p.n, g.n = p.k, g.k = p.m;
          g.a = dy.data(), g.trans_a = true, g.b = a.value().data(), g.trans_b = trans_a;
        }
        k.gemm(context, g);
      } else {
        for (int64_t i = 0; i < p.batch; ++i) {  // a shared B sums its gradient over the batch
          const float* ai = a.value().data() + i * p.m * p.k;
          const float* dyi = dy.data() + i * p.m * p.n;
          GemmArgs g{.accumulate = true, .c = db};
          if (!trans_b) {
            g.m = p.k, g.n = p.n, g.k = p.m, g.a = ai, g.trans_a = !trans_a, g.b = dyi;
          } else {
            g.m = p.n, g.n = p.k, g.k = p.m, g.a = dyi, g.trans_a = true, g.b = ai, g.trans_b = trans_a;
          }
          k.gemm(context, g);
        }
      }
    }
  });
}

Var Affine(Var x, Var w, Var b) {
  Tape& tape = b.defined() ? TapeFor("Affine", {x, w, b}) : TapeFor("Affine", {x, w});
  NMT_CHECK(w.rank() == 2 && x.rank() >= 1 && x.dim(-1) == w.dim(1))
      << "Affine: input " << x.ShapeString() << " does not match weight " << w.ShapeString() << " (out, in)";
  const int64_t out = w.dim(0), in = w.dim(1);
  NMT_CHECK(!b.defined() || (b.rank() == 1 && b.dim(0) == out))
      << "Affine: bias " << b.ShapeString() << " for weight " << w.ShapeString();
  const int64_t rows = x.size() / in;
  Shape y_shape = x.shape();
  y_shape.back() = out;
  DeviceContext& context = tape.context();
  Tensor y = context.Allocate(y_shape);
  GemmArgs g{.m = rows,
             .n = out,
             .k = in,
             .trans_b = true,
             .b_is_parameter = w.is_parameter(),
             .a = x.value().data(),
             .b = w.value().data(),
             .bias = b.defined() ? b.value().data() : nullptr,
             .c = y.data()};
  KernelsFor(context).gemm(context, g);
  std::vector<Var> inputs = {x, w};
  if (b.defined()) inputs.push_back(b);
  return tape.Record("Affine", y, inputs, [&tape, x, w, b, rows, out, in](const Tensor& dy) {
    DeviceContext& context = tape.context();
    const Kernels& k = KernelsFor(context);
    if (x.requires_grad()) {  // dx (rows×in) += dy (rows×out) · W (out×in)
      k.gemm(context, {.m = rows,
                       .n = in,
                       .k = out,
                       .accumulate = true,
                       .b_is_parameter = w.is_parameter(),
                       .a = dy.data(),
                       .b = w.value().data(),
                       .c = tape.GradOf(x).data()});
    }
    if (w.requires_grad()) {  // dW (out×in) += dyᵀ (out×rows) · x (rows×in)
      k.gemm(context, {.m = out,
                       .n = in,
                       .k = rows,
                       .trans_a = true,
                       .accumulate = true,
                       .a = dy.data(),
                       .b = x.value().data(),
                       .c = tape.GradOf(w).data()});
    }
    if (b.defined() && b.requires_grad()) {
      Tensor column_sums = context.Allocate({1, out});
      k.reduce_sum(context, dy.Reshaped({rows, out}), column_sums);
      k.axpy(context, 1.0f, column_sums, tape.GradOf(b));
    }
  });
}

}  // namespace nmt
