#include "trainers/train_step.h"

#include <cmath>

#include "trainers/clip.h"

namespace nmt::trainers {
namespace {

// Zeroed grads, then the loss of `batch` and its gradient (none for an empty batch).
float LossAndGradient(models::Model& model, Optimizer& optimizer, Tape& tape, const datasets::Batch& batch) {
  TapeScope scope(tape);
  optimizer.ZeroGrad();
  if (batch.batch_size == 0) return 0.0f;
  const models::ForwardResult out = model.Forward(batch);
  const float loss = out.loss.value().ToHost().item();
  Backward(out.loss);
  tape.Reset();
  return loss;
}

// Clipping and the update, or the skip, from the gradient in the grads.
void ClipAndUpdate(DeviceContext& context, Optimizer& optimizer, double max_grad_norm, StepResult& result) {
  result.grad_norm = max_grad_norm > 0 ? ClipGradNorm(context, optimizer.parameters(), max_grad_norm).norm
                                       : GlobalGradNorm(context, optimizer.parameters());
  result.applied = !ShouldSkipStep(result.grad_norm) && std::isfinite(result.loss);
  if (result.applied) optimizer.Step(context);
}

}  // namespace

StepResult TrainStep(models::Model& model, Optimizer& optimizer, Tape& tape, const datasets::Batch& batch,
                     double max_grad_norm) {
  StepResult result;
  result.loss = LossAndGradient(model, optimizer, tape, batch);
  ClipAndUpdate(tape.context(), optimizer, max_grad_norm, result);
  return result;
}

StepResult TrainStep(models::Model& model, Optimizer& optimizer, Tape& tape, const datasets::Batch& batch,
                     double max_grad_norm, GradientAllReducer& reducer) {
  Communicator& comm = reducer.communicator();
  if (comm.size() == 1) return TrainStep(model, optimizer, tape, batch, max_grad_norm);
  const datasets::RowRange rows = datasets::ShardRows(batch.batch_size, comm.rank(), comm.size());
  const datasets::Batch shard = datasets::SliceRows(batch, rows.begin, rows.end);
  // This rank's share of Σ −log p / batch rows; the sum over ranks is the batch's loss.
  const float share = static_cast<float>(rows.size()) / static_cast<float>(batch.batch_size);
  float loss = LossAndGradient(model, optimizer, tape, shard) * share;
  StepResult result;
  result.status = reducer.AllReduce(optimizer.parameters(), share, absl::MakeSpan(&loss, 1));
  if (!result.status.ok()) return result;
  result.loss = loss;
  ClipAndUpdate(tape.context(), optimizer, max_grad_norm, result);
  return result;
}

}  // namespace nmt::trainers
