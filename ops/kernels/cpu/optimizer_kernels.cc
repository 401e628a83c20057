#include "ops/kernels/cpu/optimizer_kernels.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/check.h"
#include "ops/kernels/cpu/parallel.h"

namespace nmt::cpu {
namespace {

void CheckSameShape(const char* op, const Tensor& grad, const Tensor& other) {
  NMT_CHECK(grad.shape() == other.shape())
      << op << ": grad " << grad.ShapeString() << " and " << other.ShapeString() << " differ";
}

double SumOfSquaresOf(const float* x, int64_t n) {
  const int64_t chunks = (n + kSumOfSquaresChunk - 1) / kSumOfSquaresChunk;
  std::vector<double> partial(chunks);
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const float* begin = x + c * kSumOfSquaresChunk;
    const int64_t size = std::min(kSumOfSquaresChunk, n - c * kSumOfSquaresChunk);
    double sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int64_t i = 0; i < size; ++i) sum += static_cast<double>(begin[i]) * begin[i];
    partial[c] = sum;
  }
  double total = 0;
  for (double p : partial) total += p;
  return total;
}

}  // namespace

void AdamUpdate(DeviceContext&, const AdamStep& step, const Tensor& grad_tensor, Tensor& value_tensor,
                Tensor& exp_avg_tensor, Tensor& exp_avg_sq_tensor) {
  CheckSameShape("AdamUpdate", grad_tensor, value_tensor);
  CheckSameShape("AdamUpdate", grad_tensor, exp_avg_tensor);
  CheckSameShape("AdamUpdate", grad_tensor, exp_avg_sq_tensor);
  const float neg_step_size = step.neg_step_size;
  const float correction2 = step.bias_correction2_sqrt;
  const float beta1 = step.beta1;
  const float one_minus_beta1 = step.one_minus_beta1;
  const float beta2 = step.beta2;
  const float one_minus_beta2 = step.one_minus_beta2;
  const float eps = step.eps;
  const float* __restrict grad = grad_tensor.data();
  float* __restrict value = value_tensor.data();
  float* __restrict exp_avg = exp_avg_tensor.data();
  float* __restrict exp_avg_sq = exp_avg_sq_tensor.data();
  const int64_t n = grad_tensor.size();
#pragma omp parallel for simd schedule(static) if (n >= kMinParallelFloats)
  for (int64_t i = 0; i < n; ++i) {
    const float g = grad[i];
    const float m = exp_avg[i] * beta1 + one_minus_beta1 * g;
    const float v = exp_avg_sq[i] * beta2 + one_minus_beta2 * g * g;
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    value[i] += neg_step_size * m / (std::sqrt(v) / correction2 + eps);
  }
}

void AdadeltaUpdate(DeviceContext&, const AdadeltaStep& step, const Tensor& grad_tensor, Tensor& value_tensor,
                    Tensor& square_avg_tensor, Tensor& acc_delta_tensor) {
  CheckSameShape("AdadeltaUpdate", grad_tensor, value_tensor);
  CheckSameShape("AdadeltaUpdate", grad_tensor, square_avg_tensor);
  CheckSameShape("AdadeltaUpdate", grad_tensor, acc_delta_tensor);
  const float rho = step.rho;
  const float one_minus_rho = step.one_minus_rho;
  const float eps = step.eps;
  const float neg_lr = step.neg_lr;
  const float* __restrict grad = grad_tensor.data();
  float* __restrict value = value_tensor.data();
  float* __restrict square_avg = square_avg_tensor.data();
  float* __restrict acc_delta = acc_delta_tensor.data();
  const int64_t n = grad_tensor.size();
#pragma omp parallel for simd schedule(static) if (n >= kMinParallelFloats)
  for (int64_t i = 0; i < n; ++i) {
    const float g = grad[i];
    const float v = square_avg[i] * rho + one_minus_rho * g * g;
    const float delta = std::sqrt(acc_delta[i] + eps) / std::sqrt(v + eps) * g;
    square_avg[i] = v;
    acc_delta[i] = acc_delta[i] * rho + one_minus_rho * delta * delta;
    value[i] += neg_lr * delta;
  }
}

void SgdUpdate(DeviceContext&, float neg_lr, const Tensor& grad_tensor, Tensor& value_tensor) {
  CheckSameShape("SgdUpdate", grad_tensor, value_tensor);
  const float* __restrict grad = grad_tensor.data();
  float* __restrict value = value_tensor.data();
  const int64_t n = grad_tensor.size();
#pragma omp parallel for simd schedule(static) if (n >= kMinParallelFloats)
  for (int64_t i = 0; i < n; ++i) value[i] += neg_lr * grad[i];
}

double SumOfSquares(DeviceContext&, absl::Span<const Tensor> xs) {
  double sum = 0;
  for (const Tensor& x : xs) sum += SumOfSquaresOf(x.data(), x.size());
  return sum;
}

}  // namespace nmt::cpu
