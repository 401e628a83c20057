// CPU kernels of the fused recurrent ops (ops/gru.h, ops/lstm.h, ops/attention.h); contracts
// in ops/kernels/kernels.h.
#ifndef NMT_OPS_KERNELS_CPU_RNN_KERNELS_H_
#define NMT_OPS_KERNELS_CPU_RNN_KERNELS_H_

#include "ops/kernels/kernels.h"

namespace nmt::cpu {

void GruStepForward(DeviceContext& context, GruStepTensors& t, Tensor& y);
void GruStepBackward(DeviceContext& context, const GruStepTensors& t, const Tensor& dy, GruStepGrads& grads);
void LstmStepForward(DeviceContext& context, LstmStepTensors& t, Tensor& y);
void LstmStepBackward(DeviceContext& context, const LstmStepTensors& t, const Tensor& dy, LstmStepGrads& grads);
void AdditiveScoresForward(DeviceContext& context, const Tensor& q, const Tensor& keys, const Tensor& v,
                           Tensor& tanh_out, Tensor& e);
void AdditiveScoresBackward(DeviceContext& context, const Tensor& tanh_out, const Tensor& v, const Tensor& de,
                            Tensor* dq, Tensor* dkeys, Tensor* dv);
void AttentionContextForward(DeviceContext& context, const Tensor& alpha, const Tensor& h, Tensor& c);
void AttentionContextBackward(DeviceContext& context, const Tensor& alpha, const Tensor& h, const Tensor& dc,
                              Tensor* dalpha, Tensor* dh);

}  // namespace nmt::cpu

#endif  // NMT_OPS_KERNELS_CPU_RNN_KERNELS_H_
