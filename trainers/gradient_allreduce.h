// GradientAllReducer: sums every rank's gradients over a Communicator through a few
// large host buffers ("buckets"), one AllReduceSum per bucket instead of one per
// parameter (RNNsearch has ~30 parameters; a call costs a latency each).
//
//   GradientAllReducer reducer(comm);
//   float loss_share = loss * rows / global_rows;
//   absl::Status s = reducer.AllReduce(optimizer.parameters(), rows / global_rows, {&loss_share, 1});
//   // every grad is now Σ over ranks of (rows_r / global_rows) · grad_r, the same on every rank
//
// Parameters are packed in their order into buckets of at most `bucket_floats`; a
// parameter larger than a bucket spans several. The scalars travel at the end of the
// last bucket, so they cost no call of their own. The buffer is kept between calls.
// Gradients in device memory are copied to the host buffer and back explicitly (the
// NCCL communicator, which sums device memory in place, is the faster way there).
#ifndef NMT_TRAINERS_GRADIENT_ALLREDUCE_H_
#define NMT_TRAINERS_GRADIENT_ALLREDUCE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "trainers/communicator.h"
#include "trainers/optimizer.h"

namespace nmt::trainers {

class GradientAllReducer {
 public:
  // 16 Mi floats, 64 MiB: one bucket for the `small` models, 5 for the `paper` ones.
  static constexpr int64_t kDefaultBucketFloats = int64_t{1} << 24;

  // `communicator` must be on host memory and outlive the reducer.
  explicit GradientAllReducer(Communicator& communicator, int64_t bucket_floats = kDefaultBucketFloats);

  Communicator& communicator() const { return communicator_; }

  // Every defined grad g of `parameters` ← Σ over ranks of scale · g, and every scalar
  // ← Σ over ranks of it (not scaled). Every rank must pass parameters of the same
  // shapes, with the same grads defined, in the same order, and as many scalars.
  absl::Status AllReduce(const NamedParameters& parameters, float scale, absl::Span<float> scalars);

  // AllReduceSum calls made so far.
  int64_t calls() const { return calls_; }

 private:
  Communicator& communicator_;
  int64_t bucket_floats_;
  std::vector<float> buffer_;
  int64_t calls_ = 0;
};

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_GRADIENT_ALLREDUCE_H_
