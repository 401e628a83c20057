// The CUDA kernel table against its CPU twin: every entry on random inputs of odd sizes
// and batch 1, forward outputs compared and backward gradients compared after
// accumulating into the same non-zero starting values (backward kernels accumulate).
// Needs a CUDA device: without one (CI, this project's build machines) every test
// reports GTEST_SKIP, never a pass. ops/kernels/cuda/check_gpu.sh runs it on a GPU.
// It lives in //ops because it includes both backends, which sit on one layer.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "base/random.h"
#include "gtest/gtest.h"
#include "ops/kernels/cpu/cpu_context.h"
#include "ops/kernels/cpu/cpu_kernels.h"
#include "ops/kernels/cuda/cuda_context.h"
#include "ops/kernels/cuda/cuda_kernels.h"

namespace nmt {
namespace {

class CudaBackendTest : public testing::Test {
 protected:
  void SetUp() override {
    if (CudaContext::DeviceCount() == 0) GTEST_SKIP() << "no CUDA device: the CUDA backend cannot run here";
    gpu_ = std::make_unique<CudaContext>(0);
  }

  // Host values uniform in [lo, hi).
  Tensor Random(const Shape& shape, float lo = -1.0f, float hi = 1.0f) {
    std::vector<float> values(NumElements(shape));
    for (float& v : values) v = lo + (hi - lo) * static_cast<float>(rng_.Next() >> 40) / 16777216.0f;
    return Tensor::FromVector(shape, values);
  }
  // Host values of 0 and 1 with about `ones` of them 1.
  Tensor Mask(const Shape& shape, float ones = 0.7f) {
    std::vector<float> values(NumElements(shape));
    for (float& v : values) v = static_cast<float>(rng_.Next() >> 40) / 16777216.0f < ones ? 1.0f : 0.0f;
    return Tensor::FromVector(shape, values);
  }
  std::vector<int32_t> Ids(int64_t count, int32_t bound) {
    std::vector<int32_t> ids(count);
    for (int32_t& id : ids) id = static_cast<int32_t>(rng_.Uniform(bound));
    return ids;
  }

  Tensor Up(const Tensor& host) { return gpu_->ToDevice(host); }
  // A device tensor of `host`'s shape, holding garbage-free copies where a kernel
  // accumulates, else just allocated.
  Tensor DeviceLike(const Tensor& host) { return gpu_->Allocate(host.shape()); }

  // |gpu − cpu| <= atol + rtol |cpu| everywhere; reports the first element that is not.
  static void ExpectClose(const Tensor& gpu, const Tensor& cpu, const std::string& what, float rtol = 1e-4f,
                          float atol = 1e-5f) {
    ASSERT_EQ(gpu.shape(), cpu.shape()) << what;
    const std::vector<float> g = gpu.ToHost().ToVector(), c = cpu.ToVector();
    int64_t bad = 0;
    for (size_t i = 0; i < c.size(); ++i) {
      const bool close =
          std::fabs(g[i] - c[i]) <= atol + rtol * std::fabs(c[i]) || (std::isnan(g[i]) && std::isnan(c[i]));
      if (!close && bad++ == 0)
        ADD_FAILURE() << what << ": element " << i << " is " << g[i] << " on the GPU, " << c[i] << " on the CPU";
    }
    EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << c.size() << " elements differ";
  }

