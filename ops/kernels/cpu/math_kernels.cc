// CPU kernels for products, elementwise maths, reductions and softmax: oneDNN
// primitives for the forward passes (matmul, eltwise, binary, reduction,
// softmax/logsoftmax), and single-pass loops for the backward passes, which must
// accumulate into their gradient and which oneDNN would need a second pass for.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "base/check.h"
#include "ops/kernels/cpu/broadcast.h"
#include "ops/kernels/cpu/cpu_context.h"
#include "ops/kernels/cpu/math_kernels.h"
#include "ops/kernels/cpu/parallel.h"

namespace nmt::cpu {
namespace {

using dnnl::memory;
using Dims = memory::dims;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;

Dims ToDims(const Shape& shape) {
  if (shape.empty()) return {1};
  return Dims(shape.begin(), shape.end());
}

// shape with leading 1s up to `rank`.
Dims PaddedDims(const Shape& shape, size_t rank) {
  Dims dims(rank - shape.size(), 1);
  dims.insert(dims.end(), shape.begin(), shape.end());
  return dims.empty() ? Dims{1} : dims;
}

memory::desc Plain(const Dims& dims) { return memory::desc(dims, kF32, RowMajorStrides(dims)); }

memory Wrap(CpuContext& cpu, const memory::desc& md, const float* data) {
  return memory(md, cpu.engine(), const_cast<float*>(data));
}

}  // namespace

void Gemm(DeviceContext& context, const GemmArgs& g) {
  CpuContext& cpu = AsCpu(context, "Gemm");
  if (g.m == 0 || g.n == 0) return;
  if (g.k == 0) {  // an empty sum: c = bias (or unchanged when accumulating)
    for (int64_t b = 0; b < g.batch; ++b) {
      for (int64_t i = 0; i < g.m; ++i) {
        float* row = g.c + (b * g.m + i) * g.n;
        for (int64_t j = 0; j < g.n; ++j) row[j] = (g.accumulate ? row[j] : 0.0f) + (g.bias ? g.bias[j] : 0.0f);
      }
    }
    return;
  }
  const int64_t bb = g.batch_b ? g.batch : 1;
  const Dims a_dims = {g.batch, g.m, g.k};
  const Dims a_strides = g.trans_a ? Dims{g.m * g.k, 1, g.m} : Dims{g.m * g.k, g.k, 1};
  const Dims b_dims = {bb, g.k, g.n};
  const Dims b_strides = g.trans_b ? Dims{g.n * g.k, 1, g.k} : Dims{g.n * g.k, g.n, 1};
  const Dims c_dims = {g.batch, g.m, g.n};
  // bf16: the operands are rounded (a parameter once per step, CpuContext::Bf16Operand)
  // and oneDNN accumulates in f32 into the f32 c.
  const bool bf16 = cpu.matmul_precision() == MatmulPrecision::kBF16;
  // A bf16 parameter b is handed over pre-packed in the layout the primitive prefers.
  const bool packed_b = bf16 && g.b_is_parameter;
  const memory::data_type in_type = bf16 ? memory::data_type::bf16 : kF32;
  const memory::desc a_md(a_dims, in_type, a_strides);
  const memory::desc b_md =
      packed_b ? memory::desc(b_dims, in_type, Tag::any) : memory::desc(b_dims, in_type, b_strides);
  const memory::desc c_md = Plain(c_dims);
  const memory::desc bias_md = Plain({1, 1, g.n});
  const std::string key =
      absl::StrCat("gemm:", g.batch, ",", g.m, ",", g.n, ",", g.k, ",", g.trans_a, g.trans_b, g.batch_b, g.accumulate,
                   g.bias != nullptr, bf16 ? ",bf16" : "", packed_b ? ",packed" : "");
  dnnl::primitive& prim = cpu.Primitive(key, [&] {
    dnnl::primitive_attr attr;
    if (g.accumulate) {
      dnnl::post_ops ops;
      ops.append_sum(1.0f);
      attr.set_post_ops(ops);
    }
    const auto desc = g.bias ? dnnl::matmul::desc(a_md, b_md, bias_md, c_md) : dnnl::matmul::desc(a_md, b_md, c_md);
    return dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, cpu.engine()));
  });
  const void* a = g.a;
  const void* b = g.b;
  memory weights;
  if (packed_b) {
    // The primitive's own weights layout (a query on its descriptor, which it keeps owning).
    const memory::desc packed(*dnnl_primitive_desc_query_md(prim.get_primitive_desc(), dnnl_query_weights_md, 0));
    const std::string use = absl::StrCat(reinterpret_cast<uintptr_t>(g.b), "|", bb, ",", g.k, ",", g.n, ",", g.trans_b);
    weights = cpu.PackedBf16Weights(use, g.b, memory::desc(b_dims, kF32, b_strides), packed);
  } else if (bf16) {
    b = cpu.Bf16Operand(g.b, bb * g.k * g.n, g.b_is_parameter, 1);
  }
  if (bf16) a = cpu.Bf16Operand(g.a, g.batch * g.m * g.k, g.a_is_parameter, 0);
  if (!packed_b) weights = memory(b_md, cpu.engine(), const_cast<void*>(b));
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, memory(a_md, cpu.engine(), const_cast<void*>(a))},
      {DNNL_ARG_WEIGHTS, weights},
      {DNNL_ARG_DST, Wrap(cpu, c_md, g.c)},
  };
  if (g.bias) args.emplace(DNNL_ARG_BIAS, Wrap(cpu, bias_md, g.bias));
  prim.execute(cpu.stream(), args);
  cpu.stream().wait();
}

