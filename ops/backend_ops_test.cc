// Every kernel-table entry on every backend, against the CPU instance (the idea of ggml's
// test-backend-ops). For each entry and a few random shapes (odd sizes, a batch of one):
// random inputs on the host; the CPU reference runs on them; the backend under test runs
// twice on its own copies (made through the device-copy path even when it is the CPU);
// the outputs are copied back and compared with the reference within a tolerance, and
// the two runs with each other bit for bit (every entry must be deterministic).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "ops/backend.h"
#include "ops/backend_ops_testing.h"
#include "ops/kernels/kernels.h"
#include "ops/test_context.h"

namespace nmt {
namespace {

using Tensors = std::vector<Tensor>;
// Runs one entry on `context` over `t` (inputs and outputs, on context's device); returns
// the entry's host scalar (sum_of_squares) or 0.
using EntryRun = std::function<double(DeviceContext& context, Tensors& t)>;

// A tensor of `host`'s shape, dtype and values on `context`'s device, always a copy.
Tensor Upload(DeviceContext& context, const Tensor& host) {
  Tensor t = context.Allocate(host.shape(), host.dtype());
  t.CopyFrom(host);
  return t;
}

class BackendOps : public ::testing::TestWithParam<Device> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<DeviceContext>> context = ContextUnderTest(GetParam());
    if (absl::IsFailedPrecondition(context.status())) GTEST_SKIP() << context.status();
    ASSERT_TRUE(context.ok()) << context.status();
    backend_ = *std::move(context);
  }

  DeviceContext& reference() { return TestContext(); }
  DeviceContext& backend() { return *backend_; }
  const Kernels& kernels() { return KernelsFor(backend()); }

  // A small size: 1 in the first trial (a batch of one), else mostly odd.
  int64_t Size(int trial) {
    static constexpr int64_t kSizes[] = {1, 2, 3, 5, 7, 9, 13, 17, 31};
    if (trial == 0) return 1;
    return kSizes[std::uniform_int_distribution<int>(1, 8)(rng_)];
  }
  // Every tensor starts random, outputs too: an output a kernel leaves alone then
  // compares equal only if the reference leaves it alone as well.
  Tensor Uniform(const Shape& shape, float lo = -1.0f, float hi = 1.0f) {
    Tensor t = Tensor::Empty(shape);
    std::uniform_real_distribution<float> u(lo, hi);
    for (float& v : t.values()) v = u(rng_);
    return t;
  }
  // Values of either sign whose magnitude is in [lo, hi] (divisors, away from zero).
  Tensor Magnitudes(const Shape& shape, float lo, float hi) {
    Tensor t = Uniform(shape, lo, hi);
    for (float& v : t.values()) v = std::bernoulli_distribution(0.5)(rng_) ? v : -v;
    return t;
  }
  Tensor Mask(const Shape& shape, double p_one = 0.7) {
    Tensor t = Tensor::Empty(shape);
    for (float& v : t.values()) v = std::bernoulli_distribution(p_one)(rng_) ? 1.0f : 0.0f;
    return t;
  }
  Tensor Ids(const Shape& shape, int64_t limit) {
    std::vector<int32_t> ids(NumElements(shape));
    for (int32_t& id : ids) id = std::uniform_int_distribution<int32_t>(0, static_cast<int32_t>(limit - 1))(rng_);
    return Tensor::FromInt32s(shape, ids);
  }
  bool Coin() { return std::bernoulli_distribution(0.5)(rng_); }

