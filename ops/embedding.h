// Embedding lookup: rows of a (vocabulary, width) table gathered by id.
//
//   Var x = Embedding(E, batch.src_ids, {batch_size, src_len});   // (B, T, m)
//
// The paper writes E x_j with one-hot x_j; a gather is the same product without
// the zeros. Its backward scatter-adds: a word used twice gets both gradients.
#ifndef NMT_OPS_EMBEDDING_H_
#define NMT_OPS_EMBEDDING_H_

#include <cstdint>

#include "absl/types/span.h"
#include "autograd/tape.h"

namespace nmt {

// y[i..., :] = table[ids[i...], :], y of shape ids_shape + [width].
// dtable[ids[i]] += dy[i] (scatter-add).  Saves the ids.
Var Embedding(Var table, absl::Span<const int32_t> ids, const Shape& ids_shape);

}  // namespace nmt

#endif  // NMT_OPS_EMBEDDING_H_
