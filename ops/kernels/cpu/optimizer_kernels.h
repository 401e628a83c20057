// CPU kernels of the optimizers' fused updates and of the global gradient norm's sum of
// squares (optimizer_kernels.cc); contracts in ops/kernels/kernels.h. The loops are the
// trainers' own, moved here unchanged, so the numbers stay bit-identical to PyTorch's CPU
// rules (trainers/reference_steps_test).
#ifndef NMT_OPS_KERNELS_CPU_OPTIMIZER_KERNELS_H_
#define NMT_OPS_KERNELS_CPU_OPTIMIZER_KERNELS_H_

#include "absl/types/span.h"
#include "ops/kernels/kernels.h"

namespace nmt::cpu {

void AdamUpdate(DeviceContext& context, const AdamStep& step, const Tensor& grad, Tensor& value, Tensor& exp_avg,
                Tensor& exp_avg_sq);
void AdadeltaUpdate(DeviceContext& context, const AdadeltaStep& step, const Tensor& grad, Tensor& value,
                    Tensor& square_avg, Tensor& acc_delta);
void SgdUpdate(DeviceContext& context, float neg_lr, const Tensor& grad, Tensor& value);
double SumOfSquares(DeviceContext& context, absl::Span<const Tensor> xs);

}  // namespace nmt::cpu

#endif  // NMT_OPS_KERNELS_CPU_OPTIMIZER_KERNELS_H_
