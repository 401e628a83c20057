// The backend kernel table: one function pointer per kernel, one instance per device.
//
//   const Kernels& k = KernelsFor(tape.context());      // ops/backend.h picks the instance
//   k.unary_forward(tape.context(), UnaryOp::kTanh, x, y);
//
// Ops (ops/*.h) and the trainers' update rules are written once against this table.
//
// THE BACKEND CONTRACT (ops/README.md, "Adding a backend", says the same at length). A
// backend for a device D lives in ops/kernels/<d>/ and provides three things:
//
//   1. A DeviceMemory (autograd/tensor.h) for D: Allocate/Free (64-byte aligned), Copy
//      between D and the host, Fill32, Zero, Synchronize. Every tensor of D, pooled or
//      not, gradient arenas included, lives in memory it allocated.
//   2. A DeviceContext subclass (autograd/tape.h) built on that memory, holding whatever
//      its kernels share (streams, handles, caches). Contexts are created only by
//      nmt::CreateDeviceContext (ops/backend.h), which gets one case per backend.
//   3. An instance of this table with every entry filled (ops/backend_test checks), and
//      one case in KernelsFor and HasBackend (ops/backend.cc); ops/backend_ops_test then
//      compares every entry with the CPU instance on random shapes (a new entry needs a
//      case there).
//
// Rules every entry follows:
//   - Every Tensor argument is dense and row-major, on the table's device: f32, except
//     the id, target and row tensors, which are i32 (DType::kI32). Pointers in GemmArgs
//     are device pointers. Host values arrive only as scalars and structs of scalars.
//   - Backward kernels ACCUMULATE into their gradient outputs (dx += ...), never
//     overwrite: an input used twice sums both paths.
//   - Results are deterministic: the same inputs give the same bits on every call
//     (no atomics whose order varies). The CPU instance's optimizer updates and
//     sum_of_squares are the reference numbers (bit-identical to PyTorch's CPU rules,
//     trainers/reference_steps_test); another backend matches them within rounding.
//   - An entry may run asynchronously on the context's queue; a host read goes through
//     Tensor::ToHost or DeviceMemory::Copy to the host, which waits. Entries that return
//     a host value (sum_of_squares) wait for it.
//   - Bad ids (outside the table or the classes) are programmer errors: a CPU check, a
//     device assertion, never a silent out-of-bounds access.
#ifndef NMT_OPS_KERNELS_KERNELS_H_
#define NMT_OPS_KERNELS_KERNELS_H_

#include <cstdint>

#include "absl/types/span.h"
#include "autograd/tape.h"

