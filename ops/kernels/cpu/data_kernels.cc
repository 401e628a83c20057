#include "ops/kernels/cpu/data_kernels.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/check.h"
#include "base/random.h"
#include "ops/kernels/cpu/broadcast.h"
#include "ops/kernels/cpu/cpu_context.h"
#include "ops/kernels/cpu/math_kernels.h"  // SoftmaxForward, for the fused cross-entropy
#include "ops/kernels/cpu/parallel.h"
#include "ops/kernels/cpu/vector_math.h"

namespace nmt::cpu {

void Permute(DeviceContext& context, const Tensor& x, absl::Span<const int> perm, bool accumulate, Tensor& y) {
  CpuContext& cpu = AsCpu(context, "Transpose");
  if (x.size() == 0) return;
  using dnnl::memory;
  const int rank = x.rank();
  memory::dims x_strides(rank), y_dims(rank), src_strides(rank);
  int64_t stride = 1;
  for (int i = rank - 1; i >= 0; --i) {
    x_strides[i] = stride;
    stride *= x.dim(i);
  }
  for (int i = 0; i < rank; ++i) {
    y_dims[i] = x.dim(perm[i]);
    src_strides[i] = x_strides[perm[i]];  // x read in y's index order
  }
  const memory::desc src_md(y_dims, memory::data_type::f32, src_strides);
  const memory::desc dst_md(y_dims, memory::data_type::f32, RowMajorStrides(y_dims));
  const std::string key = absl::StrCat("permute:", ShapeString(x.shape()), absl::StrJoin(perm, ","), accumulate);
  dnnl::primitive& prim = cpu.Primitive(key, [&] {
    dnnl::primitive_attr attr;
    if (accumulate) {
      dnnl::post_ops ops;
      ops.append_sum(1.0f);
      attr.set_post_ops(ops);
    }
    return dnnl::reorder(dnnl::reorder::primitive_desc(cpu.engine(), src_md, cpu.engine(), dst_md, attr));
  });
  memory src(src_md, cpu.engine(), const_cast<float*>(x.data()));
  memory dst(dst_md, cpu.engine(), y.data());
  prim.execute(cpu.stream(), {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}});
  cpu.stream().wait();
}

void CopyColumns(DeviceContext&, const Tensor& x, int64_t x_begin, Tensor& y, int64_t y_begin, int64_t outer,
                 int64_t cols, bool accumulate) {
  const int64_t x_cols = x.size() / outer;
  const int64_t y_cols = y.size() / outer;
  const float* px = x.data();
  float* py = y.data();
#pragma omp parallel for if (outer * cols >= kMinParallelFloats)
  for (int64_t o = 0; o < outer; ++o) {
    const float* from = px + o * x_cols + x_begin;
    float* to = py + o * y_cols + y_begin;
    if (accumulate) {
      for (int64_t j = 0; j < cols; ++j) to[j] += from[j];
    } else {
      std::memcpy(to, from, cols * sizeof(float));
    }
  }
}

void EmbeddingForward(DeviceContext&, const Tensor& table, const Tensor& id_tensor, Tensor& y) {
  const int64_t rows = table.dim(0);
  const int64_t width = table.dim(1);
  const float* pt = table.data();
  float* py = y.data();
  const int32_t* ids = id_tensor.int32_data();
  for (int64_t i = 0, n = id_tensor.size(); i < n; ++i) {
    NMT_CHECK(ids[i] >= 0 && ids[i] < rows)
        << "EmbeddingLookup: id " << ids[i] << " at " << i << " outside a table of " << rows << " rows";
    std::memcpy(py + i * width, pt + ids[i] * width, width * sizeof(float));
  }
}

void EmbeddingBackward(DeviceContext&, const Tensor& id_tensor, const Tensor& dy, Tensor& dtable) {
  const int64_t width = dtable.dim(1);
  const float* pdy = dy.data();
  float* pt = dtable.data();
  const int32_t* ids = id_tensor.int32_data();
  for (int64_t i = 0, n = id_tensor.size(); i < n; ++i) {
    float* row = pt + ids[i] * width;
    const float* g = pdy + i * width;
    for (int64_t j = 0; j < width; ++j) row[j] += g[j];
  }
}

void GatherRows(DeviceContext&, const Tensor& x, const Tensor& row_tensor, Tensor& y) {
  const int64_t rows = x.dim(0);
  const int64_t width = rows == 0 ? 0 : x.size() / rows;
  const int32_t* pr = row_tensor.int32_data();
  const float* px = x.data();
  float* py = y.data();
  for (int64_t i = 0, n = row_tensor.size(); i < n; ++i) {
    NMT_CHECK(pr[i] >= 0 && pr[i] < rows) << "SelectRows: row " << pr[i] << " at " << i << " outside " << rows;
    std::memcpy(py + i * width, px + pr[i] * width, width * sizeof(float));
  }
}