  SplitMix64 rng_{20261201};
  CpuContext cpu_{1};
  std::unique_ptr<CudaContext> gpu_;
  const Kernels& cpu_k_ = CpuKernels();
  const Kernels& gpu_k_ = CudaKernels();
};

TEST_F(CudaBackendTest, GemmEveryLayoutBatchAndFlag) {
  for (int64_t batch : {1, 3}) {
    for (auto [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {1, 7, 33}, {5, 1, 9}, {37, 65, 129}}) {
      for (int flags = 0; flags < 32; ++flags) {
        const bool trans_a = flags & 1, trans_b = flags & 2, batch_b = flags & 4, accumulate = flags & 8,
                   bias = flags & 16;
        const int64_t bb = batch_b ? batch : 1;
        const Tensor a = Random(trans_a ? Shape{batch, k, m} : Shape{batch, m, k});
        const Tensor b = Random(trans_b ? Shape{bb, n, k} : Shape{bb, k, n});
        const Tensor bias_t = Random({n});
        Tensor c_cpu = Random({batch, m, n});
        Tensor c_gpu = Up(c_cpu);
        const Tensor a_gpu = Up(a), b_gpu = Up(b), bias_gpu = Up(bias_t);
        GemmArgs args{.batch = batch,
                      .m = m,
                      .n = n,
                      .k = k,
                      .trans_a = trans_a,
                      .trans_b = trans_b,
                      .batch_b = batch_b,
                      .accumulate = accumulate};
        GemmArgs on_cpu = args, on_gpu = args;
        on_cpu.a = a.data(), on_cpu.b = b.data(), on_cpu.bias = bias ? bias_t.data() : nullptr, on_cpu.c = c_cpu.data();
        on_gpu.a = a_gpu.data(), on_gpu.b = b_gpu.data(), on_gpu.bias = bias ? bias_gpu.data() : nullptr,
        on_gpu.c = c_gpu.data();
        cpu_k_.gemm(cpu_, on_cpu);
        gpu_k_.gemm(*gpu_, on_gpu);
        ExpectClose(c_gpu, c_cpu,
                    "gemm batch " + std::to_string(batch) + " " + std::to_string(m) + "x" + std::to_string(n) + "x" +
                        std::to_string(k) + " flags " + std::to_string(flags));
      }
    }
  }
}

TEST_F(CudaBackendTest, GemmWithAnEmptySum) {
  for (bool accumulate : {false, true}) {
    const Tensor bias = Random({3});
    Tensor c_cpu = Random({2, 3});
    Tensor c_gpu = Up(c_cpu);
    const Tensor bias_gpu = Up(bias);
    float unused = 0.0f;
    cpu_k_.gemm(cpu_, {.m = 2,
                       .n = 3,
                       .k = 0,
                       .accumulate = accumulate,
                       .a = &unused,
                       .b = &unused,
                       .bias = bias.data(),
                       .c = c_cpu.data()});
    gpu_k_.gemm(*gpu_, {.m = 2,
                        .n = 3,
                        .k = 0,
                        .accumulate = accumulate,
                        .a = bias_gpu.data(),
                        .b = bias_gpu.data(),
                        .bias = bias_gpu.data(),
                        .c = c_gpu.data()});
    ExpectClose(c_gpu, c_cpu, accumulate ? "k = 0, accumulate" : "k = 0");
  }
}

TEST_F(CudaBackendTest, ScaleAndAxpy) {
  for (int64_t size : {1, 7, 1000, 70001}) {
    const Tensor x = Random({size});
    Tensor y_cpu = Random({size});
    Tensor y_gpu = Up(y_cpu);
    const Tensor x_gpu = Up(x);
    cpu_k_.axpy(cpu_, -0.5f, x, y_cpu);
    gpu_k_.axpy(*gpu_, -0.5f, x_gpu, y_gpu);
    ExpectClose(y_gpu, y_cpu, "axpy");
    cpu_k_.scale(cpu_, 3.0f, y_cpu, y_cpu);
    gpu_k_.scale(*gpu_, 3.0f, y_gpu, y_gpu);
    ExpectClose(y_gpu, y_cpu, "scale in place");
  }
}

TEST_F(CudaBackendTest, UnaryForwardAndBackward) {
  for (UnaryOp op : {UnaryOp::kSigmoid, UnaryOp::kTanh, UnaryOp::kExp, UnaryOp::kLog, UnaryOp::kRelu}) {
    for (int64_t size : {1, 33, 5000}) {
      const Tensor x = op == UnaryOp::kLog ? Random({size}, 0.1f, 3.0f) : Random({size}, -3.0f, 3.0f);
      const Tensor dy = Random({size});
      Tensor y_cpu = cpu_.Allocate({size});
      cpu_k_.unary_forward(cpu_, op, x, y_cpu);
      const Tensor x_gpu = Up(x), dy_gpu = Up(dy);
      Tensor y_gpu = gpu_->Allocate({size});
      gpu_k_.unary_forward(*gpu_, op, x_gpu, y_gpu);
      ExpectClose(y_gpu, y_cpu, std::string(UnaryOpName(op)) + " forward");
      Tensor dx_cpu = Random({size});
      Tensor dx_gpu = Up(dx_cpu);
      cpu_k_.unary_backward(cpu_, op, x, y_cpu, dy, dx_cpu);
      gpu_k_.unary_backward(*gpu_, op, x_gpu, y_gpu, dy_gpu, dx_gpu);
      ExpectClose(dx_gpu, dx_cpu, std::string(UnaryOpName(op)) + " backward");
    }
  }
}

TEST_F(CudaBackendTest, BinaryWithBroadcastingForwardAndBackward) {
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{3, 5}, {3, 5}},          {{3, 5}, {5}},    {{5}, {3, 5}},
      {{2, 1, 4}, {3, 1}},       {{1}, {4, 3}},    {{7, 1}, {1, 9}},
      {{33, 70}, {33, 1}},       {{1, 65}, {65}},  {{}, {2, 3}},
      {{2, 3, 4, 5}, {3, 1, 5}}, {{1, 1}, {1, 1}}, {{40, 1, 3}, {1, 50, 3}},
  };
  for (BinaryOp op : {BinaryOp::kAdd, BinaryOp::kSub, BinaryOp::kMul, BinaryOp::kDiv}) {
    for (const auto& [sa, sb] : shapes) {
      const std::string what = std::string(BinaryOpName(op)) + " " + ShapeString(sa) + " " + ShapeString(sb);
      const Tensor a = Random(sa), b = op == BinaryOp::kDiv ? Random(sb, 0.5f, 2.0f) : Random(sb);
      Shape sy = sa.size() >= sb.size() ? sa : sb;
      for (size_t i = 0; i < sy.size(); ++i) {  // the broadcast shape, trailing dims aligned
        const int64_t da = i + sa.size() >= sy.size() ? sa[i + sa.size() - sy.size()] : 1;
        const int64_t db = i + sb.size() >= sy.size() ? sb[i + sb.size() - sy.size()] : 1;
        sy[i] = std::max(da, db);
      }
      Tensor y_cpu = cpu_.Allocate(sy);
      cpu_k_.binary_forward(cpu_, op, a, b, y_cpu);
      const Tensor a_gpu = Up(a), b_gpu = Up(b);
      Tensor y_gpu = gpu_->Allocate(sy);
      gpu_k_.binary_forward(*gpu_, op, a_gpu, b_gpu, y_gpu);
      ExpectClose(y_gpu, y_cpu, what + " forward");
      const Tensor dy = Random(sy);
      const Tensor dy_gpu = Up(dy);
      Tensor da_cpu = Random(sa), db_cpu = Random(sb);
      Tensor da_gpu = Up(da_cpu), db_gpu = Up(db_cpu);
      cpu_k_.binary_backward(cpu_, op, a, b, dy, &da_cpu, &db_cpu);
      gpu_k_.binary_backward(*gpu_, op, a_gpu, b_gpu, dy_gpu, &da_gpu, &db_gpu);
      ExpectClose(da_gpu, da_cpu, what + " da", 1e-4f, 1e-4f);
      ExpectClose(db_gpu, db_cpu, what + " db", 1e-4f, 1e-4f);
      Tensor only_db = Up(db_cpu);  // a null gradient is skipped
      gpu_k_.binary_backward(*gpu_, op, a_gpu, b_gpu, dy_gpu, nullptr, &only_db);
      cpu_k_.binary_backward(cpu_, op, a, b, dy, nullptr, &db_cpu);
      ExpectClose(only_db, db_cpu, what + " db alone", 1e-4f, 1e-4f);
    }
  }
}

