// CPU kernels that move, gather and select data (data_kernels.cc): permutes (oneDNN
// reorder), column copies for concat/split/slice, embedding gather/scatter-add, maxout,
// row gathers, the fused softmax cross-entropy and dropout masks; contracts in ops/kernels/kernels.h.
#ifndef NMT_OPS_KERNELS_CPU_DATA_KERNELS_H_
#define NMT_OPS_KERNELS_CPU_DATA_KERNELS_H_

#include <cstdint>

#include "absl/types/span.h"
#include "ops/kernels/kernels.h"

namespace nmt::cpu {

void Permute(DeviceContext& context, const Tensor& x, absl::Span<const int> perm, bool accumulate, Tensor& y);
void CopyColumns(DeviceContext& context, const Tensor& x, int64_t x_begin, Tensor& y, int64_t y_begin, int64_t outer,
                 int64_t cols, bool accumulate);
void EmbeddingForward(DeviceContext& context, const Tensor& table, const Tensor& ids, Tensor& y);
void EmbeddingBackward(DeviceContext& context, const Tensor& ids, const Tensor& dy, Tensor& dtable);
void GatherRows(DeviceContext& context, const Tensor& x, const Tensor& rows, Tensor& y);
void MaxoutForward(DeviceContext& context, const Tensor& x, Tensor& y);
void MaxoutBackward(DeviceContext& context, const Tensor& x, const Tensor& dy, Tensor& dx);
void SoftmaxXentForward(DeviceContext& context, const Tensor& logits, const Tensor& targets, const Tensor& mask,
                        Tensor& log_probs, Tensor& nll);
void SoftmaxXentBackward(DeviceContext& context, const Tensor& log_probs, const Tensor& targets, const Tensor& mask,
                         const Tensor& dnll, Tensor& dlogits);
void DropoutMask(DeviceContext& context, float p, uint64_t seed, Tensor& mask);

}  // namespace nmt::cpu

#endif  // NMT_OPS_KERNELS_CPU_DATA_KERNELS_H_
