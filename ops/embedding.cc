#include "ops/embedding.h"

#include <memory>
#include <vector>

#include "base/check.h"
#include "ops/backend.h"

namespace nmt {

Var EmbeddingLookup(Var table, absl::Span<const int32_t> ids, const Shape& ids_shape) {
  Tape& tape = TapeFor("EmbeddingLookup", {table});
  NMT_CHECK(table.rank() == 2) << "EmbeddingLookup: table " << table.ShapeString() << " is not (vocabulary, width)";
  NMT_CHECK(static_cast<int64_t>(ids.size()) == NumElements(ids_shape))
      << "EmbeddingLookup: " << ids.size() << " ids for shape " << ShapeString(ids_shape);
  Shape y_shape = ids_shape;
  y_shape.push_back(table.dim(1));
  DeviceContext& context = tape.context();
  Tensor y = context.Allocate(y_shape);
  auto saved_ids = std::make_shared<std::vector<int32_t>>(ids.begin(), ids.end());
  KernelsFor(context).embedding_forward(context, table.value(), *saved_ids, y);
  return tape.Record("EmbeddingLookup", y, {table}, [&tape, table, saved_ids](const Tensor& dy) {
    KernelsFor(tape.context()).embedding_backward(tape.context(), *saved_ids, dy, tape.GradOf(table));
  });
}

}  // namespace nmt
