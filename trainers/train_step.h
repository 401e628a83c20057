// One training update, shared by the trainer and the bench so that both time and run
// the same work (the paper's Appendix B.2):
//
//   Tape tape(context);
//   StepResult step = TrainStep(*model, *optimizer, tape, batch, /*max_grad_norm=*/1.0);
//   if (!step.applied) report(step.grad_norm, step.loss);
//
// zero the grads, the teacher-forced loss (Σ −log p / batch size), Backward, clip the
// global gradient norm to max_grad_norm (when it is > 0), then the optimizer's update. When the norm or
// the loss is NaN or infinite the update is skipped: neither the parameters nor the
// optimizer state move.
#ifndef NMT_TRAINERS_TRAIN_STEP_H_
#define NMT_TRAINERS_TRAIN_STEP_H_

#include "autograd/tape.h"
#include "datasets/batch.h"
#include "models/model.h"
#include "trainers/optimizer.h"

namespace nmt::trainers {

struct StepResult {
  float loss = 0;        // Σ −log p / batch size
  double grad_norm = 0;  // the global norm before clipping
  bool applied = false;  // false: non-finite norm or loss, the update was skipped
};

// `tape` is reset before returning. `max_grad_norm` 0 means no clipping.
StepResult TrainStep(models::Model& model, Optimizer& optimizer, Tape& tape, const datasets::Batch& batch,
                     double max_grad_norm);

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_TRAIN_STEP_H_