TEST_F(CudaBackendTest, ReduceSumAndBroadcastAccumulate) {
  const Shape x_shape = {4, 5, 67};
  for (const Shape& y_shape : std::vector<Shape>{{1, 5, 1}, {4, 1, 67}, {1, 1, 1}, {4, 5, 1}, {1, 5, 67}, {4, 5, 67}}) {
    const Tensor x = Random(x_shape);
    Tensor y_cpu = cpu_.Allocate(y_shape);
    cpu_k_.reduce_sum(cpu_, x, y_cpu);
    const Tensor x_gpu = Up(x);
    Tensor y_gpu = gpu_->Allocate(y_shape);
    gpu_k_.reduce_sum(*gpu_, x_gpu, y_gpu);
    ExpectClose(y_gpu, y_cpu, "reduce_sum to " + ShapeString(y_shape), 1e-4f, 1e-4f);
    Tensor dx_cpu = Random(x_shape);
    Tensor dx_gpu = Up(dx_cpu);
    cpu_k_.broadcast_accumulate(cpu_, 0.25f, y_cpu, dx_cpu);
    gpu_k_.broadcast_accumulate(*gpu_, 0.25f, y_gpu, dx_gpu);
    ExpectClose(dx_gpu, dx_cpu, "broadcast_accumulate from " + ShapeString(y_shape), 1e-4f, 1e-4f);
  }
}

TEST_F(CudaBackendTest, SoftmaxAndLogSoftmaxWithMasks) {
  const std::vector<std::pair<Shape, int>> cases = {{{1, 1}, 1},    {{3, 37}, 1}, {{2, 1500}, 1},
                                                    {{4, 9, 5}, 1}, {{6, 3}, 0},  {{1, 50}, 1}};
  for (const auto& [shape, axis] : cases) {
    for (bool log : {false, true}) {
      for (bool masked : {false, true}) {
        const std::string what = std::string(log ? "log_softmax " : "softmax ") + ShapeString(shape) + " axis " +
                                 std::to_string(axis) + (masked ? " masked" : "");
        const Tensor x = Random(shape, -4.0f, 4.0f);
        Tensor mask = Mask(shape);
        if (masked && shape.size() == 2 && axis == 1) {  // one row with no real position
          std::vector<float> m = mask.ToVector();
          for (int64_t j = 0; j < shape[1]; ++j) m[j] = 0.0f;
          mask = Tensor::FromVector(shape, m);
        }
        const Tensor* mask_cpu = masked ? &mask : nullptr;
        const Tensor mask_up = Up(mask);
        const Tensor* mask_gpu = masked ? &mask_up : nullptr;
        Tensor y_cpu = cpu_.Allocate(shape);
        cpu_k_.softmax_forward(cpu_, x, mask_cpu, axis, log, y_cpu);
        const Tensor x_gpu = Up(x);
        Tensor y_gpu = gpu_->Allocate(shape);
        gpu_k_.softmax_forward(*gpu_, x_gpu, mask_gpu, axis, log, y_gpu);
        ExpectClose(y_gpu, y_cpu, what + " forward", 1e-4f, 1e-5f);
        const Tensor dy = Random(shape);
        const Tensor dy_gpu = Up(dy);
        Tensor dx_cpu = Random(shape);
        Tensor dx_gpu = Up(dx_cpu);
        cpu_k_.softmax_backward(cpu_, y_cpu, mask_cpu, dy, axis, log, dx_cpu);
        gpu_k_.softmax_backward(*gpu_, y_gpu, mask_gpu, dy_gpu, axis, log, dx_gpu);
        ExpectClose(dx_gpu, dx_cpu, what + " backward", 1e-3f, 1e-4f);
      }
    }
  }
}