void Scale(DeviceContext&, float alpha, const Tensor& x, Tensor& y) {
  const float* px = x.data();
  float* py = y.data();
  const int64_t n = x.size();
#pragma omp parallel for if (n >= kMinParallelFloats)
  for (int64_t i = 0; i < n; ++i) py[i] = alpha * px[i];
}

void Axpy(DeviceContext&, float alpha, const Tensor& x, Tensor& y) {
  NMT_CHECK(x.size() == y.size()) << "Axpy: " << x.ShapeString() << " into " << y.ShapeString();
  const float* px = x.data();
  float* py = y.data();
  const int64_t n = x.size();
#pragma omp parallel for if (n >= kMinParallelFloats)
  for (int64_t i = 0; i < n; ++i) py[i] += alpha * px[i];
}

void UnaryForward(DeviceContext& context, UnaryOp op, const Tensor& x, Tensor& y) {
  CpuContext& cpu = AsCpu(context, UnaryOpName(op));
  if (x.size() == 0) return;
  dnnl::algorithm algorithm = dnnl::algorithm::eltwise_logistic;
  switch (op) {
    case UnaryOp::kSigmoid:
      algorithm = dnnl::algorithm::eltwise_logistic;
      break;
    case UnaryOp::kTanh:
      algorithm = dnnl::algorithm::eltwise_tanh;
      break;
    case UnaryOp::kExp:
      algorithm = dnnl::algorithm::eltwise_exp;
      break;
    case UnaryOp::kLog:
      algorithm = dnnl::algorithm::eltwise_log;
      break;
    case UnaryOp::kRelu:
      algorithm = dnnl::algorithm::eltwise_relu;
      break;
  }
  const memory::desc md = Plain({x.size()});
  dnnl::primitive& prim = cpu.Primitive(absl::StrCat("eltwise:", static_cast<int>(op), ",", x.size()), [&] {
    dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, md, 0.0f, 0.0f);
    return dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(desc, cpu.engine()));
  });
  prim.execute(cpu.stream(), {{DNNL_ARG_SRC, Wrap(cpu, md, x.data())}, {DNNL_ARG_DST, Wrap(cpu, md, y.data())}});
  cpu.stream().wait();
}

