// Micro-benchmarks of matmul and the elementwise ops (a benchmark, not a test):
//
//   bazel run //ops:ops_benchmark -- --threads=2 [--precision=bf16] [--benchmark_filter=MatMul]
//
// Prints the CPU and GFLOP/s per case; no peak is assumed, as CPUs of this kind differ
// (tools/bench's --peak_gflops measures one). --precision=bf16 runs the products with
// bf16 operands (ops/PRECISION.md), refused where the CPU has no bf16 support.
// Elementwise ops are memory-bound: their counter is GB/s moved, as FLOP/s would mislead.
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "autograd/gradcheck.h"
#include "benchmark/benchmark.h"
#include "ops/backend.h"
#include "ops/elementwise.h"
#include "ops/kernels/cpu/cpu_context.h"
#include "ops/matmul.h"
#include "ops/softmax.h"

namespace nmt {
namespace {

int g_threads = 2;
MatmulPrecision g_precision = MatmulPrecision::kF32;

// /proc/cpuinfo's "model name", for the line every figure is printed under.
std::string CpuModelName() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (absl::StartsWith(line, "model name"))
      return std::string(absl::StripAsciiWhitespace(line.substr(line.find(':') + 1)));
  }
  return "unknown";
}

CpuContext& Context() {
  static CpuContext* context = [] {  // one per benchmark process
    auto* made = new CpuContext(g_threads);
    made->set_matmul_precision(g_precision);
    return made;
  }();
  return *context;
}

