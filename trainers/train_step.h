// One training update, shared by the trainer and the bench so that both time and run
// the same work (the paper's Appendix B.2):
//
//   Tape tape(context);
//   StepResult step = TrainStep(*model, *optimizer, tape, batch, /*max_grad_norm=*/1.0);
//   if (!step.applied) report(step.grad_norm, step.loss);
//
// zero the grads, the teacher-forced loss (Σ −log p / batch size; with dropout and label
// smoothing when `forward` is a training pass), Backward, clip the
// global gradient norm to max_grad_norm (when it is > 0), then the optimizer's update. When the norm or
// the loss is NaN or infinite the update is skipped: neither the parameters nor the
// optimizer state move.
//
// Data parallelism (DISTRIBUTED.md): with a GradientAllReducer, `batch` is the global
// batch, the same on every rank. Each rank runs the model on its rows
// (datasets::ShardRows), scales its gradients by its rows / the global rows and sums
// them with the other ranks' before clipping. Since the loss is Σ −log p / rows, the
// sum is the gradient of the global batch as one process computes it, up to the order
// of the additions; every rank then clips the same gradient and applies the same
// update. A rank with no rows (a batch smaller than the job) contributes zeros.
#ifndef NMT_TRAINERS_TRAIN_STEP_H_
#define NMT_TRAINERS_TRAIN_STEP_H_

#include "absl/status/status.h"
#include "autograd/tape.h"
#include "datasets/batch.h"
#include "models/model.h"
#include "trainers/gradient_allreduce.h"
#include "trainers/optimizer.h"

namespace nmt::trainers {

struct StepResult {
  float loss = 0;        // Σ −log p / batch size, over the global batch
  double grad_norm = 0;  // the global norm before clipping
  bool applied = false;  // false: non-finite norm or loss, or a failed all-reduce; the update was skipped
  absl::Status status;   // a failed all-reduce: the job cannot go on
};

// `tape` is reset before returning. `max_grad_norm` 0 means no clipping. `forward`
// says how the loss is computed: the default is the plain −log p without dropout; the
// trainer passes ForwardOptions::Training(step seed, 0, label smoothing).
StepResult TrainStep(models::Model& model, Optimizer& optimizer, Tape& tape, const datasets::Batch& batch,
                     double max_grad_norm, const models::ForwardOptions& forward = {});

// The same step, data-parallel over `reducer`'s communicator. With one rank it is the
// step above, bit for bit. Each rank's forward gets first_row = its shard's first row,
// so its dropout masks are those rows of the global batch's masks.
StepResult TrainStep(models::Model& model, Optimizer& optimizer, Tape& tape, const datasets::Batch& batch,
                     double max_grad_norm, GradientAllReducer& reducer, const models::ForwardOptions& forward = {});

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_TRAIN_STEP_H_
