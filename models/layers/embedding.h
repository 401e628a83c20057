// Embedding: the word-embedding matrix E (or Ē) of the paper's Appendix A, stored
// (vocabulary, m) so that row k is the paper's column k.
//
//   Embedding source(src_vocab, m, "src_embedding");
//   Var x = source.Forward(batch.source_ids, {batch.batch_size, batch.source_length});   // (B, T, m)
#ifndef NMT_MODELS_LAYERS_EMBEDDING_H_
#define NMT_MODELS_LAYERS_EMBEDDING_H_

#include <string>

#include "absl/types/span.h"
#include "models/layers/module.h"

namespace nmt::layers {

class Embedding : public Module {
 public:
  Embedding(int64_t vocabulary, int64_t width, const std::string& name = "E");

  // ids of shape ids_shape -> ids_shape + [width].
  Var Forward(absl::Span<const int32_t> ids, const Shape& ids_shape) const;
  Parameter& table() const { return *table_; }
  int64_t width() const { return table_->shape()[1]; }

 private:
  Parameter* table_;
};

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_EMBEDDING_H_
