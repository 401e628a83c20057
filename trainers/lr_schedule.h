// The learning-rate schedule: a multiplier of the optimizer's configured lr at every
// step, from TrainConfig's lr_* fields (train_config.proto):
//
//   scale(t) = min(1, t / W)               linear warmup over W = lr_warmup_steps (0: none)
//            · min(1, sqrt(N / t))         inverse square root after N = lr_decay_inv_sqrt_steps
//                                          (Marian's --lr-decay-inv-sqrt N; 0: none)
//            · plateau_scale               lr_plateau_factor^(plateau decays so far)
//            · min(1, (S − t + 1) / D)     linear decay to 0 over the last D = lr_decay_linear_steps
//                                          of the S = max_steps steps (0: none)
//
// t is the 1-based number of the step about to be taken (skipped steps count, as
// batches do). A plateau decay (Marian's --lr-decay-strategy stalled, PyTorch's
// ReduceLROnPlateau without cooldown) multiplies plateau_scale by lr_plateau_factor
// after lr_plateau_validations validations in a row without improvement of the
// validation metric; the count starts over after a decay and after a new best.
//
// The linear decay is the budgeted-training schedule (Li et al. 2020, "Budgeted
// Training"; Hugging Face's get_linear_schedule_with_warmup when D = S − W): with a
// fixed step budget, ending at a small rate gains more than any constant rate.
//
// The warmup, inverse-square-root and linear parts are functions of the step; the plateau part
// is state, kept in TrainingProgress (lr_plateau_scale, lr_stalled_validations) so that
// a resumed run continues with the same rates. With every part off the scale is
// exactly 1, so the optimizer's update is bit for bit the unscheduled one.
//
//   LrSchedule schedule = LrScheduleFromConfig(config);
//   optimizer.set_lr_scale(LrScale(schedule, progress.step() + 1, progress));
//   ...after a validation:
//   if (OnValidation(schedule, improved, progress)) { /* decayed */ }
#ifndef NMT_TRAINERS_LR_SCHEDULE_H_
#define NMT_TRAINERS_LR_SCHEDULE_H_

#include <cstdint>

#include "trainers/checkpoint.pb.h"
#include "trainers/train_config.pb.h"

namespace nmt::trainers {

struct LrSchedule {
  int64_t warmup_steps = 0;
  int64_t decay_inv_sqrt_steps = 0;
  double plateau_factor = 0.0;  // 0: no plateau decay
  int32_t plateau_validations = 0;
  int64_t decay_linear_steps = 0;  // 0: no linear decay
  int64_t max_steps = 0;           // where the linear decay reaches 0
};

LrSchedule LrScheduleFromConfig(const TrainConfig& config);

// The product of the plateau decays so far (1 before the first).
double PlateauScale(const TrainingProgress& progress);

// The multiplier of step `step` (1-based) with the plateau state of `progress`.
double LrScale(const LrSchedule& schedule, int64_t step, const TrainingProgress& progress);

// Counts a validation that did (`improved`) or did not improve the metric; returns
// true when it decayed the rate (plateau_scale *= plateau_factor).
bool OnValidation(const LrSchedule& schedule, bool improved, TrainingProgress& progress);

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_LR_SCHEDULE_H_