// y = x Wᵀ: x (m×k), W stored (n×k) as the models store weights, or (k×n) when transposed.
void BM_MatMul(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  const bool weights_out_in = state.range(3) != 0;
  Tape tape(Context());
  TapeScope scope(tape);
  NoGradScope no_grad;
  // Inputs are Parameters: they outlive tape.Reset(), which frees every tape node.
  Parameter x(RandomTensor({m, k}, 1));
  Parameter w(RandomTensor(weights_out_in ? Shape{n, k} : Shape{k, n}, 2));
  for (auto _ : state) {
    benchmark::DoNotOptimize(MatMul(x.var(), w.var(), false, weights_out_in).value().data());
    tape.Reset();
  }
  const double flops = 2.0 * m * n * k;
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(weights_out_in ? "W (out,in)" : "W (in,out)");
}
BENCHMARK(BM_MatMul)
    ->ArgNames({"m", "k", "n", "out_in"})
    ->Args({2560, 1000, 3000, 1})
    ->Args({2560, 1000, 3000, 0})
    ->Args({1920, 256, 1536, 1})  // small config: W x for all positions of a batch
    ->Args({64, 512, 1536, 1})    // small config: one recurrent step
    ->Args({64, 512, 1024, 1})
    ->Args({64, 512, 1024, 0})
    ->Args({1920, 256, 8000, 1})  // small config: output layer over all target steps
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A recurrent weight's gradient over a sequence: dW (out×in) = Σ_t dyₜᵀ xₜ over
// `steps` steps of `batch` rows, either as one accumulating GEMM per step (what the
// fused step's backward runs) or as one GEMM over all steps' rows stacked (steps·batch),
// as cuDNN and oneDNN's RNN primitives do. Same FLOPs; the ratio is what batching the
// weight gradients could gain (ops/README.md, "Where a training step's time goes").
void BM_WeightGradient(benchmark::State& state) {
  const int64_t steps = state.range(0), batch = state.range(1), in = state.range(2), out = state.range(3);
  const bool one_gemm = state.range(4) != 0;
  CpuContext& context = Context();
  const Tensor dy = RandomTensor({steps * batch, out}, 1), x = RandomTensor({steps * batch, in}, 2);
  Tensor dw = Tensor::Zeros({out, in});
  GemmArgs args;  // dW (out×in) += dyᵀ (out×rows) x (rows×in)
  args.m = out;
  args.n = in;
  args.trans_a = true;
  args.accumulate = true;
  args.c = dw.data();
  for (auto _ : state) {
    if (one_gemm) {
      args.k = steps * batch;
      args.a = dy.data();
      args.b = x.data();
      KernelsFor(context).gemm(context, args);
    } else {
      args.k = batch;
      for (int64_t t = 0; t < steps; ++t) {
        args.a = dy.data() + t * batch * out;
        args.b = x.data() + t * batch * in;
        KernelsFor(context).gemm(context, args);
      }
    }
  }
  const double flops = 2.0 * steps * batch * in * out;
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(one_gemm ? "one GEMM over all steps" : "one GEMM per step");
}
BENCHMARK(BM_WeightGradient)
    ->ArgNames({"steps", "batch", "in", "out", "one_gemm"})
    ->Args({30, 64, 512, 1024, 0})  // small config: dU_zr of an encoder direction or the decoder
    ->Args({30, 64, 512, 1024, 1})
    ->Args({30, 64, 1024, 1536, 0})  // small config: the decoder's dC (context 2n -> 3n)
    ->Args({30, 64, 1024, 1536, 1})
    ->Args({50, 80, 1000, 2000, 0})  // paper config: dU_zr
    ->Args({50, 80, 1000, 2000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

template <Var (*Op)(Var)>
void BM_Unary(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tape tape(Context());
  TapeScope scope(tape);
  NoGradScope no_grad;
  Parameter x(RandomTensor({n}, 1));
  for (auto _ : state) {
    benchmark::DoNotOptimize(Op(x.var()).value().data());
    tape.Reset();
  }
  state.counters["GB/s"] = benchmark::Counter(2.0 * n * 4 * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_TEMPLATE(BM_Unary, Tanh)->Arg(1 << 20)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Unary, Sigmoid)->Arg(1 << 20)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Unary, Exp)->Arg(1 << 20)->UseRealTime();

template <Var (*Op)(Var, Var)>
void BM_Binary(benchmark::State& state) {
  const int64_t rows = state.range(0), cols = state.range(1);
  Tape tape(Context());
  TapeScope scope(tape);
  NoGradScope no_grad;
  Parameter a(RandomTensor({rows, cols}, 1));
  Parameter b(RandomTensor(state.range(2) ? Shape{cols} : Shape{rows, cols}, 2));
  for (auto _ : state) {
    benchmark::DoNotOptimize(Op(a.var(), b.var()).value().data());
    tape.Reset();
  }
  state.counters["GB/s"] =
      benchmark::Counter(3.0 * rows * cols * 4 * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(state.range(2) ? "row broadcast" : "same shape");
}
BENCHMARK_TEMPLATE(BM_Binary, Add)->Args({1024, 1024, 0})->Args({1024, 1024, 1})->UseRealTime();
BENCHMARK_TEMPLATE(BM_Binary, Mul)->Args({1024, 1024, 0})->UseRealTime();

void BM_LogSoftmax(benchmark::State& state) {
  Tape tape(Context());
  TapeScope scope(tape);
  NoGradScope no_grad;
  Parameter x(RandomTensor({state.range(0), state.range(1)}, 1));
  for (auto _ : state) {
    benchmark::DoNotOptimize(LogSoftmax(x.var()).value().data());
    tape.Reset();
  }
  state.counters["GB/s"] = benchmark::Counter(2.0 * state.range(0) * state.range(1) * 4 * 1e-9,
                                              benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_LogSoftmax)->Args({1920, 8000})->UseRealTime();

}  // namespace
}  // namespace nmt

int main(int argc, char** argv) {
  // Our flags are taken out of argv; Google Benchmark then refuses anything it does not know.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      nmt::g_threads = std::atoi(argv[i] + 10);
    } else if (std::strncmp(argv[i], "--precision=", 12) == 0) {
      const auto precision = nmt::ParseMatmulPrecision(argv[i] + 12, nmt::Device::kCPU);
      if (!precision.ok()) {
        std::fprintf(stderr, "ops_benchmark: %s\n", std::string(precision.status().message()).c_str());
        return 2;
      }
      nmt::g_precision = *precision;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  std::printf("cpu=%s threads=%d precision=%s\n", nmt::CpuModelName().c_str(), nmt::g_threads,
              nmt::MatmulPrecisionName(nmt::g_precision));
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
