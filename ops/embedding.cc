#include "ops/embedding.h"

#include "base/check.h"
#include "ops/backend.h"

namespace nmt {

Var EmbeddingLookup(Var table, const Tensor& ids) {
  Tape& tape = TapeFor("EmbeddingLookup", {table});
  NMT_CHECK(table.rank() == 2) << "EmbeddingLookup: table " << table.ShapeString() << " is not (vocabulary, width)";
  DeviceContext& context = tape.context();
  NMT_CHECK(ids.defined() && ids.dtype() == DType::kI32 && ids.device() == context.device())
      << "EmbeddingLookup: ids must be an i32 tensor on " << DeviceName(context.device()) << ", got "
      << (ids.defined() ? DTypeName(ids.dtype()) : "undefined") << " on "
      << (ids.defined() ? DeviceName(ids.device()) : "-");
  Shape y_shape = ids.shape();
  y_shape.push_back(table.dim(1));
  Tensor y = context.Allocate(y_shape);
  KernelsFor(context).embedding_forward(context, table.value(), ids, y);
  return tape.Record("EmbeddingLookup", y, {table}, [&tape, table, ids](const Tensor& dy) {
    KernelsFor(tape.context()).embedding_backward(tape.context(), ids, dy, tape.GradOf(table));
  });
}

Var EmbeddingLookup(Var table, absl::Span<const int32_t> ids, const Shape& ids_shape) {
  NMT_CHECK(static_cast<int64_t>(ids.size()) == NumElements(ids_shape))
      << "EmbeddingLookup: " << ids.size() << " ids for shape " << ShapeString(ids_shape);
  return EmbeddingLookup(table, CurrentTape("EmbeddingLookup").context().FromInt32s(ids_shape, ids));
}

}  // namespace nmt