TEST_F(CudaBackendTest, PermuteAndCopyColumns) {
  const Tensor x = Random({2, 3, 5, 7});
  const Tensor x_gpu = Up(x);
  for (const std::vector<int>& perm : std::vector<std::vector<int>>{{3, 0, 2, 1}, {1, 0, 2, 3}, {0, 1, 2, 3}}) {
    for (bool accumulate : {false, true}) {
      Shape y_shape;
      for (int p : perm) y_shape.push_back(x.dim(p));
      Tensor y_cpu = Random(y_shape);
      Tensor y_gpu = Up(y_cpu);
      cpu_k_.permute(cpu_, x, perm, accumulate, y_cpu);
      gpu_k_.permute(*gpu_, x_gpu, perm, accumulate, y_gpu);
      ExpectClose(y_gpu, y_cpu, "permute" + std::string(accumulate ? " accumulate" : ""));
    }
  }
  for (bool accumulate : {false, true}) {
    const Tensor from = Random({6, 11});
    Tensor to_cpu = Random({6, 9});
    Tensor to_gpu = Up(to_cpu);
    cpu_k_.copy_columns(cpu_, from, 3, to_cpu, 2, 6, 5, accumulate);
    gpu_k_.copy_columns(*gpu_, Up(from), 3, to_gpu, 2, 6, 5, accumulate);
    ExpectClose(to_gpu, to_cpu, "copy_columns" + std::string(accumulate ? " accumulate" : ""));
  }
}

TEST_F(CudaBackendTest, EmbeddingGatherAndScatterAdd) {
  for (auto [rows, width, count] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {7, 33, 50}, {1000, 64, 300}}) {
    const Tensor table = Random({rows, width});
    const std::vector<int32_t> ids = Ids(count, static_cast<int32_t>(rows));  // repeats: atomics must sum them
    const Tensor ids_cpu = Tensor::FromInt32s({count}, ids);
    const Tensor ids_gpu = gpu_->FromInt32s({count}, ids);
    Tensor y_cpu = cpu_.Allocate({count, width});
    cpu_k_.embedding_forward(cpu_, table, ids_cpu, y_cpu);
    Tensor y_gpu = gpu_->Allocate({count, width});
    gpu_k_.embedding_forward(*gpu_, Up(table), ids_gpu, y_gpu);
    ExpectClose(y_gpu, y_cpu, "embedding forward");
    const Tensor dy = Random({count, width});
    Tensor dt_cpu = Random({rows, width});
    Tensor dt_gpu = Up(dt_cpu);
    cpu_k_.embedding_backward(cpu_, ids_cpu, dy, dt_cpu);
    gpu_k_.embedding_backward(*gpu_, ids_gpu, Up(dy), dt_gpu);
    ExpectClose(dt_gpu, dt_cpu, "embedding backward", 1e-4f, 1e-4f);
  }
}

TEST_F(CudaBackendTest, MaxoutWithTies) {
  std::vector<float> values = Random({5, 14}).ToVector();
  values[0] = values[1];  // a tie goes to the first of the pair
  const Tensor x = Tensor::FromVector({5, 14}, values);
  Tensor y_cpu = cpu_.Allocate({5, 7});
  cpu_k_.maxout_forward(cpu_, x, y_cpu);
  const Tensor x_gpu = Up(x);
  Tensor y_gpu = gpu_->Allocate({5, 7});
  gpu_k_.maxout_forward(*gpu_, x_gpu, y_gpu);
  ExpectClose(y_gpu, y_cpu, "maxout forward", 0.0f, 0.0f);
  const Tensor dy = Random({5, 7});
  Tensor dx_cpu = Random({5, 14});
  Tensor dx_gpu = Up(dx_cpu);
  cpu_k_.maxout_backward(cpu_, x, dy, dx_cpu);
  gpu_k_.maxout_backward(*gpu_, x_gpu, Up(dy), dx_gpu);
  ExpectClose(dx_gpu, dx_cpu, "maxout backward");
}

