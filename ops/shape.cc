#include "ops/shape.h"

#include <memory>

#include "base/check.h"
#include "ops/backend.h"
#include "ops/kernels/shape_util.h"

namespace nmt {
namespace {

// Elements before `axis` (outer) and after it (inner).
std::pair<int64_t, int64_t> OuterInner(const Shape& shape, int axis) {
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < static_cast<int>(shape.size()); ++i) {
    if (i < axis) outer *= shape[i];
    if (i > axis) inner *= shape[i];
  }
  return {outer, inner};
}

}  // namespace

Var Reshape(Var x, const Shape& shape) {
  Tape& tape = TapeFor("Reshape", {x});
  NMT_CHECK(NumElements(shape) == x.size())
      << "Reshape: " << x.ShapeString() << " to " << ShapeString(shape) << " changes the element count";
  return tape.Record("Reshape", x.value().Reshaped(shape), {x}, [&tape, x](const Tensor& dy) {
    KernelsFor(tape.context()).axpy(tape.context(), 1.0f, dy, tape.GradOf(x));
  });
}

Var Transpose(Var x, absl::Span<const int> perm) {
  Tape& tape = TapeFor("Transpose", {x});
  const int rank = x.rank();
  NMT_CHECK(static_cast<int>(perm.size()) == rank)
      << "Transpose: permutation of " << perm.size() << " axes for shape " << x.ShapeString();
  std::vector<int> inverse(rank, -1);
  Shape y_shape(rank);
  for (int i = 0; i < rank; ++i) {
    NMT_CHECK(perm[i] >= 0 && perm[i] < rank && inverse[perm[i]] == -1)
        << "Transpose: not a permutation of the axes of " << x.ShapeString();
    inverse[perm[i]] = i;
    y_shape[i] = x.dim(perm[i]);
  }
  DeviceContext& context = tape.context();
  Tensor y = context.Allocate(y_shape);
  KernelsFor(context).permute(context, x.value(), perm, false, y);
  return tape.Record("Transpose", y, {x}, [&tape, x, inverse](const Tensor& dy) {
    KernelsFor(tape.context()).permute(tape.context(), dy, inverse, true, tape.GradOf(x));
  });
}

Var Concat(absl::Span<const Var> xs, int axis) {
  Tape& tape = TapeFor("Concat", xs);
  NMT_CHECK(!xs.empty()) << "Concat: no inputs";
  axis = NormalizeAxis("Concat", xs[0].shape(), axis);
  Shape y_shape = xs[0].shape();
  y_shape[axis] = 0;
  for (const Var& x : xs) {
    Shape other = x.shape();
    NMT_CHECK(other.size() == y_shape.size()) << "Concat: shapes " << xs[0].ShapeString() << " and " << x.ShapeString();
    other[axis] = 0;
    Shape expected = y_shape;
    expected[axis] = 0;
    NMT_CHECK(other == expected) << "Concat along axis " << axis << ": shapes " << xs[0].ShapeString() << " and "
                                 << x.ShapeString();
    y_shape[axis] += x.dim(axis);
  }
  DeviceContext& context = tape.context();
  const Kernels& k = KernelsFor(context);
  Tensor y = context.Allocate(y_shape);
  const auto [outer, inner] = OuterInner(y_shape, axis);
  auto offsets = std::make_shared<std::vector<int64_t>>();
  int64_t begin = 0;
  for (const Var& x : xs) {
    offsets->push_back(begin);
    const int64_t cols = x.dim(axis) * inner;
    k.copy_columns(context, x.value(), 0, y, begin, outer, cols, false);
    begin += cols;
  }
  std::vector<Var> inputs(xs.begin(), xs.end());
  return tape.Record("Concat", y, xs, [&tape, inputs, offsets, outer = outer, inner = inner, axis](const Tensor& dy) {
    const Kernels& k = KernelsFor(tape.context());
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].requires_grad()) continue;
      k.copy_columns(tape.context(), dy, (*offsets)[i], tape.GradOf(inputs[i]), 0, outer, inputs[i].dim(axis) * inner,
                     true);
    }
  });
}

Var Slice(Var x, int axis, int64_t begin, int64_t length) {
  Tape& tape = TapeFor("Slice", {x});
  axis = NormalizeAxis("Slice", x.shape(), axis);
  NMT_CHECK(begin >= 0 && length >= 0 && begin + length <= x.dim(axis))
      << "Slice: [" << begin << ", " << begin + length << ") of axis " << axis << " of " << x.ShapeString();
  Shape y_shape = x.shape();
  y_shape[axis] = length;
  const auto [outer, inner] = OuterInner(x.shape(), axis);
  DeviceContext& context = tape.context();
  Tensor y = context.Allocate(y_shape);
  KernelsFor(context).copy_columns(context, x.value(), begin * inner, y, 0, outer, length * inner, false);
  return tape.Record("Slice", y, {x}, [&tape, x, begin, length, outer = outer, inner = inner](const Tensor& dy) {
    KernelsFor(tape.context())
        .copy_columns(tape.context(), dy, 0, tape.GradOf(x), begin * inner, outer, length * inner, true);
  });
}

std::vector<Var> Split(Var x, absl::Span<const int64_t> sizes, int axis) {
  axis = NormalizeAxis("Split", x.shape(), axis);
  int64_t total = 0;
  for (int64_t s : sizes) total += s;
  NMT_CHECK(total == x.dim(axis)) << "Split: sizes add up to " << total << ", not axis " << axis << " of "
                                  << x.ShapeString();
  std::vector<Var> pieces;
  int64_t begin = 0;
  for (int64_t s : sizes) {
    pieces.push_back(Slice(x, axis, begin, s));
    begin += s;
  }
  return pieces;
}

}  // namespace nmt