  // Runs `run` on the reference over host copies of `inputs` and twice on the backend
  // over uploaded copies, then compares the tensors at `outputs` (and the scalar).
  void Compare(const std::string& what, const Tensors& inputs, const std::vector<int>& outputs, const EntryRun& run,
               double rtol = 2e-5, double atol = 2e-6) {
    Tensors ref;
    for (const Tensor& t : inputs) ref.push_back(t.defined() ? t.Clone() : Tensor());
    const double ref_scalar = run(reference(), ref);
    Tensors first, second;
    for (const Tensor& t : inputs) {
      first.push_back(t.defined() ? Upload(backend(), t) : Tensor());
      second.push_back(t.defined() ? Upload(backend(), t) : Tensor());
    }
    const double first_scalar = run(backend(), first);
    const double second_scalar = run(backend(), second);
    backend().Synchronize();
    EXPECT_EQ(first_scalar, second_scalar) << what << ": two runs differ";
    EXPECT_NEAR(first_scalar, ref_scalar, rtol * std::abs(ref_scalar) + atol) << what;
    for (int i : outputs) {
      const Tensor got = first[i].ToHost();
      const Tensor again = second[i].ToHost();
      const Tensor& want = ref[i];
      ASSERT_EQ(got.shape(), want.shape()) << what << ": output " << i;
      ASSERT_EQ(got.dtype(), want.dtype()) << what << ": output " << i;
      EXPECT_EQ(std::memcmp(Bytes(got), Bytes(again), got.size() * DTypeSize(got.dtype())), 0)
          << what << ": output " << i << " differs between two runs on " << DeviceName(GetParam());
      if (got.dtype() == DType::kI32) {
        EXPECT_EQ(got.ToInt32Vector(), want.ToInt32Vector()) << what << ": output " << i;
        continue;
      }
      int reported = 0;
      for (int64_t j = 0; j < got.size() && reported < 5; ++j) {
        const float g = got.data()[j], w = want.data()[j];
        const bool same = (std::isnan(g) && std::isnan(w)) || g == w || std::abs(g - w) <= rtol * std::abs(w) + atol;
        if (!same) {
          ADD_FAILURE() << what << ": output " << i << " " << want.ShapeString() << " element " << j << ": "
                        << DeviceName(GetParam()) << " " << g << ", cpu " << w;
          ++reported;
        }
      }
    }
    ++compared_;
  }

  static const void* Bytes(const Tensor& t) {
    return t.dtype() == DType::kI32 ? static_cast<const void*>(t.int32_data()) : static_cast<const void*>(t.data());
  }

  static constexpr int kTrials = 4;
  std::mt19937 rng_{20141};  // a fixed seed, so that a failure repeats
  std::unique_ptr<DeviceContext> backend_;
  int compared_ = 0;
};

// The names of the entries the cases below exercise; checked against the table's size.
const std::set<std::string>& ExercisedEntries() {
  static const auto* const entries = new std::set<std::string>{
      "gemm",
      "scale",
      "axpy",
      "unary_forward",
      "unary_backward",
      "binary_forward",
      "binary_backward",
      "reduce_sum",
      "broadcast_accumulate",
      "softmax_forward",
      "softmax_backward",
      "permute",
      "copy_columns",
      "embedding_forward",
      "embedding_backward",
      "gather_rows",
      "maxout_forward",
      "maxout_backward",
      "softmax_xent_forward",
      "softmax_xent_backward",
      "dropout_mask",
      "gru_step_forward",
      "gru_step_backward",
      "lstm_step_forward",
      "lstm_step_backward",
      "additive_scores_forward",
      "additive_scores_backward",
      "attention_context_forward",
      "attention_context_backward",
      "adam_update",
      "adadelta_update",
      "sgd_update",
      "sum_of_squares",
  };
  return *entries;
}

// A new entry without a case here fails this test: every entry must be compared.
TEST(BackendOpsCoverage, EveryEntryOfTheTableHasACase) {
  EXPECT_EQ(ExercisedEntries().size(), sizeof(Kernels) / sizeof(void*));
}