void UnaryBackward(DeviceContext&, UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& dy, Tensor& dx) {
  const float* px = x.data();
  const float* py = y.data();
  const float* pdy = dy.data();
  float* pdx = dx.data();
  const int64_t n = x.size();
  switch (op) {
    case UnaryOp::kSigmoid:
#pragma omp parallel for if (n >= kMinParallelFloats)
      for (int64_t i = 0; i < n; ++i) pdx[i] += pdy[i] * py[i] * (1.0f - py[i]);
      break;
    case UnaryOp::kTanh:
#pragma omp parallel for if (n >= kMinParallelFloats)
      for (int64_t i = 0; i < n; ++i) pdx[i] += pdy[i] * (1.0f - py[i] * py[i]);
      break;
    case UnaryOp::kExp:
#pragma omp parallel for if (n >= kMinParallelFloats)
      for (int64_t i = 0; i < n; ++i) pdx[i] += pdy[i] * py[i];
      break;
    case UnaryOp::kLog:
#pragma omp parallel for if (n >= kMinParallelFloats)
      for (int64_t i = 0; i < n; ++i) pdx[i] += pdy[i] / px[i];
      break;
    case UnaryOp::kRelu:
#pragma omp parallel for if (n >= kMinParallelFloats)
      for (int64_t i = 0; i < n; ++i) pdx[i] += px[i] > 0.0f ? pdy[i] : 0.0f;
      break;
  }
}

void BinaryForward(DeviceContext& context, BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y) {
  CpuContext& cpu = AsCpu(context, BinaryOpName(op));
  if (y.size() == 0) return;
  if (a.shape() == y.shape()) {  // oneDNN's binary broadcasts its second source only
    const size_t rank = std::max<size_t>(1, y.rank());
    const memory::desc a_md = Plain(PaddedDims(a.shape(), rank));
    const memory::desc b_md = Plain(PaddedDims(b.shape(), rank));
    dnnl::algorithm algorithm = dnnl::algorithm::binary_add;
    switch (op) {
      case BinaryOp::kAdd:
        algorithm = dnnl::algorithm::binary_add;
        break;
      case BinaryOp::kSub:
        algorithm = dnnl::algorithm::binary_sub;
        break;
      case BinaryOp::kMul:
        algorithm = dnnl::algorithm::binary_mul;
        break;
      case BinaryOp::kDiv:
        algorithm = dnnl::algorithm::binary_div;
        break;
    }
    const std::string key =
        absl::StrCat("binary:", static_cast<int>(op), ":", ShapeString(a.shape()), ShapeString(b.shape()));
    dnnl::primitive& prim = cpu.Primitive(key, [&] {
      dnnl::binary::desc desc(algorithm, a_md, b_md, a_md);
      return dnnl::binary(dnnl::binary::primitive_desc(desc, cpu.engine()));
    });
    prim.execute(cpu.stream(), {{DNNL_ARG_SRC_0, Wrap(cpu, a_md, a.data())},
                                {DNNL_ARG_SRC_1, Wrap(cpu, b_md, b.data())},
                                {DNNL_ARG_DST, Wrap(cpu, a_md, y.data())}});
    cpu.stream().wait();
    return;
  }
  const float* pa = a.data();
  const float* pb = b.data();
  float* py = y.data();
  const Shape sa = BroadcastStrides(a.shape(), y.shape());
  const Shape sb = BroadcastStrides(b.shape(), y.shape());
  switch (op) {
    case BinaryOp::kAdd:
      ForEachBroadcast(y.shape(), sa, sb, [&](int64_t o, int64_t i, int64_t j) { py[o] = pa[i] + pb[j]; });
      break;
    case BinaryOp::kSub:
      ForEachBroadcast(y.shape(), sa, sb, [&](int64_t o, int64_t i, int64_t j) { py[o] = pa[i] - pb[j]; });
      break;
    case BinaryOp::kMul:
      ForEachBroadcast(y.shape(), sa, sb, [&](int64_t o, int64_t i, int64_t j) { py[o] = pa[i] * pb[j]; });
      break;
    case BinaryOp::kDiv:
      ForEachBroadcast(y.shape(), sa, sb, [&](int64_t o, int64_t i, int64_t j) { py[o] = pa[i] / pb[j]; });
      break;
  }
}

