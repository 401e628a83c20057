// EmbeddingLookup: rows of a (vocabulary, width) table gathered by id.
//
//   Var x = EmbeddingLookup(E, batch.source_ids, {batch.batch_size, batch.source_length});   // (B, T, m)
//
// The paper writes E x_j with one-hot x_j; a gather is the same product without
// the zeros. Its backward scatter-adds: a word used twice gets both gradients.
// layers::Embedding is the module that owns the table.
#ifndef NMT_OPS_EMBEDDING_H_
#define NMT_OPS_EMBEDDING_H_

#include <cstdint>

#include "absl/types/span.h"
#include "autograd/tape.h"

namespace nmt {

// y[i..., :] = table[ids[i...], :], y of shape ids_shape + [width].
// dtable[ids[i]] += dy[i] (scatter-add).  Saves the ids.
Var EmbeddingLookup(Var table, absl::Span<const int32_t> ids, const Shape& ids_shape);

}  // namespace nmt

#endif  // NMT_OPS_EMBEDDING_H_
