#include "trainers/train_step.h"

#include <cmath>

#include "trainers/clip.h"

namespace nmt::trainers {

StepResult TrainStep(models::Model& model, Optimizer& optimizer, Tape& tape, const datasets::Batch& batch,
                     double max_grad_norm) {
  StepResult result;
  {
    TapeScope scope(tape);
    optimizer.ZeroGrad();
    const models::ForwardResult out = model.Forward(batch);
    result.loss = out.loss.value().item();
    Backward(out.loss);
    tape.Reset();
  }
  result.grad_norm = max_grad_norm > 0 ? ClipGradNorm(optimizer.parameters(), max_grad_norm).norm
                                       : GlobalGradNorm(optimizer.parameters());
  result.applied = !ShouldSkipStep(result.grad_norm) && std::isfinite(result.loss);
  if (result.applied) optimizer.Step();
  return result;
}

}  // namespace nmt::trainers
