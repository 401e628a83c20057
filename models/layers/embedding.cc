#include "models/layers/embedding.h"

#include "ops/embedding.h"

namespace nmt::layers {

Embedding::Embedding(int64_t vocabulary, int64_t width, const std::string& name)
    : table_(RegisterParameter(name, {vocabulary, width}, Init::Normal(0.01f))) {}

Var Embedding::Forward(absl::Span<const int32_t> ids, const Shape& ids_shape) const {
  return nmt::EmbeddingLookup(table_->var(), ids, ids_shape);
}

}  // namespace nmt::layers
