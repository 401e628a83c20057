// CPU kernel functions behind CpuKernels() (see ops/kernels/kernels.h for contracts).
#ifndef NMT_OPS_KERNELS_CPU_MATH_KERNELS_H_
#define NMT_OPS_KERNELS_CPU_MATH_KERNELS_H_

#include "ops/kernels/kernels.h"

namespace nmt::cpu {

void Gemm(DeviceContext& context, const GemmArgs& g);
void Scale(DeviceContext& context, float alpha, const Tensor& x, Tensor& y);
void Axpy(DeviceContext& context, float alpha, const Tensor& x, Tensor& y);
void UnaryForward(DeviceContext& context, UnaryOp op, const Tensor& x, Tensor& y);
void UnaryBackward(DeviceContext& context, UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& dy, Tensor& dx);
void BinaryForward(DeviceContext& context, BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y);
void BinaryBackward(DeviceContext& context, BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& dy, Tensor* da,
                    Tensor* db);
void ReduceSum(DeviceContext& context, const Tensor& x, Tensor& y);
void BroadcastAccumulate(DeviceContext& context, float alpha, const Tensor& dy, Tensor& dx);
void SoftmaxForward(DeviceContext& context, const Tensor& x, const Tensor* mask, int axis, bool log, Tensor& y);
void SoftmaxBackward(DeviceContext& context, const Tensor& y, const Tensor* mask, const Tensor& dy, int axis, bool log,
                     Tensor& dx);

void Permute(DeviceContext& context, const Tensor& x, absl::Span<const int> perm, bool accumulate, Tensor& y);
void CopyColumns(DeviceContext& context, const Tensor& x, int64_t x_begin, Tensor& y, int64_t y_begin, int64_t outer,
                 int64_t cols, bool accumulate);
void EmbeddingForward(DeviceContext& context, const Tensor& table, absl::Span<const int32_t> ids, Tensor& y);
void EmbeddingBackward(DeviceContext& context, absl::Span<const int32_t> ids, const Tensor& dy, Tensor& dtable);
void MaxoutForward(DeviceContext& context, const Tensor& x, Tensor& y);
void MaxoutBackward(DeviceContext& context, const Tensor& x, const Tensor& dy, Tensor& dx);
void SoftmaxXentForward(DeviceContext& context, const Tensor& logits, absl::Span<const int32_t> targets,
                        const Tensor& mask, Tensor& log_probs, Tensor& nll);
void SoftmaxXentBackward(DeviceContext& context, const Tensor& log_probs, absl::Span<const int32_t> targets,
                         const Tensor& mask, const Tensor& dnll, Tensor& dlogits);
void DropoutMask(DeviceContext& context, float p, uint64_t seed, Tensor& mask);

}  // namespace nmt::cpu

#endif  // NMT_OPS_KERNELS_CPU_MATH_KERNELS_H_