// The harness itself: a backend that computes something else, or something else each
// time, must fail the comparison.
TEST_P(BackendOps, TheComparisonCatchesAWrongOrNondeterministicBackend) {
  for (bool nondeterministic : {false, true}) {
    int runs = 0;
    ::testing::TestPartResultArray failures;
    {
      ::testing::ScopedFakeTestPartResultReporter reporter(
          ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
      Compare("a wrong backend", {Uniform({3, 5})}, {0}, [&](DeviceContext& c, Tensors& t) {
        const bool on_backend = &c == &backend();
        if (on_backend && (!nondeterministic || runs++ == 1)) KernelsFor(c).scale(c, 1.01f, t[0], t[0]);
        return 0.0;
      });
    }
    EXPECT_GE(failures.size(), 1) << (nondeterministic ? "a nondeterministic" : "a wrong") << " backend passed";
  }
}

TEST_P(BackendOps, Gemm) {
  for (int trial = 0; trial < kTrials; ++trial) {
    const int64_t batch = Size(trial), m = Size(trial + 1), n = Size(trial + 1), k = Size(trial + 1);
    const bool trans_a = Coin(), trans_b = Coin(), batch_b = Coin(), accumulate = Coin(), bias = Coin();
    const int64_t bb = batch_b ? batch : 1;
    const std::string what = absl::StrCat("gemm ", batch, "x", m, "x", n, "x", k, " trans ", trans_a, trans_b,
                                          " batch_b ", batch_b, " acc ", accumulate, " bias ", bias);
    Compare(what,
            {Uniform({batch, trans_a ? k : m, trans_a ? m : k}), Uniform({bb, trans_b ? n : k, trans_b ? k : n}),
             bias ? Uniform({n}) : Tensor(), Uniform({batch, m, n})},
            {3}, [&](DeviceContext& c, Tensors& t) {
              KernelsFor(c).gemm(c, {.batch = batch,
                                     .m = m,
                                     .n = n,
                                     .k = k,
                                     .trans_a = trans_a,
                                     .trans_b = trans_b,
                                     .batch_b = batch_b,
                                     .accumulate = accumulate,
                                     .a = t[0].data(),
                                     .b = t[1].data(),
                                     .bias = t[2].defined() ? t[2].data() : nullptr,
                                     .c = t[3].data()});
              return 0.0;
            });
  }
}

TEST_P(BackendOps, ScaleAndAxpy) {
  for (int trial = 0; trial < kTrials; ++trial) {
    const Shape shape = {Size(trial), Size(trial + 1), 3};
    Compare("scale", {Uniform(shape), Uniform(shape)}, {1}, [](DeviceContext& c, Tensors& t) {
      KernelsFor(c).scale(c, -0.37f, t[0], t[1]);
      return 0.0;
    });
    Compare("scale in place", {Uniform(shape)}, {0}, [](DeviceContext& c, Tensors& t) {
      KernelsFor(c).scale(c, 1.7f, t[0], t[0]);
      return 0.0;
    });
    Compare("axpy", {Uniform(shape), Uniform(shape)}, {1}, [](DeviceContext& c, Tensors& t) {
      KernelsFor(c).axpy(c, 0.61f, t[0], t[1]);
      return 0.0;
    });
  }
}

TEST_P(BackendOps, Unary) {
  for (UnaryOp op : {UnaryOp::kSigmoid, UnaryOp::kTanh, UnaryOp::kExp, UnaryOp::kLog, UnaryOp::kRelu}) {
    for (int trial = 0; trial < kTrials; ++trial) {
      const Shape shape = {Size(trial), Size(trial + 1)};
      const Tensor x = op == UnaryOp::kLog ? Uniform(shape, 0.1f, 3.0f) : Uniform(shape, -3.0f, 3.0f);
      Tensor y = Uniform(shape);
      KernelsFor(reference()).unary_forward(reference(), op, x, y);
      Compare(absl::StrCat("unary_forward ", UnaryOpName(op)), {x, Uniform(shape)}, {1},
              [op](DeviceContext& c, Tensors& t) {
                KernelsFor(c).unary_forward(c, op, t[0], t[1]);
                return 0.0;
              });
      Compare(absl::StrCat("unary_backward ", UnaryOpName(op)), {x, y, Uniform(shape), Uniform(shape)}, {3},
              [op](DeviceContext& c, Tensors& t) {
                KernelsFor(c).unary_backward(c, op, t[0], t[1], t[2], t[3]);
                return 0.0;
              });
    }
  }
}

TEST_P(BackendOps, BinaryWithBroadcasting) {
  for (BinaryOp op : {BinaryOp::kAdd, BinaryOp::kSub, BinaryOp::kMul, BinaryOp::kDiv}) {
    for (int trial = 0; trial < kTrials; ++trial) {
      const Shape full = {Size(trial), Size(trial + 1), Size(trial + 1)};
      Shape a_shape = full, b_shape = full;
      for (int d = 0; d < 3; ++d) {
        if (Coin()) (Coin() ? a_shape : b_shape)[d] = 1;
      }
      Shape y_shape(3);
      for (int d = 0; d < 3; ++d) y_shape[d] = std::max(a_shape[d], b_shape[d]);
      const Tensor a = Uniform(a_shape);
      const Tensor b = op == BinaryOp::kDiv ? Magnitudes(b_shape, 0.5f, 2.0f) : Uniform(b_shape);
      const std::string what = absl::StrCat(BinaryOpName(op), " ", ShapeString(a_shape), " ", ShapeString(b_shape));
      Compare("binary_forward " + what, {a, b, Uniform(y_shape)}, {2}, [op](DeviceContext& c, Tensors& t) {
        KernelsFor(c).binary_forward(c, op, t[0], t[1], t[2]);
        return 0.0;
      });
      const bool skip_a = trial == 1, skip_b = trial == 2;
      Compare("binary_backward " + what, {a, b, Uniform(y_shape), Uniform(a_shape), Uniform(b_shape)}, {3, 4},
              [op, skip_a, skip_b](DeviceContext& c, Tensors& t) {
                KernelsFor(c).binary_backward(c, op, t[0], t[1], t[2], skip_a ? nullptr : &t[3],
                                              skip_b ? nullptr : &t[4]);
                return 0.0;
              });
    }
  }
}

TEST_P(BackendOps, ReduceSumAndBroadcastAccumulate) {
  for (int trial = 0; trial < kTrials; ++trial) {
    const Shape x_shape = {Size(trial), Size(trial + 1), Size(trial + 1)};
    Shape y_shape = x_shape;
    for (int d = 0; d < 3; ++d) {
      if (Coin()) y_shape[d] = 1;
    }
    Compare("reduce_sum " + ShapeString(y_shape), {Uniform(x_shape), Uniform(y_shape)}, {1},
            [](DeviceContext& c, Tensors& t) {
              KernelsFor(c).reduce_sum(c, t[0], t[1]);
              return 0.0;
            });
    Compare("broadcast_accumulate " + ShapeString(y_shape), {Uniform(y_shape), Uniform(x_shape)}, {1},
            [](DeviceContext& c, Tensors& t) {
              KernelsFor(c).broadcast_accumulate(c, -0.5f, t[0], t[1]);
              return 0.0;
            });
  }
}

TEST_P(BackendOps, SoftmaxForwardAndBackward) {
  for (bool log : {false, true}) {
    for (int trial = 0; trial < kTrials; ++trial) {
      const Shape shape = {Size(trial), Size(trial + 1), Size(trial + 1)};
      const int axis = std::uniform_int_distribution<int>(0, 2)(rng_);
      const bool masked = Coin();
      const Tensor x = Uniform(shape, -4.0f, 4.0f);
      const Tensor mask = masked ? Mask(shape) : Tensor();
      Tensor y = Uniform(shape);
      KernelsFor(reference()).softmax_forward(reference(), x, masked ? &mask : nullptr, axis, log, y);
      const std::string what =
          absl::StrCat(log ? "log" : "", "softmax axis ", axis, masked ? " masked " : " ", ShapeString(shape));
      Compare("forward " + what, {x, mask, Uniform(shape)}, {2}, [axis, log](DeviceContext& c, Tensors& t) {
        KernelsFor(c).softmax_forward(c, t[0], t[1].defined() ? &t[1] : nullptr, axis, log, t[2]);
        return 0.0;
      });
      Compare("backward " + what, {y, mask, Uniform(shape), Uniform(shape)}, {3},
              [axis, log](DeviceContext& c, Tensors& t) {
                KernelsFor(c).softmax_backward(c, t[0], t[1].defined() ? &t[1] : nullptr, t[2], axis, log, t[3]);
                return 0.0;
              });
    }
  }
}

TEST_P(BackendOps, PermuteAndCopyColumns) {
  const std::vector<std::vector<int>> perms = {{1, 0, 2}, {2, 0, 1}, {0, 2, 1}, {2, 1, 0}};
  for (int trial = 0; trial < kTrials; ++trial) {
    const Shape x_shape = {Size(trial), Size(trial + 1), Size(trial + 1)};
    const std::vector<int> perm = perms[trial];
    const Shape y_shape = {x_shape[perm[0]], x_shape[perm[1]], x_shape[perm[2]]};
    const bool accumulate = Coin();
    Compare(absl::StrCat("permute ", ShapeString(x_shape), " acc ", accumulate), {Uniform(x_shape), Uniform(y_shape)},
            {1}, [perm, accumulate](DeviceContext& c, Tensors& t) {
              KernelsFor(c).permute(c, t[0], perm, accumulate, t[1]);
              return 0.0;
            });
    const int64_t outer = Size(trial), x_cols = Size(trial + 1) + 2, y_cols = Size(trial + 1) + 3;
    const int64_t cols = std::uniform_int_distribution<int64_t>(1, std::min(x_cols, y_cols))(rng_);
    const int64_t x_begin = std::uniform_int_distribution<int64_t>(0, x_cols - cols)(rng_);
    const int64_t y_begin = std::uniform_int_distribution<int64_t>(0, y_cols - cols)(rng_);
    Compare(
        absl::StrCat("copy_columns ", outer, " rows, ", cols, " of ", x_cols, " into ", y_cols, " acc ", accumulate),
        {Uniform({outer, x_cols}), Uniform({outer, y_cols})}, {1}, [=](DeviceContext& c, Tensors& t) {
          KernelsFor(c).copy_columns(c, t[0], x_begin, t[1], y_begin, outer, cols, accumulate);
          return 0.0;
        });
  }
}

TEST_P(BackendOps, EmbeddingAndGatherRows) {
  for (int trial = 0; trial < kTrials; ++trial) {
    const int64_t vocab = Size(trial + 1) + 1, width = Size(trial + 1);
    const Shape id_shape = {Size(trial), Size(trial + 1)};
    const Tensor ids = Ids(id_shape, vocab);  // repeats are likely: their gradients must sum
    Shape y_shape = id_shape;
    y_shape.push_back(width);
    Compare("embedding_forward", {Uniform({vocab, width}), ids, Uniform(y_shape)}, {2},
            [](DeviceContext& c, Tensors& t) {
              KernelsFor(c).embedding_forward(c, t[0], t[1], t[2]);
              return 0.0;
            });
    Compare("embedding_backward", {ids, Uniform(y_shape), Uniform({vocab, width})}, {2},
            [](DeviceContext& c, Tensors& t) {
              KernelsFor(c).embedding_backward(c, t[0], t[1], t[2]);
              return 0.0;
            });
    const int64_t rows = Size(trial) + 1, picks = Size(trial + 1);
    Compare("gather_rows", {Uniform({rows, width, 3}), Ids({picks}, rows), Uniform({picks, width, 3})}, {2},
            [](DeviceContext& c, Tensors& t) {
              KernelsFor(c).gather_rows(c, t[0], t[1], t[2]);
              return 0.0;
            });
  }
}

TEST_P(BackendOps, Maxout) {
  for (int trial = 0; trial < kTrials; ++trial) {
    const Shape y_shape = {Size(trial), Size(trial + 1)};
    const Shape x_shape = {y_shape[0], 2 * y_shape[1]};
    Tensor x = Uniform(x_shape);
    if (x.size() >= 2) x.data()[1] = x.data()[0];  // a tie: the first of the pair wins
    Compare("maxout_forward", {x, Uniform(y_shape)}, {1}, [](DeviceContext& c, Tensors& t) {
      KernelsFor(c).maxout_forward(c, t[0], t[1]);
      return 0.0;
    });
    Compare("maxout_backward", {x, Uniform(y_shape), Uniform(x_shape)}, {2}, [](DeviceContext& c, Tensors& t) {
      KernelsFor(c).maxout_backward(c, t[0], t[1], t[2]);
      return 0.0;
    });
  }
}

TEST_P(BackendOps, SoftmaxCrossEntropy) {
  for (int trial = 0; trial < kTrials; ++trial) {
    const int64_t rows = Size(trial), classes = Size(trial + 1) + 1;
    const Tensor logits = Uniform({rows, classes}, -5.0f, 5.0f);
    const Tensor targets = Ids({rows}, classes);
    const Tensor mask = Mask({rows});
    Tensor log_probs = Uniform({rows, classes}), nll = Uniform({rows});
    KernelsFor(reference()).softmax_xent_forward(reference(), logits, targets, mask, log_probs, nll);
    Compare("softmax_xent_forward", {logits, targets, mask, Uniform({rows, classes}), Uniform({rows})}, {3, 4},
            [](DeviceContext& c, Tensors& t) {
              KernelsFor(c).softmax_xent_forward(c, t[0], t[1], t[2], t[3], t[4]);
              return 0.0;
            });
    Compare("softmax_xent_backward", {log_probs, targets, mask, Uniform({rows}), Uniform({rows, classes})}, {4},
            [](DeviceContext& c, Tensors& t) {
              KernelsFor(c).softmax_xent_backward(c, t[0], t[1], t[2], t[3], t[4]);
              return 0.0;
            });
  }
}

TEST_P(BackendOps, DropoutMaskDependsOnlyOnSeedAndPosition) {
  for (int trial = 0; trial < kTrials; ++trial) {
    const Shape shape = {Size(trial), Size(trial + 1), 7};
    const float p = 0.1f * trial;
    const uint64_t seed = 1000 + trial;
    Compare(absl::StrCat("dropout_mask p ", p), {Uniform(shape)}, {0}, [p, seed](DeviceContext& c, Tensors& t) {
      KernelsFor(c).dropout_mask(c, p, seed, t[0]);
      return 0.0;
    });
  }
}

TEST_P(BackendOps, GruStep) {
  for (bool linear_before_reset : {false, true}) {
    for (int trial = 0; trial < kTrials; ++trial) {
      const int64_t b = Size(trial), n = Size(trial + 1);
      const bool masked = Coin();
      // Inputs 0-4, then what the forward saves (5-7) and y (8).
      const Tensors inputs = {
          Uniform({b, 3 * n}), Uniform({b, n}), Uniform({2 * n, n}), Uniform({n, n}), masked ? Mask({b}) : Tensor(),
          Uniform({b, 2 * n}), Uniform({b, n}), Uniform({b, n}),     Uniform({b, n})};
      auto step = [linear_before_reset](Tensors& t) {
        GruStepTensors s;
        s.linear_before_reset = linear_before_reset;
        s.x_proj = t[0], s.h = t[1], s.u_zr = t[2], s.u = t[3], s.mask = t[4];
        s.gates = t[5], s.candidate = t[6], s.recurrent = t[7];
        return s;
      };
      const std::string what =
          absl::StrCat("gru_step B ", b, " n ", n, linear_before_reset ? " lbr" : "", masked ? " masked" : "");
      Compare(what + " forward", inputs, {5, 6, 7, 8}, [step](DeviceContext& c, Tensors& t) {
        GruStepTensors s = step(t);
        KernelsFor(c).gru_step_forward(c, s, t[8]);
        return 0.0;
      });
      // The backward from a forward's saved tensors, every gradient accumulated onto noise.
      Tensors saved = inputs;
      for (int i = 5; i <= 8; ++i) saved[i] = inputs[i].Clone();
      GruStepTensors s = step(saved);
      KernelsFor(reference()).gru_step_forward(reference(), s, saved[8]);
      Tensors backward = saved;
      for (const Shape& shape : {Shape{b, n}, Shape{b, 3 * n}, Shape{b, n}, Shape{2 * n, n}, Shape{n, n}}) {
        backward.push_back(Uniform(shape));  // dy (9), dx_proj, dh, du_zr, du (10-13)
      }
      const bool skip_dh = trial == 2;
      Compare(what + " backward", backward, {10, 11, 12, 13}, [step, skip_dh](DeviceContext& c, Tensors& t) {
        GruStepGrads g{.dx_proj = t[10], .dh = skip_dh ? Tensor() : t[11], .du_zr = t[12], .du = t[13]};
        KernelsFor(c).gru_step_backward(c, step(t), t[9], g);
        return 0.0;
      });
    }
  }
}

TEST_P(BackendOps, LstmStep) {
  for (int trial = 0; trial < kTrials; ++trial) {
    const int64_t b = Size(trial), n = Size(trial + 1);
    const bool masked = Coin();
    // Inputs 0-3, then what the forward saves (4-7) and y (8).
    const Tensors inputs = {
        Uniform({b, 4 * n}), Uniform({b, 2 * n}), Uniform({4 * n, n}), masked ? Mask({b}) : Tensor(),
        Uniform({b, n}),     Uniform({b, 3 * n}), Uniform({b, n}),     Uniform({b, n}),
        Uniform({b, 2 * n})};
    auto step = [](Tensors& t) {
      LstmStepTensors s;
      s.x_proj = t[0], s.state = t[1], s.u = t[2], s.mask = t[3];
      s.h = t[4], s.gates = t[5], s.candidate = t[6], s.cell_tanh = t[7];
      return s;
    };
    const std::string what = absl::StrCat("lstm_step B ", b, " n ", n, masked ? " masked" : "");
    Compare(what + " forward", inputs, {4, 5, 6, 7, 8}, [step](DeviceContext& c, Tensors& t) {
      LstmStepTensors s = step(t);
      KernelsFor(c).lstm_step_forward(c, s, t[8]);
      return 0.0;
    });
    Tensors saved = inputs;
    for (int i = 4; i <= 8; ++i) saved[i] = inputs[i].Clone();
    LstmStepTensors s = step(saved);
    KernelsFor(reference()).lstm_step_forward(reference(), s, saved[8]);
    Tensors backward = saved;
    for (const Shape& shape : {Shape{b, 2 * n}, Shape{b, 4 * n}, Shape{b, 2 * n}, Shape{4 * n, n}}) {
      backward.push_back(Uniform(shape));  // dy (9), dx_proj, dstate, du (10-12)
    }
    Compare(what + " backward", backward, {10, 11, 12}, [step](DeviceContext& c, Tensors& t) {
      LstmStepGrads g{.dx_proj = t[10], .dstate = t[11], .du = t[12]};
      KernelsFor(c).lstm_step_backward(c, step(t), t[9], g);
      return 0.0;
    });
  }
}

TEST_P(BackendOps, AdditiveScoresAndAttentionContext) {
  for (int trial = 0; trial < kTrials; ++trial) {
    const int64_t b = Size(trial), tx = Size(trial + 1), n = Size(trial + 1), d = Size(trial + 1);
    const Tensor q = Uniform({b, n}), keys = Uniform({b, tx, n}), v = Uniform({n});
    Tensor tanh_out = Uniform({b, tx, n}), e = Uniform({b, tx});
    KernelsFor(reference()).additive_scores_forward(reference(), q, keys, v, tanh_out, e);
    const std::string what = absl::StrCat(" B ", b, " Tx ", tx, " n ", n);
    Compare("additive_scores_forward" + what, {q, keys, v, Uniform({b, tx, n}), Uniform({b, tx})}, {3, 4},
            [](DeviceContext& c, Tensors& t) {
              KernelsFor(c).additive_scores_forward(c, t[0], t[1], t[2], t[3], t[4]);
              return 0.0;
            });
    const bool skip_dq = trial == 1, skip_dv = trial == 2;
    Compare("additive_scores_backward" + what,
            {tanh_out, v, Uniform({b, tx}), Uniform({b, n}), Uniform({b, tx, n}), Uniform({n})}, {3, 4, 5},
            [skip_dq, skip_dv](DeviceContext& c, Tensors& t) {
              KernelsFor(c).additive_scores_backward(c, t[0], t[1], t[2], skip_dq ? nullptr : &t[3], &t[4],
                                                     skip_dv ? nullptr : &t[5]);
              return 0.0;
            });
    const Tensor alpha = Uniform({b, tx}, 0.0f, 1.0f), h = Uniform({b, tx, d});
    Compare("attention_context_forward" + what, {alpha, h, Uniform({b, d})}, {2}, [](DeviceContext& c, Tensors& t) {
      KernelsFor(c).attention_context_forward(c, t[0], t[1], t[2]);
      return 0.0;
    });
    const bool skip_dalpha = trial == 3;
    Compare("attention_context_backward" + what, {alpha, h, Uniform({b, d}), Uniform({b, tx}), Uniform({b, tx, d})},
            {3, 4}, [skip_dalpha](DeviceContext& c, Tensors& t) {
              KernelsFor(c).attention_context_backward(c, t[0], t[1], t[2], skip_dalpha ? nullptr : &t[3], &t[4]);
              return 0.0;
            });
  }
}

TEST_P(BackendOps, OptimizerUpdates) {
  const AdamStep adam{.neg_step_size = -1e-3f / 0.19f,
                      .bias_correction2_sqrt = std::sqrt(1.0f - 0.999f * 0.999f),
                      .beta1 = 0.9f,
                      .one_minus_beta1 = 0.1f,
                      .beta2 = 0.999f,
                      .one_minus_beta2 = 1.0f - 0.999f,
                      .eps = 1e-8f};
  const AdadeltaStep adadelta{.rho = 0.95f, .one_minus_rho = 0.05f, .eps = 1e-6f, .neg_lr = -1.0f};
  for (int trial = 0; trial < kTrials; ++trial) {
    // Above the CPU's threshold for a thread team in the last trial.
    const Shape shape = trial == kTrials - 1 ? Shape{257, 131} : Shape{Size(trial), Size(trial + 1)};
    const Tensor grad = Uniform(shape), value = Uniform(shape);
    Compare("adam_update " + ShapeString(shape), {grad, value, Uniform(shape), Uniform(shape, 0.0f, 1e-2f)}, {1, 2, 3},
            [&adam](DeviceContext& c, Tensors& t) {
              KernelsFor(c).adam_update(c, adam, t[0], t[1], t[2], t[3]);
              return 0.0;
            });
    Compare("adadelta_update " + ShapeString(shape),
            {grad, value, Uniform(shape, 0.0f, 1.0f), Uniform(shape, 0.0f, 1.0f)}, {1, 2, 3},
            [&adadelta](DeviceContext& c, Tensors& t) {
              KernelsFor(c).adadelta_update(c, adadelta, t[0], t[1], t[2], t[3]);
              return 0.0;
            });
    Compare("sgd_update " + ShapeString(shape), {grad, value}, {1}, [](DeviceContext& c, Tensors& t) {
      KernelsFor(c).sgd_update(c, -0.1f, t[0], t[1]);
      return 0.0;
    });
  }
}

TEST_P(BackendOps, SumOfSquaresOverManyTensors) {
  for (int trial = 0; trial < kTrials; ++trial) {
    Tensors xs;
    for (int i = 0; i <= trial; ++i) xs.push_back(Uniform({Size(trial), Size(trial + 1)}));
    // One tensor of several chunks, so that their order of addition is exercised.
    if (trial == kTrials - 1) xs.push_back(Uniform({3 * kSumOfSquaresChunk + 5}));
    Compare(
        absl::StrCat("sum_of_squares of ", xs.size()), xs, {},
        [](DeviceContext& c, Tensors& t) { return KernelsFor(c).sum_of_squares(c, t); }, 1e-12, 0.0);
  }
  Compare("sum_of_squares of none", {}, {},
          [](DeviceContext& c, Tensors& t) { return KernelsFor(c).sum_of_squares(c, t); });
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendOps, ::testing::ValuesIn(BackendsUnderTest()),
                         [](const ::testing::TestParamInfo<Device>& info) { return BackendTestName(info.param); });

}  // namespace
}  // namespace nmt
