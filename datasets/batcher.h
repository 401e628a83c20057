// Minibatches of integer ids and masks for training (shuffled, length-sorted chunks: the paper's
// Sec. 4.2 and GroundHog's 20 x 80 batches) and for dev/test decoding (sequential, original order).
//
//   std::vector<Example> examples = ...;        // ids from Vocabulary::Encode, EOS included
//   BatcherOptions options;                     // paper defaults: 80 x 20, lengths <= 50
//   absl::StatusOr<TrainingBatcher> batcher = TrainingBatcher::Create(examples, options);
//   Batch batch = batcher->Next();              // B x T row-major ids and masks
//   BatcherState state = batcher->State();      // into the checkpoint
//   ...
//   absl::Status s = restored.Restore(state);   // continues with exactly the same batches
//
// Rules (and the choices made where the paper is silent):
// - Lengths are counted in tokens without the final EOS, so "max_source_length = 50" keeps
//   the same sentences as the paper's "up to 50 words". Longer pairs are dropped (GroundHog
//   drops them too) and counted in dropped_examples().
// - Each epoch visits the kept examples in the order of a Fisher-Yates shuffle driven by
//   SplitMix64(seed + epoch) (base/random.h says why this generator).
// - The shuffled order is read in chunks of batch_size * batches_per_chunk pairs (1,600).
//   A chunk is stably sorted by max(source length, target length) and cut into batches that
//   are returned shortest first, as GroundHog's get_homogenous_batch_iter does. The last
//   chunk of an epoch may be smaller, and so may its last batch; nothing is dropped.
// - With max_target_tokens > 0, a chunk is cut instead into batches whose padded target size
//   (B x longest target, EOS included) stays within that budget; a single pair over the
//   budget forms its own batch.
// - Batches are right-padded with kPadId; masks are 1.0 on real tokens (EOS included) and
//   0.0 on padding (batch.h).
#ifndef NMT_DATASETS_BATCHER_H_
#define NMT_DATASETS_BATCHER_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "datasets/batch.h"
#include "datasets/batcher_state.pb.h"

namespace nmt::datasets {

// Tokens before the final EOS: the length the paper's limits refer to.
int SentenceLength(absl::Span<const int32_t> ids);

struct BatcherOptions {
  int max_source_length = 50;  // tokens without EOS; 0 means no limit
  int max_target_length = 50;
  int batch_size = 80;
  int batches_per_chunk = 20;
  int64_t max_target_tokens = 0;  // > 0 switches to token-count batching
  uint64_t seed = 1234;
};

class TrainingBatcher {
 public:
  // InvalidArgument for non-positive sizes or when no example survives the length limits.
  static absl::StatusOr<TrainingBatcher> Create(std::vector<Example> examples, const BatcherOptions& options);

  // The next batch; crosses into the next epoch (reshuffling) when this one is exhausted.
  Batch Next();

  BatcherState State() const;
  // FailedPrecondition if the state was saved with other options or other data.
  absl::Status Restore(const BatcherState& state);

  // The epoch of the batch Next returned last (epochs count from 0).
  int64_t epoch() const { return epoch_; }
  int64_t num_examples() const { return static_cast<int64_t>(kept_.size()); }
  int64_t dropped_examples() const { return dropped_; }

 private:
  TrainingBatcher(std::vector<Example> examples, const BatcherOptions& options);
  // Shuffles the kept examples for epoch_ and loads the chunk starting at `chunk_start`.
  void StartEpoch();
  void LoadChunk(int64_t chunk_start);
  uint64_t Fingerprint() const;

  std::vector<Example> examples_;
  BatcherOptions options_;
  std::vector<int64_t> kept_;  // indices into examples_ within the length limits
  int64_t dropped_ = 0;

  int64_t epoch_ = 0;
  std::vector<int64_t> order_;  // this epoch's shuffled kept_
  int64_t chunk_start_ = 0;
  std::vector<std::vector<int64_t>> chunk_batches_;
  int64_t batches_taken_ = 0;
};

// Dev/test batches: consecutive examples in their original order, nothing filtered or
// sorted, so that outputs can be written back line by line.
class SequentialBatcher {
 public:
  SequentialBatcher(std::vector<Example> examples, int batch_size);

  // The next batch, or nullopt after the last one (until Reset).
  std::optional<Batch> Next();
  void Reset() { position_ = 0; }

 private:
  std::vector<Example> examples_;
  int batch_size_;
  int64_t position_ = 0;
};

}  // namespace nmt::datasets

#endif  // NMT_DATASETS_BATCHER_H_
