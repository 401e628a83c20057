#include "datasets/batcher.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/check.h"
#include "base/fnv1a.h"
#include "base/random.h"
#include "datasets/special_ids.h"

namespace nmt::datasets {
namespace {

bool WithinLimit(const std::vector<int32_t>& ids, int limit) { return limit <= 0 || SentenceLength(ids) <= limit; }

int SortKey(const Example& example) { return std::max(SentenceLength(example.source), SentenceLength(example.target)); }

}  // namespace

int SentenceLength(absl::Span<const int32_t> ids) {
  const int n = static_cast<int>(ids.size());
  return (n > 0 && ids.back() == kEosId) ? n - 1 : n;
}

absl::StatusOr<TrainingBatcher> TrainingBatcher::Create(std::vector<Example> examples, const BatcherOptions& options) {
  if (options.batch_size <= 0 || options.batches_per_chunk <= 0 || options.max_target_tokens < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TrainingBatcher: batch_size ", options.batch_size, " and batches_per_chunk ", options.batches_per_chunk,
        " must be positive, max_target_tokens ", options.max_target_tokens, " non-negative"));
  }
  TrainingBatcher batcher(std::move(examples), options);
  if (batcher.kept_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("TrainingBatcher: no example within the length limits (source ",
                                                   options.max_source_length, ", target ", options.max_target_length,
                                                   "); ", batcher.dropped_, " dropped"));
  }
  batcher.StartEpoch();
  batcher.LoadChunk(0);
  return batcher;
}

TrainingBatcher::TrainingBatcher(std::vector<Example> examples, const BatcherOptions& options)
    : examples_(std::move(examples)), options_(options) {
  for (size_t i = 0; i < examples_.size(); ++i) {
    if (WithinLimit(examples_[i].source, options_.max_source_length) &&
        WithinLimit(examples_[i].target, options_.max_target_length)) {
      kept_.push_back(static_cast<int64_t>(i));
    } else {
      ++dropped_;
    }
  }
}

void TrainingBatcher::StartEpoch() {
  order_ = kept_;
  SplitMix64 rng(options_.seed + static_cast<uint64_t>(epoch_));
  ShuffleInPlace(order_, rng);
}

void TrainingBatcher::LoadChunk(int64_t chunk_start) {
  chunk_start_ = chunk_start;
  batches_taken_ = 0;
  chunk_batches_.clear();
  const int64_t chunk_size = static_cast<int64_t>(options_.batch_size) * options_.batches_per_chunk;
  const int64_t end = std::min<int64_t>(chunk_start + chunk_size, order_.size());
  std::vector<int64_t> chunk(order_.begin() + chunk_start, order_.begin() + end);
  std::stable_sort(chunk.begin(), chunk.end(),
                   [this](int64_t a, int64_t b) { return SortKey(examples_[a]) < SortKey(examples_[b]); });
  if (options_.max_target_tokens == 0) {
    for (size_t i = 0; i < chunk.size(); i += options_.batch_size) {
      const size_t stop = std::min(chunk.size(), i + options_.batch_size);
      chunk_batches_.emplace_back(chunk.begin() + i, chunk.begin() + stop);
    }
    return;
  }
  std::vector<int64_t> current;
  int64_t longest = 0;
  for (int64_t index : chunk) {
    const int64_t length = static_cast<int64_t>(examples_[index].target.size());
    const int64_t padded = static_cast<int64_t>(current.size() + 1) * std::max(longest, length);
    if (!current.empty() && padded > options_.max_target_tokens) {
      chunk_batches_.push_back(std::move(current));
      current.clear();
      longest = 0;
    }
    current.push_back(index);
    longest = std::max(longest, length);
  }
  if (!current.empty()) chunk_batches_.push_back(std::move(current));
}

Batch TrainingBatcher::Next() {
  if (batches_taken_ == static_cast<int64_t>(chunk_batches_.size())) {
    int64_t next_start = chunk_start_ + static_cast<int64_t>(options_.batch_size) * options_.batches_per_chunk;
    if (next_start >= static_cast<int64_t>(order_.size())) {
      ++epoch_;
      StartEpoch();
      next_start = 0;
    }
    LoadChunk(next_start);
  }
  return MakeBatch(examples_, chunk_batches_[batches_taken_++]);
}