TEST_F(CudaBackendTest, FusedSoftmaxCrossEntropy) {
  for (float smoothing : {0.0f, 0.1f}) {
    for (auto [rows, classes] : {std::pair<int64_t, int64_t>{1, 1}, {3, 5}, {17, 1000}, {4, 30001}}) {
      const std::string what =
          std::to_string(rows) + " x " + std::to_string(classes) + " smoothing " + std::to_string(smoothing);
      const Tensor logits = Random({rows, classes}, -5.0f, 5.0f);
      const std::vector<int32_t> targets = Ids(rows, static_cast<int32_t>(classes));
      const Tensor mask = Mask({rows});
      const Tensor targets_cpu = Tensor::FromInt32s({rows}, targets);
      const Tensor targets_gpu = gpu_->FromInt32s({rows}, targets);
      Tensor lp_cpu = cpu_.Allocate({rows, classes}), nll_cpu = cpu_.Allocate({rows});
      cpu_k_.softmax_xent_forward(cpu_, logits, targets_cpu, mask, smoothing, lp_cpu, nll_cpu);
      const Tensor logits_gpu = Up(logits), mask_gpu = Up(mask);
      Tensor lp_gpu = gpu_->Allocate({rows, classes}), nll_gpu = gpu_->Allocate({rows});
      gpu_k_.softmax_xent_forward(*gpu_, logits_gpu, targets_gpu, mask_gpu, smoothing, lp_gpu, nll_gpu);
      ExpectClose(lp_gpu, lp_cpu, what + " log_probs", 1e-5f, 1e-4f);
      ExpectClose(nll_gpu, nll_cpu, what + " nll", 1e-5f, 1e-4f);
      const Tensor dnll = Random({rows});
      Tensor dl_cpu = Random({rows, classes});
      Tensor dl_gpu = Up(dl_cpu);
      cpu_k_.softmax_xent_backward(cpu_, lp_cpu, targets_cpu, mask, smoothing, dnll, dl_cpu);
      gpu_k_.softmax_xent_backward(*gpu_, lp_gpu, targets_gpu, mask_gpu, smoothing, Up(dnll), dl_gpu);
      ExpectClose(dl_gpu, dl_cpu, what + " dlogits", 1e-4f, 1e-5f);
    }
  }
}

TEST_F(CudaBackendTest, DropoutMaskIsTheCpusBitForBit) {
  for (float p : {0.0f, 0.1f, 0.5f, 0.9f}) {
    for (const Shape& shape : std::vector<Shape>{{1}, {257}, {3, 1000}, {7, 3, 5}}) {
      for (int64_t first_row : {0, 5}) {
        Tensor m_cpu = cpu_.Allocate(shape);
        cpu_k_.dropout_mask(cpu_, p, 1234567 + shape[0], first_row, m_cpu);
        Tensor m_gpu = gpu_->Allocate(shape);
        gpu_k_.dropout_mask(*gpu_, p, 1234567 + shape[0], first_row, m_gpu);
        EXPECT_EQ(m_gpu.ToHost().ToVector(), m_cpu.ToVector())
            << "p " << p << ", " << ShapeString(shape) << ", first row " << first_row;
      }
    }
  }
}

