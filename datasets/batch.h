// Batch: what a model reads for one training or decoding step. Ids are int32, B × T
// row-major, right-padded with kPadId; every sentence ends in kEosId; masks are float
// B × T, 1.0 on real tokens (EOS included) and 0.0 on padding. The minibatches of the
// paper's Section 4.2 (80 sentence pairs).
//
//   Batch batch = MakeBatch(examples, {4, 0, 7});                  // what the batchers return
//   Batch batch = MakeBatch({{5, 9, kEosId}, {7, kEosId}}, {{4, kEosId}, {6, 8, kEosId}});
//   Batch sources = MakeBatch({{5, 9, kEosId}}, {});                 // decoding: no targets
//   batch.num_target_tokens();                                        // 5 here
//   RowRange rows = ShardRows(batch.batch_size, rank, ranks);         // data parallelism
//   Batch shard = SliceRows(batch, rows.begin, rows.end);             // this rank's rows
#ifndef NMT_DATASETS_BATCH_H_
#define NMT_DATASETS_BATCH_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace nmt::datasets {

// One sentence pair as ids; each side ends in kEosId. The target is empty when decoding.
struct Example {
  std::vector<int32_t> source;
  std::vector<int32_t> target;
};

struct Batch {
  int batch_size = 0;               // B
  int source_length = 0;            // T_x, the longest source in the batch, EOS included
  int target_length = 0;            // T_y; 0 when decoding
  std::vector<int32_t> source_ids;  // B x T_x, row-major
  std::vector<float> source_mask;   // B x T_x
  std::vector<int32_t> target_ids;  // B x T_y
  std::vector<float> target_mask;   // B x T_y
  // Row b holds examples[example_indices[b]] of the examples the batch was made from.
  std::vector<int64_t> example_indices;

  // Real target tokens, EOS included.
  int64_t num_target_tokens() const;
};

// Right-pads the chosen examples into a Batch; NMT_CHECKs that `indices` is non-empty.
Batch MakeBatch(absl::Span<const Example> examples, absl::Span<const int64_t> indices);

// Rows [begin, end) of a batch.
struct RowRange {
  int begin = 0;
  int end = 0;
  int size() const { return end - begin; }
};

// The contiguous rows of `rank` (0 <= rank < ranks) when `rows` rows are shared among
// `ranks`: rank r takes rows [r·rows/ranks, (r+1)·rows/ranks), so shards differ by at most
// one row, keep the batch's order, and a rank gets none when rows < ranks.
RowRange ShardRows(int rows, int rank, int ranks);

// Rows [begin, end) of `batch` (0 <= begin <= end <= batch_size) as a batch of their own,
// trimmed to their longest source and target: exactly what MakeBatch makes from those
// rows' examples. begin == end gives an empty batch (batch_size 0, no ids) that keeps
// target_length 0 too.
Batch SliceRows(const Batch& batch, int begin, int end);

// Every sentence, in order: for decoding and tests. `targets` is empty (decoding) or as
// long as `sources`, which must not be empty.
Batch MakeBatch(const std::vector<std::vector<int32_t>>& sources, const std::vector<std::vector<int32_t>>& targets);

}  // namespace nmt::datasets

#endif  // NMT_DATASETS_BATCH_H_
