#include "trainers/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace nmt::trainers {

LrSchedule LrScheduleFromConfig(const TrainConfig& config) {
  return {config.lr_warmup_steps(),        config.lr_decay_inv_sqrt_steps(), config.lr_plateau_factor(),
          config.lr_plateau_validations(), config.lr_decay_linear_steps(),   config.max_steps()};
}

double PlateauScale(const TrainingProgress& progress) {
  return progress.has_lr_plateau_scale() ? progress.lr_plateau_scale() : 1.0;
}

double LrScale(const LrSchedule& schedule, int64_t step, const TrainingProgress& progress) {
  const double t = static_cast<double>(std::max<int64_t>(step, 1));
  double scale = PlateauScale(progress);
  if (schedule.warmup_steps > 0 && t < schedule.warmup_steps) scale *= t / schedule.warmup_steps;
  if (schedule.decay_inv_sqrt_steps > 0 && t > schedule.decay_inv_sqrt_steps) {
    scale *= std::sqrt(schedule.decay_inv_sqrt_steps / t);
  }
  if (schedule.decay_linear_steps > 0) {
    const double left = static_cast<double>(schedule.max_steps) - t + 1;  // steps left, this one included
    if (left < schedule.decay_linear_steps) scale *= std::max(left, 0.0) / schedule.decay_linear_steps;
  }
  return scale;
}

bool OnValidation(const LrSchedule& schedule, bool improved, TrainingProgress& progress) {
  if (improved || schedule.plateau_factor <= 0) {
    progress.set_lr_stalled_validations(0);
    return false;
  }
  progress.set_lr_stalled_validations(progress.lr_stalled_validations() + 1);
  if (progress.lr_stalled_validations() < schedule.plateau_validations) return false;
  progress.set_lr_plateau_scale(PlateauScale(progress) * schedule.plateau_factor);
  progress.set_lr_stalled_validations(0);
  return true;
}

}  // namespace nmt::trainers
