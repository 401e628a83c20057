// CPU kernels that compute (math_kernels.cc): GEMM, scaling, elementwise unary and binary
// ops, reductions and softmax; contracts in ops/kernels/kernels.h. The kernels that move
// and select data are in data_kernels.h, the fused recurrent ones in rnn_kernels.h.
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

}  // namespace nmt::cpu

#endif  // NMT_OPS_KERNELS_CPU_MATH_KERNELS_H_