void BinaryBackward(DeviceContext&, BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& dy, Tensor* da,
                    Tensor* db) {
  const float* pa = a.data();
  const float* pb = b.data();
  const float* pdy = dy.data();
  float* pda = da ? da->data() : nullptr;
  float* pdb = db ? db->data() : nullptr;
  const Shape sa = BroadcastStrides(a.shape(), dy.shape());
  const Shape sb = BroadcastStrides(b.shape(), dy.shape());
  ForEachBroadcast(dy.shape(), sa, sb, [&](int64_t o, int64_t i, int64_t j) {
    const float g = pdy[o];
    switch (op) {
      case BinaryOp::kAdd:
        if (pda) pda[i] += g;
        if (pdb) pdb[j] += g;
        break;
      case BinaryOp::kSub:
        if (pda) pda[i] += g;
        if (pdb) pdb[j] -= g;
        break;
      case BinaryOp::kMul:
        if (pda) pda[i] += g * pb[j];
        if (pdb) pdb[j] += g * pa[i];
        break;
      case BinaryOp::kDiv:
        if (pda) pda[i] += g / pb[j];
        if (pdb) pdb[j] -= g * pa[i] / (pb[j] * pb[j]);
        break;
    }
  });
}

void ReduceSum(DeviceContext& context, const Tensor& x, Tensor& y) {
  CpuContext& cpu = AsCpu(context, "ReduceSum");
  NMT_CHECK(x.rank() == y.rank()) << "ReduceSum: " << x.ShapeString() << " to " << y.ShapeString();
  if (x.size() == 0) {
    y.Fill(0.0f);
    return;
  }
  if (x.shape() == y.shape()) {
    y.CopyFrom(x);
    return;
  }
  // Summing away leading dims (a bias gradient, rows × out -> out): one pass of
  // row additions. oneDNN 2.6's reduction takes ~20x longer on these shapes.
  int split = 0;
  while (split < x.rank() && y.dim(split) == 1) ++split;
  bool leading = true;
  for (int i = split; i < x.rank(); ++i) leading = leading && y.dim(i) == x.dim(i);
  if (leading) {
    const int64_t inner = y.size(), outer = x.size() / inner;
    const float* px = x.data();
    float* py = y.data();
#pragma omp parallel for if (x.size() >= kMinParallelFloats)
    for (int64_t j0 = 0; j0 < inner; j0 += 256) {
      const int64_t j1 = std::min(inner, j0 + 256);
      for (int64_t j = j0; j < j1; ++j) py[j] = 0.0f;
      for (int64_t i = 0; i < outer; ++i) {
        for (int64_t j = j0; j < j1; ++j) py[j] += px[i * inner + j];
      }
    }
    return;
  }
  const memory::desc x_md = Plain(ToDims(x.shape()));
  const memory::desc y_md = Plain(ToDims(y.shape()));
  const std::string key = absl::StrCat("reduce_sum:", ShapeString(x.shape()), ShapeString(y.shape()));
  dnnl::primitive& prim = cpu.Primitive(key, [&] {
    dnnl::reduction::desc desc(dnnl::algorithm::reduction_sum, x_md, y_md, 0.0f, 0.0f);
    return dnnl::reduction(dnnl::reduction::primitive_desc(desc, cpu.engine()));
  });
  prim.execute(cpu.stream(), {{DNNL_ARG_SRC, Wrap(cpu, x_md, x.data())}, {DNNL_ARG_DST, Wrap(cpu, y_md, y.data())}});
  cpu.stream().wait();
}

