#include "ops/kernels/cpu/cpu_kernels.h"

#include "ops/kernels/cpu/data_kernels.h"
#include "ops/kernels/cpu/math_kernels.h"
#include "ops/kernels/cpu/optimizer_kernels.h"
#include "ops/kernels/cpu/rnn_kernels.h"

namespace nmt {

const Kernels& CpuKernels() {
  static const Kernels kernels = {
      .gemm = cpu::Gemm,
      .scale = cpu::Scale,
      .axpy = cpu::Axpy,
      .unary_forward = cpu::UnaryForward,
      .unary_backward = cpu::UnaryBackward,
      .binary_forward = cpu::BinaryForward,
      .binary_backward = cpu::BinaryBackward,
      .reduce_sum = cpu::ReduceSum,
      .broadcast_accumulate = cpu::BroadcastAccumulate,
      .softmax_forward = cpu::SoftmaxForward,
      .softmax_backward = cpu::SoftmaxBackward,
      .permute = cpu::Permute,
      .copy_columns = cpu::CopyColumns,
      .embedding_forward = cpu::EmbeddingForward,
      .embedding_backward = cpu::EmbeddingBackward,
      .gather_rows = cpu::GatherRows,
      .maxout_forward = cpu::MaxoutForward,
      .maxout_backward = cpu::MaxoutBackward,
      .softmax_xent_forward = cpu::SoftmaxXentForward,
      .softmax_xent_backward = cpu::SoftmaxXentBackward,
      .dropout_mask = cpu::DropoutMask,
      .gru_step_forward = cpu::GruStepForward,
      .gru_step_backward = cpu::GruStepBackward,
      .lstm_step_forward = cpu::LstmStepForward,
      .lstm_step_backward = cpu::LstmStepBackward,
      .additive_scores_forward = cpu::AdditiveScoresForward,
      .additive_scores_backward = cpu::AdditiveScoresBackward,
      .attention_context_forward = cpu::AttentionContextForward,
      .attention_context_backward = cpu::AttentionContextBackward,
      .adam_update = cpu::AdamUpdate,
      .adadelta_update = cpu::AdadeltaUpdate,
      .sgd_update = cpu::SgdUpdate,
      .sum_of_squares = cpu::SumOfSquares,
  };
  return kernels;
}

}  // namespace nmt
