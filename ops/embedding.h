// EmbeddingLookup: rows of a (vocabulary, width) table gathered by id.
//
//   Tensor ids = context.FromInt32s({B, T}, batch.source_ids);   // i32, on the tape's device
//   Var x = EmbeddingLookup(E, ids);                             // (B, T, m)
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

// y[i..., :] = table[ids[i...], :] for an i32 `ids` on the tape's device, y of shape
// ids.shape() + [width]. dtable[ids[i]] += dy[i] (scatter-add).  Saves the ids.
Var EmbeddingLookup(Var table, const Tensor& ids);
// The same for host ids of shape ids_shape, uploaded to the tape's device first.
Var EmbeddingLookup(Var table, absl::Span<const int32_t> ids, const Shape& ids_shape);

}  // namespace nmt

#endif  // NMT_OPS_EMBEDDING_H_