TEST_F(CudaBackendTest, GruStepBothFormsForwardAndBackward) {
  for (bool lbr : {false, true}) {
    for (auto [batch, n] : {std::pair<int64_t, int64_t>{1, 1}, {1, 7}, {5, 33}, {64, 128}}) {
      for (int masks = 0; masks < 4; ++masks) {
        const bool masked = masks & 1, dropped = masks & 2;  // padding mask, recurrent dropout mask
        const std::string what = std::string(lbr ? "linear before reset" : "reset before U") + " B " +
                                 std::to_string(batch) + " n " + std::to_string(n) + (masked ? " masked" : "") +
                                 (dropped ? " recurrent dropout" : "");
        GruStepTensors c{.linear_before_reset = lbr,
                         .x_proj = Random({batch, 3 * n}),
                         .h = Random({batch, n}),
                         .u_zr = Random({2 * n, n}, -0.5f, 0.5f),
                         .u = Random({n, n}, -0.5f, 0.5f),
                         .mask = masked ? Mask({batch}) : Tensor(),
                         .recurrent_mask = dropped ? Mask({batch, n}, 0.8f) : Tensor(),
                         .h_dropped = dropped ? cpu_.Allocate({batch, n}) : Tensor(),
                         .gates = cpu_.Allocate({batch, 2 * n}),
                         .candidate = cpu_.Allocate({batch, n}),
                         .recurrent = cpu_.Allocate({batch, n})};
        GruStepTensors g{.linear_before_reset = lbr,
                         .x_proj = Up(c.x_proj),
                         .h = Up(c.h),
                         .u_zr = Up(c.u_zr),
                         .u = Up(c.u),
                         .mask = masked ? Up(c.mask) : Tensor(),
                         .recurrent_mask = dropped ? Up(c.recurrent_mask) : Tensor(),
                         .h_dropped = dropped ? gpu_->Allocate({batch, n}) : Tensor(),
                         .gates = gpu_->Allocate({batch, 2 * n}),
                         .candidate = gpu_->Allocate({batch, n}),
                         .recurrent = gpu_->Allocate({batch, n})};
        Tensor y_cpu = cpu_.Allocate({batch, n}), y_gpu = gpu_->Allocate({batch, n});
        cpu_k_.gru_step_forward(cpu_, c, y_cpu);
        gpu_k_.gru_step_forward(*gpu_, g, y_gpu);
        ExpectClose(y_gpu, y_cpu, what + " y");
        ExpectClose(g.gates, c.gates, what + " gates");
        ExpectClose(g.candidate, c.candidate, what + " candidate");
        ExpectClose(g.recurrent, c.recurrent, what + " recurrent");
        const Tensor dy = Random({batch, n});
        GruStepGrads gc{.dx_proj = Random({batch, 3 * n}),
                        .dh = Random({batch, n}),
                        .du_zr = Random({2 * n, n}),
                        .du = Random({n, n})};
        GruStepGrads gg{.dx_proj = Up(gc.dx_proj), .dh = Up(gc.dh), .du_zr = Up(gc.du_zr), .du = Up(gc.du)};
        cpu_k_.gru_step_backward(cpu_, c, dy, gc);
        gpu_k_.gru_step_backward(*gpu_, g, Up(dy), gg);
        ExpectClose(gg.dx_proj, gc.dx_proj, what + " dx_proj", 1e-4f, 1e-4f);
        ExpectClose(gg.dh, gc.dh, what + " dh", 1e-4f, 1e-4f);
        ExpectClose(gg.du_zr, gc.du_zr, what + " dU_zr", 1e-4f, 1e-4f);
        ExpectClose(gg.du, gc.du, what + " dU", 1e-4f, 1e-4f);
        GruStepGrads only_du_c{.du = Random({n, n})};  // undefined gradients are skipped
        GruStepGrads only_du_g{.du = Up(only_du_c.du)};
        cpu_k_.gru_step_backward(cpu_, c, dy, only_du_c);
        gpu_k_.gru_step_backward(*gpu_, g, Up(dy), only_du_g);
        ExpectClose(only_du_g.du, only_du_c.du, what + " dU alone", 1e-4f, 1e-4f);
      }
    }
  }
}

TEST_F(CudaBackendTest, LstmStepForwardAndBackward) {
  for (auto [batch, n] : {std::pair<int64_t, int64_t>{1, 1}, {1, 9}, {6, 31}, {64, 128}}) {
    for (int masks = 0; masks < 4; ++masks) {
      const bool masked = masks & 1, dropped = masks & 2;  // padding mask, recurrent dropout mask
      const std::string what = "B " + std::to_string(batch) + " n " + std::to_string(n) + (masked ? " masked" : "") +
                               (dropped ? " recurrent dropout" : "");
      LstmStepTensors c{.x_proj = Random({batch, 4 * n}),
                        .state = Random({batch, 2 * n}),
                        .u = Random({4 * n, n}, -0.5f, 0.5f),
                        .mask = masked ? Mask({batch}) : Tensor(),
                        .recurrent_mask = dropped ? Mask({batch, n}, 0.8f) : Tensor(),
                        .h = cpu_.Allocate({batch, n}),
                        .gates = cpu_.Allocate({batch, 3 * n}),
                        .candidate = cpu_.Allocate({batch, n}),
                        .cell_tanh = cpu_.Allocate({batch, n})};
      LstmStepTensors g{.x_proj = Up(c.x_proj),
                        .state = Up(c.state),
                        .u = Up(c.u),
                        .mask = masked ? Up(c.mask) : Tensor(),
                        .recurrent_mask = dropped ? Up(c.recurrent_mask) : Tensor(),
                        .h = gpu_->Allocate({batch, n}),
                        .gates = gpu_->Allocate({batch, 3 * n}),
                        .candidate = gpu_->Allocate({batch, n}),
                        .cell_tanh = gpu_->Allocate({batch, n})};
      Tensor y_cpu = cpu_.Allocate({batch, 2 * n}), y_gpu = gpu_->Allocate({batch, 2 * n});
      cpu_k_.lstm_step_forward(cpu_, c, y_cpu);
      gpu_k_.lstm_step_forward(*gpu_, g, y_gpu);
      ExpectClose(y_gpu, y_cpu, what + " y");
      ExpectClose(g.h, c.h, what + " h");
      ExpectClose(g.gates, c.gates, what + " gates");
      ExpectClose(g.candidate, c.candidate, what + " candidate");
      ExpectClose(g.cell_tanh, c.cell_tanh, what + " cell_tanh");
      const Tensor dy = Random({batch, 2 * n});
      LstmStepGrads gc{.dx_proj = Random({batch, 4 * n}), .dstate = Random({batch, 2 * n}), .du = Random({4 * n, n})};
      LstmStepGrads gg{.dx_proj = Up(gc.dx_proj), .dstate = Up(gc.dstate), .du = Up(gc.du)};
      cpu_k_.lstm_step_backward(cpu_, c, dy, gc);
      gpu_k_.lstm_step_backward(*gpu_, g, Up(dy), gg);
      ExpectClose(gg.dx_proj, gc.dx_proj, what + " dx_proj", 1e-4f, 1e-4f);
      ExpectClose(gg.dstate, gc.dstate, what + " dstate", 1e-4f, 1e-4f);
      ExpectClose(gg.du, gc.du, what + " dU", 1e-4f, 1e-4f);
    }
  }
}