uint64_t TrainingBatcher::Fingerprint() const {
  // FNV-1a over every id of every kept example, one step per id (Fnv1a64Word): cheap, and
  // catches a different corpus (or a different vocabulary) that happens to have the same
  // number of examples.
  uint64_t hash = kFnv1a64OffsetBasis;
  auto mix = [&hash](uint64_t value) { hash = Fnv1a64Word(hash, value); };
  for (int64_t index : kept_) {
    for (int32_t id : examples_[index].source) mix(static_cast<uint32_t>(id));
    mix(~0ULL);
    for (int32_t id : examples_[index].target) mix(static_cast<uint32_t>(id));
    mix(~1ULL);
  }
  return hash;
}

BatcherState TrainingBatcher::State() const {
  BatcherState state;
  state.set_seed(options_.seed);
  state.set_epoch(epoch_);
  state.set_chunk_start(chunk_start_);
  state.set_batches_taken(batches_taken_);
  state.set_num_examples(num_examples());
  state.set_data_fingerprint(Fingerprint());
  state.set_batch_size(options_.batch_size);
  state.set_batches_per_chunk(options_.batches_per_chunk);
  state.set_max_target_tokens(options_.max_target_tokens);
  state.set_max_source_length(options_.max_source_length);
  state.set_max_target_length(options_.max_target_length);
  return state;
}

absl::Status TrainingBatcher::Restore(const BatcherState& state) {
  const BatcherState mine = State();
  auto mismatch = [](absl::string_view field, auto saved, auto current) {
    return absl::FailedPreconditionError(
        absl::StrCat("TrainingBatcher::Restore: ", field, " was ", saved, " when saved, is ", current, " now"));
  };
  if (state.seed() != mine.seed()) return mismatch("seed", state.seed(), mine.seed());
  if (state.num_examples() != mine.num_examples()) {
    return mismatch("num_examples", state.num_examples(), mine.num_examples());
  }
  if (state.data_fingerprint() != mine.data_fingerprint()) {
    return mismatch("data_fingerprint", state.data_fingerprint(), mine.data_fingerprint());
  }
  if (state.batch_size() != mine.batch_size()) {
    return mismatch("batch_size", state.batch_size(), mine.batch_size());
  }
  if (state.batches_per_chunk() != mine.batches_per_chunk()) {
    return mismatch("batches_per_chunk", state.batches_per_chunk(), mine.batches_per_chunk());
  }
  if (state.max_target_tokens() != mine.max_target_tokens()) {
    return mismatch("max_target_tokens", state.max_target_tokens(), mine.max_target_tokens());
  }
  if (state.max_source_length() != mine.max_source_length() || state.max_target_length() != mine.max_target_length()) {
    return mismatch("length limits", absl::StrCat(state.max_source_length(), "/", state.max_target_length()),
                    absl::StrCat(mine.max_source_length(), "/", mine.max_target_length()));
  }
  const int64_t chunk_size = static_cast<int64_t>(options_.batch_size) * options_.batches_per_chunk;
  if (state.epoch() < 0 || state.chunk_start() < 0 || state.chunk_start() >= num_examples() ||
      state.chunk_start() % chunk_size != 0 || state.batches_taken() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("TrainingBatcher::Restore: position out of range: epoch ",
                                                   state.epoch(), ", chunk_start ", state.chunk_start(),
                                                   ", batches_taken ", state.batches_taken()));
  }
  const int64_t old_epoch = epoch_, old_chunk_start = chunk_start_, old_taken = batches_taken_;
  epoch_ = state.epoch();
  StartEpoch();
  LoadChunk(state.chunk_start());
  if (state.batches_taken() > static_cast<int64_t>(chunk_batches_.size())) {
    const size_t chunk_batches = chunk_batches_.size();
    // Leave the batcher where it was rather than half-restored.
    epoch_ = old_epoch;
    StartEpoch();
    LoadChunk(old_chunk_start);
    batches_taken_ = old_taken;
    return absl::InvalidArgumentError(absl::StrCat("TrainingBatcher::Restore: batches_taken ", state.batches_taken(),
                                                   " but the chunk has ", chunk_batches));
  }
  batches_taken_ = state.batches_taken();
  return absl::OkStatus();
}

SequentialBatcher::SequentialBatcher(std::vector<Example> examples, int batch_size)
    : examples_(std::move(examples)), batch_size_(batch_size) {
  NMT_CHECK(batch_size > 0) << "SequentialBatcher: batch_size " << batch_size;
}

std::optional<Batch> SequentialBatcher::Next() {
  const int64_t total = static_cast<int64_t>(examples_.size());
  if (position_ >= total) return std::nullopt;
  const int64_t end = std::min<int64_t>(total, position_ + batch_size_);
  std::vector<int64_t> indices(end - position_);
  std::iota(indices.begin(), indices.end(), position_);
  position_ = end;
  return MakeBatch(examples_, indices);
}

}  // namespace nmt::datasets