void BroadcastAccumulate(DeviceContext&, float alpha, const Tensor& dy, Tensor& dx) {
  const float* pdy = dy.data();
  float* pdx = dx.data();
  const Shape s = BroadcastStrides(dy.shape(), dx.shape());
  const Shape unit(dx.rank(), 0);
  ForEachBroadcast(dx.shape(), s, unit, [&](int64_t o, int64_t i, int64_t) { pdx[o] += alpha * pdy[i]; });
}

namespace {

// x viewed as [outer, axis, inner].
struct AxisView {
  int64_t outer = 1, axis = 1, inner = 1;
};

AxisView ViewAround(const Shape& shape, int axis) {
  AxisView v;
  for (int i = 0; i < static_cast<int>(shape.size()); ++i) {
    if (i < axis) v.outer *= shape[i];
    if (i == axis) v.axis = shape[i];
    if (i > axis) v.inner *= shape[i];
  }
  return v;
}

}  // namespace

void SoftmaxForward(DeviceContext& context, const Tensor& x, const Tensor* mask, int axis, bool log, Tensor& y) {
  CpuContext& cpu = AsCpu(context, log ? "LogSoftmax" : "Softmax");
  if (x.size() == 0) return;
  const float* src = x.data();
  Tensor masked;
  if (mask != nullptr) {
    masked = cpu.Allocate(x.shape());
    const float* pm = mask->data();
    float* pd = masked.data();
    constexpr float kLowest = std::numeric_limits<float>::lowest();
    for (int64_t i = 0; i < x.size(); ++i) pd[i] = pm[i] != 0.0f ? src[i] : kLowest;
    src = pd;
  }
  const memory::desc md = Plain(ToDims(x.shape()));
  const std::string key = absl::StrCat(log ? "logsoftmax:" : "softmax:", axis, ShapeString(x.shape()));
  dnnl::primitive& prim = cpu.Primitive(key, [&]() -> dnnl::primitive {
    if (log) {
      dnnl::logsoftmax_forward::desc desc(dnnl::prop_kind::forward_inference, md, axis);
      return dnnl::logsoftmax_forward(dnnl::logsoftmax_forward::primitive_desc(desc, cpu.engine()));
    }
    dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, md, axis);
    return dnnl::softmax_forward(dnnl::softmax_forward::primitive_desc(desc, cpu.engine()));
  });
  prim.execute(cpu.stream(), {{DNNL_ARG_SRC, Wrap(cpu, md, src)}, {DNNL_ARG_DST, Wrap(cpu, md, y.data())}});
  cpu.stream().wait();
  if (mask != nullptr && !log) {  // a row with no real position must give zeros, not a uniform row
    const float* pm = mask->data();
    float* py = y.data();
    for (int64_t i = 0; i < y.size(); ++i) py[i] *= pm[i] != 0.0f ? 1.0f : 0.0f;
  }
}

void SoftmaxBackward(DeviceContext&, const Tensor& y, const Tensor* mask, const Tensor& dy, int axis, bool log,
                     Tensor& dx) {
  const AxisView v = ViewAround(y.shape(), axis);
  const float* py = y.data();
  const float* pdy = dy.data();
  const float* pm = mask ? mask->data() : nullptr;
  float* pdx = dx.data();
#pragma omp parallel for if (v.outer * v.axis * v.inner >= kMinParallelFloats)
  for (int64_t o = 0; o < v.outer; ++o) {
    for (int64_t in = 0; in < v.inner; ++in) {
      const int64_t base = o * v.axis * v.inner + in;
      double dot = 0.0;
      for (int64_t a = 0; a < v.axis; ++a) {
        const int64_t i = base + a * v.inner;
        if (pm && pm[i] == 0.0f) continue;
        dot += log ? pdy[i] : pdy[i] * py[i];
      }
      for (int64_t a = 0; a < v.axis; ++a) {
        const int64_t i = base + a * v.inner;
        if (pm && pm[i] == 0.0f) continue;
        pdx[i] += log ? pdy[i] - std::exp(py[i]) * static_cast<float>(dot) : py[i] * (pdy[i] - static_cast<float>(dot));
      }
    }
  }
}

}  // namespace nmt::cpu