TEST_F(CudaBackendTest, AdditiveAttentionScoresAndContext) {
  for (auto [batch, length, width] :
       {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {1, 13, 7}, {5, 50, 128}, {3, 2, 33}}) {
    const std::string what = std::to_string(batch) + "x" + std::to_string(length) + "x" + std::to_string(width);
    const Tensor q = Random({batch, width}), keys = Random({batch, length, width}), v = Random({width});
    Tensor t_cpu = cpu_.Allocate({batch, length, width}), e_cpu = cpu_.Allocate({batch, length});
    cpu_k_.additive_scores_forward(cpu_, q, keys, v, t_cpu, e_cpu);
    const Tensor q_gpu = Up(q), keys_gpu = Up(keys), v_gpu = Up(v);
    Tensor t_gpu = gpu_->Allocate({batch, length, width}), e_gpu = gpu_->Allocate({batch, length});
    gpu_k_.additive_scores_forward(*gpu_, q_gpu, keys_gpu, v_gpu, t_gpu, e_gpu);
    ExpectClose(t_gpu, t_cpu, what + " tanh");
    ExpectClose(e_gpu, e_cpu, what + " scores", 1e-4f, 1e-4f);
    const Tensor de = Random({batch, length});
    Tensor dq_cpu = Random({batch, width}), dk_cpu = Random({batch, length, width}), dv_cpu = Random({width});
    Tensor dq_gpu = Up(dq_cpu), dk_gpu = Up(dk_cpu), dv_gpu = Up(dv_cpu);
    cpu_k_.additive_scores_backward(cpu_, t_cpu, v, de, &dq_cpu, &dk_cpu, &dv_cpu);
    gpu_k_.additive_scores_backward(*gpu_, t_gpu, v_gpu, Up(de), &dq_gpu, &dk_gpu, &dv_gpu);
    ExpectClose(dq_gpu, dq_cpu, what + " dq", 1e-4f, 1e-4f);
    ExpectClose(dk_gpu, dk_cpu, what + " dkeys", 1e-4f, 1e-4f);
    ExpectClose(dv_gpu, dv_cpu, what + " dv", 1e-4f, 1e-4f);

    const Tensor alpha = Random({batch, length}, 0.0f, 1.0f), h = Random({batch, length, width});
    Tensor c_cpu = cpu_.Allocate({batch, width});
    cpu_k_.attention_context_forward(cpu_, alpha, h, c_cpu);
    const Tensor alpha_gpu = Up(alpha), h_gpu = Up(h);
    Tensor c_gpu = gpu_->Allocate({batch, width});
    gpu_k_.attention_context_forward(*gpu_, alpha_gpu, h_gpu, c_gpu);
    ExpectClose(c_gpu, c_cpu, what + " context", 1e-4f, 1e-4f);
    const Tensor dc = Random({batch, width});
    Tensor da_cpu = Random({batch, length}), dh_cpu = Random({batch, length, width});
    Tensor da_gpu = Up(da_cpu), dh_gpu = Up(dh_cpu);
    cpu_k_.attention_context_backward(cpu_, alpha, h, dc, &da_cpu, &dh_cpu);
    gpu_k_.attention_context_backward(*gpu_, alpha_gpu, h_gpu, Up(dc), &da_gpu, &dh_gpu);
    ExpectClose(da_gpu, da_cpu, what + " dalpha", 1e-4f, 1e-4f);
    ExpectClose(dh_gpu, dh_cpu, what + " dh", 1e-4f, 1e-4f);
  }
}