void MaxoutForward(DeviceContext&, const Tensor& x, Tensor& y) {
  const float* px = x.data();
  float* py = y.data();
  const int64_t n = y.size();
#pragma omp parallel for if (n >= kMinParallelFloats)
  for (int64_t i = 0; i < n; ++i) py[i] = std::max(px[2 * i], px[2 * i + 1]);
}

void MaxoutBackward(DeviceContext&, const Tensor& x, const Tensor& dy, Tensor& dx) {
  const float* px = x.data();
  const float* pdy = dy.data();
  float* pdx = dx.data();
  const int64_t n = dy.size();
  // Ties go to the first of the pair, as the forward's max picks it.
#pragma omp parallel for if (n >= kMinParallelFloats)
  for (int64_t i = 0; i < n; ++i) pdx[2 * i + (px[2 * i + 1] > px[2 * i] ? 1 : 0)] += pdy[i];
}

void SoftmaxXentForward(DeviceContext& context, const Tensor& logits, const Tensor& target_tensor, const Tensor& mask,
                        float label_smoothing, Tensor& log_probs, Tensor& nll) {
  NMT_CHECK(label_smoothing >= 0.0f && label_smoothing < 1.0f)
      << "SoftmaxCrossEntropy: label smoothing " << label_smoothing << " outside [0, 1)";
  const int32_t* targets = target_tensor.int32_data();
  SoftmaxForward(context, logits, nullptr, 1, /*log=*/true, log_probs);
  const int64_t rows = logits.dim(0);
  const int64_t k = logits.dim(1);
  const float* plp = log_probs.data();
  const float* pm = mask.data();
  float* pn = nll.data();
  const float uniform = label_smoothing / static_cast<float>(k);
  for (int64_t i = 0; i < rows; ++i) {
    NMT_CHECK(pm[i] == 0.0f || (targets[i] >= 0 && targets[i] < k))
        << "SoftmaxCrossEntropy: target " << targets[i] << " of row " << i << " outside " << k << " classes";
    if (pm[i] == 0.0f) {
      pn[i] = 0.0f;
      continue;
    }
    const float* lp = plp + i * k;
    float loss = -lp[targets[i]];
    if (label_smoothing > 0.0f) {  // the ε/K mass on every class: −ε/K Σ_j log p_j, summed in double
      double sum = 0.0;
      for (int64_t j = 0; j < k; ++j) sum += lp[j];
      loss = (1.0f - label_smoothing) * loss - uniform * static_cast<float>(sum);
    }
    pn[i] = pm[i] * loss;
  }
}

void SoftmaxXentBackward(DeviceContext&, const Tensor& log_probs, const Tensor& target_tensor, const Tensor& mask,
                         float label_smoothing, const Tensor& dnll, Tensor& dlogits) {
  const int32_t* targets = target_tensor.int32_data();
  const int64_t rows = log_probs.dim(0);
  const int64_t k = log_probs.dim(1);
  const float* plp = log_probs.data();
  const float* pm = mask.data();
  const float* pg = dnll.data();
  float* pdx = dlogits.data();
  const float uniform = label_smoothing / static_cast<float>(k);
#pragma omp parallel for if (rows * k >= kMinParallelFloats)
  for (int64_t i = 0; i < rows; ++i) {
    const float g = pg[i] * pm[i];
    if (g == 0.0f) continue;
    const float* lp = plp + i * k;
    float* d = pdx + i * k;
    // softmax = exp(log-softmax), by VectorExp: glibc's expf kept these loops scalar.
    if (label_smoothing > 0.0f) {  // q = (1 − ε) onehot + ε/K
#pragma omp simd
      for (int64_t j = 0; j < k; ++j) d[j] += g * (VectorExp(lp[j]) - uniform);
      d[targets[i]] -= g * (1.0f - label_smoothing);
    } else {
#pragma omp simd
      for (int64_t j = 0; j < k; ++j) d[j] += g * VectorExp(lp[j]);
      d[targets[i]] -= g;
    }
  }
}

void DropoutMask(DeviceContext&, float p, uint64_t seed, int64_t first_row, Tensor& mask) {
  NMT_CHECK(p >= 0.0f && p < 1.0f) << "Dropout: probability " << p << " outside [0, 1)";
  NMT_CHECK(mask.rank() >= 1 && first_row >= 0)
      << "Dropout: mask " << mask.ShapeString() << ", first row " << first_row;
  const float keep_scale = 1.0f / (1.0f - p);
  float* pm = mask.data();
  const int64_t rows = mask.dim(0);
  const int64_t width = rows > 0 ? mask.size() / rows : 0;
  for (int64_t r = 0; r < rows; ++r) {
    const uint64_t row_seed = SplitMix64At(seed, static_cast<uint64_t>(first_row + r));
    for (int64_t j = 0; j < width; ++j) {
      // Output j of SplitMix64(row_seed): a fixed sequence on every platform and thread count.
      const uint64_t z = SplitMix64At(row_seed, static_cast<uint64_t>(j));
      const float u = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);  // 24 bits in [0, 1)
      pm[r * width + j] = u < p ? 0.0f : keep_scale;
    }
  }
}

}  // namespace nmt::cpu