namespace nmt {

enum class UnaryOp { kSigmoid, kTanh, kExp, kLog, kRelu };
enum class BinaryOp { kAdd, kSub, kMul, kDiv };

const char* UnaryOpName(UnaryOp op);
const char* BinaryOpName(BinaryOp op);

// c[b] (m×n) = op(a[b]) (m×k) · op(b[b]) (k×n) [+ c[b] if accumulate] [+ bias (n)].
// op() transposes when trans_*: a stored k×m, b stored n×k. batch_b == false shares
// one b across the batch.
struct GemmArgs {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  bool batch_b = true;
  bool accumulate = false;
  const float* a = nullptr;
  const float* b = nullptr;
  const float* bias = nullptr;
  float* c = nullptr;
};

// One GRU step's tensors (ops/gru.h): inputs, then what the forward saves for the
// backward. mask (B) or undefined; a row with mask 0 keeps its state.
struct GruStepTensors {
  bool linear_before_reset = false;
  Tensor x_proj;     // (B, 3n): every term of the gates but the U ones, gate order z, r, h̃
  Tensor h;          // (B, n)
  Tensor u_zr;       // (2n, n): [U_z; U_r]
  Tensor u;          // (n, n)
  Tensor mask;       // (B) or undefined
  Tensor gates;      // (B, 2n): z, r after the sigmoid
  Tensor candidate;  // (B, n): h̃
  Tensor recurrent;  // (B, n): r ∘ h (reset before U) or U h (linear before reset)
};

// Gradients of a GRU step; an undefined tensor is skipped. All accumulate.
struct GruStepGrads {
  Tensor dx_proj, dh, du_zr, du;
};

// One LSTM step's tensors (ops/lstm.h): inputs, then what the forward saves.
struct LstmStepTensors {
  Tensor x_proj;     // (B, 4n): every term of the gates but the U ones, gate order i, f, o, c̃
  Tensor state;      // (B, 2n): [h; c]
  Tensor u;          // (4n, n): [U_i; U_f; U_o; U_c]
  Tensor mask;       // (B) or undefined
  Tensor h;          // (B, n): h, contiguous
  Tensor gates;      // (B, 3n): i, f, o after the sigmoid
  Tensor candidate;  // (B, n): c̃ after the tanh
  Tensor cell_tanh;  // (B, n): tanh(c') of the unmasked new cell
};

// Gradients of an LSTM step; an undefined tensor is skipped. All accumulate.
struct LstmStepGrads {
  Tensor dx_proj, dstate, du;
};

// One Adam step's f32 constants, derived on the host in double from the options and the
// step count t, as PyTorch does (trainers/adam.cc):
//   m ← beta1 m + one_minus_beta1 g;  v ← beta2 v + one_minus_beta2 g g;
//   p ← p + neg_step_size · m / (sqrt(v) / bias_correction2_sqrt + eps)
struct AdamStep {
  float neg_step_size = 0;          // −lr / (1 − β1^t)
  float bias_correction2_sqrt = 1;  // sqrt(1 − β2^t)
  float beta1 = 0, one_minus_beta1 = 0, beta2 = 0, one_minus_beta2 = 0, eps = 0;
};

// One Adadelta step's f32 constants (trainers/adadelta.cc):
//   v ← rho v + one_minus_rho g g;  δ = sqrt(u + eps) / sqrt(v + eps) · g;
//   u ← rho u + one_minus_rho δ δ;  p ← p + neg_lr δ
struct AdadeltaStep {
  float rho = 0, one_minus_rho = 0, eps = 0, neg_lr = 0;
};

struct Kernels {
  void (*gemm)(DeviceContext&, const GemmArgs&);
  // y = alpha x (y may alias x).
  void (*scale)(DeviceContext&, float alpha, const Tensor& x, Tensor& y);
  // y += alpha x.
  void (*axpy)(DeviceContext&, float alpha, const Tensor& x, Tensor& y);
  void (*unary_forward)(DeviceContext&, UnaryOp, const Tensor& x, Tensor& y);
  // dx += dy · f'(x), using whichever of x and y is cheaper.
  void (*unary_backward)(DeviceContext&, UnaryOp, const Tensor& x, const Tensor& y, const Tensor& dy, Tensor& dx);
  // y = a op b with numpy broadcasting (y has the broadcast shape).
  void (*binary_forward)(DeviceContext&, BinaryOp, const Tensor& a, const Tensor& b, Tensor& y);
  // da += reduce(dy · ∂y/∂a), db += reduce(dy · ∂y/∂b), summed over broadcast dims;
  // a null gradient is skipped.
  void (*binary_backward)(DeviceContext&, BinaryOp, const Tensor& a, const Tensor& b, const Tensor& dy, Tensor* da,
                          Tensor* db);
  // y = sum of x over the dims where y (same rank) has size 1.
  void (*reduce_sum)(DeviceContext&, const Tensor& x, Tensor& y);
  // dx += alpha · broadcast(dy) (dy same rank as dx, size 1 on broadcast dims).
  void (*broadcast_accumulate)(DeviceContext&, float alpha, const Tensor& dy, Tensor& dx);
  // y = (log)softmax of x along `axis`; positions where mask == 0 get probability 0
  // (log-probability -inf is avoided: they get the lowest float). mask: x's shape or null.
  void (*softmax_forward)(DeviceContext&, const Tensor& x, const Tensor* mask, int axis, bool log, Tensor& y);
  void (*softmax_backward)(DeviceContext&, const Tensor& y, const Tensor* mask, const Tensor& dy, int axis, bool log,
                           Tensor& dx);
  // y (or y +=, if accumulate) = x with its dims permuted: y.dim(i) = x.dim(perm[i]).
  void (*permute)(DeviceContext&, const Tensor& x, absl::Span<const int> perm, bool accumulate, Tensor& y);
  // Views x as [outer, x_cols] and y as [outer, y_cols]; copies (or adds) x's columns
  // [x_begin, x_begin + cols) into y's columns [y_begin, y_begin + cols).
  void (*copy_columns)(DeviceContext&, const Tensor& x, int64_t x_begin, Tensor& y, int64_t y_begin, int64_t outer,
                       int64_t cols, bool accumulate);
  // y[i, :] = table[ids[i], :] for i32 ids of any shape (y: ids' shape + width).
  void (*embedding_forward)(DeviceContext&, const Tensor& table, const Tensor& ids, Tensor& y);
  // dtable[ids[i], :] += dy[i, :]; repeated ids sum in the order of i.
  void (*embedding_backward)(DeviceContext&, const Tensor& ids, const Tensor& dy, Tensor& dtable);
  // y[i, ...] = x[rows[i], ...] for i32 rows (R): a gather of x's leading dimension
  // (beam search reordering its hypotheses).
  void (*gather_rows)(DeviceContext&, const Tensor& x, const Tensor& rows, Tensor& y);
  // y[..., j] = max(x[..., 2j], x[..., 2j+1]).
  void (*maxout_forward)(DeviceContext&, const Tensor& x, Tensor& y);
  void (*maxout_backward)(DeviceContext&, const Tensor& x, const Tensor& dy, Tensor& dx);
  // logits (N, K), i32 targets (N), mask (N): log_probs = logsoftmax(logits);
  // nll[i] = -mask[i] · log_probs[i, targets[i]] (0 where mask[i] == 0, whatever the target).
  void (*softmax_xent_forward)(DeviceContext&, const Tensor& logits, const Tensor& targets, const Tensor& mask,
                               Tensor& log_probs, Tensor& nll);
  // dlogits[i] += dnll[i] · mask[i] · (softmax[i] − onehot(targets[i])).
  void (*softmax_xent_backward)(DeviceContext&, const Tensor& log_probs, const Tensor& targets, const Tensor& mask,
                                const Tensor& dnll, Tensor& dlogits);
  // mask[i] = 0 with probability p, else 1/(1−p); a counter-based hash of (seed, i),
  // so the mask depends on nothing but the seed and the position.
  void (*dropout_mask)(DeviceContext&, float p, uint64_t seed, Tensor& mask);
  // y = one GRU step (ops/gru.h); fills t.gates, t.candidate, t.recurrent.
  void (*gru_step_forward)(DeviceContext&, GruStepTensors& t, Tensor& y);
  void (*gru_step_backward)(DeviceContext&, const GruStepTensors& t, const Tensor& dy, GruStepGrads& grads);
  // y = [h'; c'] of one LSTM step (ops/lstm.h); fills t.h, t.gates, t.candidate, t.cell_tanh.
  void (*lstm_step_forward)(DeviceContext&, LstmStepTensors& t, Tensor& y);
  void (*lstm_step_backward)(DeviceContext&, const LstmStepTensors& t, const Tensor& dy, LstmStepGrads& grads);
  // e[b, j] = Σ_k v[k] tanh(keys[b, j, k] + q[b, k]); tanh_out (B, Tx, n') is saved.
  void (*additive_scores_forward)(DeviceContext&, const Tensor& q, const Tensor& keys, const Tensor& v,
                                  Tensor& tanh_out, Tensor& e);
  // dq, dkeys, dv (null: skipped) += the gradients of e through the saved tanh.
  void (*additive_scores_backward)(DeviceContext&, const Tensor& tanh_out, const Tensor& v, const Tensor& de,
                                   Tensor* dq, Tensor* dkeys, Tensor* dv);
  // c[b] = Σ_j alpha[b, j] h[b, j] for alpha (B, Tx), h (B, Tx, d).
  void (*attention_context_forward)(DeviceContext&, const Tensor& alpha, const Tensor& h, Tensor& c);
  // dalpha[b, j] += dc[b] · h[b, j]; dh[b, j] += alpha[b, j] dc[b] (null: skipped).
  void (*attention_context_backward)(DeviceContext&, const Tensor& alpha, const Tensor& h, const Tensor& dc,
                                     Tensor* dalpha, Tensor* dh);
  // The optimizers' updates (trainers/): one fused pass over a parameter, its grad and
  // its slots, all of one shape, updated in place.
  void (*adam_update)(DeviceContext&, const AdamStep&, const Tensor& grad, Tensor& value, Tensor& exp_avg,
                      Tensor& exp_avg_sq);
  void (*adadelta_update)(DeviceContext&, const AdadeltaStep&, const Tensor& grad, Tensor& value, Tensor& square_avg,
                          Tensor& acc_delta);
  // value += neg_lr · grad.
  void (*sgd_update)(DeviceContext&, float neg_lr, const Tensor& grad, Tensor& value);
  // Σ over every element of every tensor of x², in double, returned to the host (waits
  // for it). Each tensor is summed in chunks of kSumOfSquaresChunk elements whose
  // partial sums are added in order, tensors in order, so the result does not depend
  // on the thread count (the global gradient norm of trainers/clip.h).
  double (*sum_of_squares)(DeviceContext&, absl::Span<const Tensor> xs);
};

// The chunk of sum_of_squares' fixed summation order.
inline constexpr int64_t kSumOfSquaresChunk = int64_t{1} << 14;

}  // namespace nmt

#endif  // NMT_OPS_KERNELS_KERNELS_H_