TEST_F(CudaBackendTest, GatherRows) {
  const Tensor x = Random({9, 4, 3});
  const std::vector<int32_t> rows = {8, 0, 0, 3, 5};
  Tensor y_cpu = cpu_.Allocate({5, 4, 3}), y_gpu = gpu_->Allocate({5, 4, 3});
  cpu_k_.gather_rows(cpu_, x, Tensor::FromInt32s({5}, rows), y_cpu);
  gpu_k_.gather_rows(*gpu_, Up(x), gpu_->FromInt32s({5}, rows), y_gpu);
  ExpectClose(y_gpu, y_cpu, "gather_rows", 0.0f, 0.0f);
}

TEST_F(CudaBackendTest, OptimizerUpdatesAndSumOfSquares) {
  for (int64_t size : {1, 1000, 70001}) {
    const Tensor grad = Random({size});
    const Tensor grad_gpu = Up(grad);
    {
      const AdamStep step{.neg_step_size = -1e-3f / 0.1f,
                          .bias_correction2_sqrt = 0.0316f,
                          .beta1 = 0.9f,
                          .one_minus_beta1 = 0.1f,
                          .beta2 = 0.999f,
                          .one_minus_beta2 = 0.001f,
                          .eps = 1e-8f};
      Tensor value = Random({size}), m = Random({size}), v = Random({size}, 0.0f, 1.0f);
      Tensor value_gpu = Up(value), m_gpu = Up(m), v_gpu = Up(v);
      cpu_k_.adam_update(cpu_, step, grad, value, m, v);
      gpu_k_.adam_update(*gpu_, step, grad_gpu, value_gpu, m_gpu, v_gpu);
      ExpectClose(value_gpu, value, "adam value", 1e-5f, 1e-6f);
      ExpectClose(m_gpu, m, "adam exp_avg", 1e-6f, 1e-7f);
      ExpectClose(v_gpu, v, "adam exp_avg_sq", 1e-6f, 1e-7f);
    }
    {
      const AdadeltaStep step{.rho = 0.95f, .one_minus_rho = 0.05f, .eps = 1e-6f, .neg_lr = -1.0f};
      Tensor value = Random({size}), sq = Random({size}, 0.0f, 1.0f), acc = Random({size}, 0.0f, 1.0f);
      Tensor value_gpu = Up(value), sq_gpu = Up(sq), acc_gpu = Up(acc);
      cpu_k_.adadelta_update(cpu_, step, grad, value, sq, acc);
      gpu_k_.adadelta_update(*gpu_, step, grad_gpu, value_gpu, sq_gpu, acc_gpu);
      ExpectClose(value_gpu, value, "adadelta value", 1e-5f, 1e-6f);
      ExpectClose(sq_gpu, sq, "adadelta square_avg", 1e-6f, 1e-7f);
      ExpectClose(acc_gpu, acc, "adadelta acc_delta", 1e-5f, 1e-7f);
    }
    {
      Tensor value = Random({size});
      Tensor value_gpu = Up(value);
      cpu_k_.sgd_update(cpu_, -0.1f, grad, value);
      gpu_k_.sgd_update(*gpu_, -0.1f, grad_gpu, value_gpu);
      ExpectClose(value_gpu, value, "sgd value", 1e-6f, 1e-7f);
    }
  }
  const std::vector<Tensor> xs = {Random({1}), Random({16384}), Random({16385}), Random({100000}), Random({0})};
  std::vector<Tensor> xs_gpu;
  for (const Tensor& x : xs) xs_gpu.push_back(Up(x));
  const double cpu = cpu_k_.sum_of_squares(cpu_, xs), gpu = gpu_k_.sum_of_squares(*gpu_, xs_gpu);
  EXPECT_NEAR(gpu, cpu, 1e-9 * cpu);
  EXPECT_EQ(gpu_k_.sum_of_squares(*gpu_, xs_gpu), gpu) << "the same bits on every call";
  EXPECT_EQ(gpu_k_.sum_of_squares(*gpu_, {}), 0.0);
}

TEST_F(CudaBackendTest, DeterministicScatterAddRepeatsTheSameBits) {
  const Tensor dy = Random({4000, 96});
  const std::vector<int32_t> ids = Ids(4000, 50);  // many repeats of each id
  const Tensor ids_gpu = gpu_->FromInt32s({4000}, ids), dy_gpu = Up(dy);
  std::vector<float> first;
  for (int run = 0; run < 3; ++run) {
    Tensor dtable = gpu_->Zeros({50, 96});
    gpu_k_.embedding_backward(*gpu_, ids_gpu, dy_gpu, dtable);
    if (run == 0)
      first = dtable.ToHost().ToVector();
    else
      EXPECT_EQ(dtable.ToHost().ToVector(), first) << "run " << run;
  }
  Tensor dtable_cpu = Tensor::Zeros({50, 96});
  cpu_k_.embedding_backward(cpu_, Tensor::FromInt32s({4000}, ids), dy, dtable_cpu);
  EXPECT_EQ(dtable_cpu.ToVector(), first) << "ids summed in the CPU's order give the CPU's bits";
}

}  // namespace
}  // namespace nmt
