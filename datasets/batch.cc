#include "datasets/batch.h"

#include <algorithm>
#include <numeric>

#include "base/check.h"
#include "datasets/special_ids.h"

namespace nmt::datasets {
namespace {

// Fills one side of a batch: ids right-padded with kPadId and the matching 1/0 mask.
void FillSide(const std::vector<int32_t>& ids, int row, int length, std::vector<int32_t>& out_ids,
              std::vector<float>& out_mask) {
  std::copy(ids.begin(), ids.end(), out_ids.begin() + static_cast<size_t>(row) * length);
  std::fill_n(out_mask.begin() + static_cast<size_t>(row) * length, ids.size(), 1.0f);
}

// Real tokens of row `row` of a right-padded side: its mask's ones come first.
int RowLength(const std::vector<float>& mask, int row, int length) {
  const float* begin = mask.data() + static_cast<size_t>(row) * length;
  return static_cast<int>(std::find(begin, begin + length, 0.0f) - begin);
}

// Copies rows [begin, end) of one side of `batch`, cut to `new_length` columns.
template <typename T>
std::vector<T> CopyRows(const std::vector<T>& side, int length, int begin, int end, int new_length) {
  std::vector<T> out(static_cast<size_t>(end - begin) * new_length);
  for (int row = begin; row < end; ++row) {
    const T* from = side.data() + static_cast<size_t>(row) * length;
    std::copy(from, from + new_length, out.begin() + static_cast<size_t>(row - begin) * new_length);
  }
  return out;
}

}  // namespace

RowRange ShardRows(int rows, int rank, int ranks) {
  NMT_CHECK(rows >= 0 && ranks > 0 && rank >= 0 && rank < ranks)
      << "ShardRows: rank " << rank << " of " << ranks << ", " << rows << " rows";
  auto bound = [&](int r) { return static_cast<int>(static_cast<int64_t>(rows) * r / ranks); };
  return {bound(rank), bound(rank + 1)};
}

Batch SliceRows(const Batch& batch, int begin, int end) {
  NMT_CHECK(begin >= 0 && begin <= end && end <= batch.batch_size)
      << "SliceRows: rows [" << begin << ", " << end << ") of " << batch.batch_size;
  Batch slice;
  slice.batch_size = end - begin;
  for (int row = begin; row < end; ++row) {
    slice.source_length = std::max(slice.source_length, RowLength(batch.source_mask, row, batch.source_length));
    slice.target_length = std::max(slice.target_length, RowLength(batch.target_mask, row, batch.target_length));
  }
  slice.source_ids = CopyRows(batch.source_ids, batch.source_length, begin, end, slice.source_length);
  slice.source_mask = CopyRows(batch.source_mask, batch.source_length, begin, end, slice.source_length);
  slice.target_ids = CopyRows(batch.target_ids, batch.target_length, begin, end, slice.target_length);
  slice.target_mask = CopyRows(batch.target_mask, batch.target_length, begin, end, slice.target_length);
  if (!batch.example_indices.empty()) {
    slice.example_indices.assign(batch.example_indices.begin() + begin, batch.example_indices.begin() + end);
  }
  return slice;
}

int64_t Batch::num_target_tokens() const {
  int64_t total = 0;
  for (float m : target_mask) total += m != 0.0f;
  return total;
}

Batch MakeBatch(absl::Span<const Example> examples, absl::Span<const int64_t> indices) {
  NMT_CHECK(!indices.empty()) << "MakeBatch: no examples";
  Batch batch;
  batch.batch_size = static_cast<int>(indices.size());
  for (int64_t index : indices) {
    NMT_CHECK(index >= 0 && index < static_cast<int64_t>(examples.size()))
        << "MakeBatch: index " << index << " of " << examples.size();
    batch.source_length = std::max(batch.source_length, static_cast<int>(examples[index].source.size()));
    batch.target_length = std::max(batch.target_length, static_cast<int>(examples[index].target.size()));
  }
  const size_t source_size = static_cast<size_t>(batch.batch_size) * batch.source_length;
  const size_t target_size = static_cast<size_t>(batch.batch_size) * batch.target_length;
  batch.source_ids.assign(source_size, kPadId);
  batch.source_mask.assign(source_size, 0.0f);
  batch.target_ids.assign(target_size, kPadId);
  batch.target_mask.assign(target_size, 0.0f);
  for (int row = 0; row < batch.batch_size; ++row) {
    const Example& example = examples[indices[row]];
    FillSide(example.source, row, batch.source_length, batch.source_ids, batch.source_mask);
    FillSide(example.target, row, batch.target_length, batch.target_ids, batch.target_mask);
  }
  batch.example_indices.assign(indices.begin(), indices.end());
  return batch;
}

Batch MakeBatch(const std::vector<std::vector<int32_t>>& sources, const std::vector<std::vector<int32_t>>& targets) {
  NMT_CHECK(targets.empty() || targets.size() == sources.size())
      << "MakeBatch: " << sources.size() << " source and " << targets.size() << " target sentences";
  std::vector<Example> examples(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    examples[i].source = sources[i];
    if (!targets.empty()) examples[i].target = targets[i];
  }
  std::vector<int64_t> indices(examples.size());
  std::iota(indices.begin(), indices.end(), 0);
  return MakeBatch(examples, indices);
}

}  // namespace nmt::datasets
