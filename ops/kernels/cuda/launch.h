// The CUDA kernels' launchers: plain pointers, sizes and the stream, nothing of Tensor,
// so that nvcc compiles the .cu files without Abseil or the autograd headers. Every
// pointer is device memory; every launcher enqueues on `stream` and returns at once
// (no host synchronisation), then checks cudaGetLastError naming the kernel.
// cuda_kernels.cc adapts the kernel table (ops/kernels/kernels.h) to these; the contracts
// (what accumulates, what a mask means) are the table's, documented there.
//
// Out-of-range ids and targets cannot abort from device code without killing the CUDA
// context, so kernels that index by them set a bit of `error_flags` (a device word the
// context owns) and skip the element; CudaContext::Synchronize() reports the bit.
#ifndef NMT_OPS_KERNELS_CUDA_LAUNCH_H_
#define NMT_OPS_KERNELS_CUDA_LAUNCH_H_

#include <cuda_runtime.h>

#include <cstdint>

namespace nmt::cuda {

// Throws nothing: a failed launch aborts naming the kernel and CUDA's message.
void CheckLaunch(const char* kernel);

// Bits of the device error word.
enum DeviceError : unsigned int {
  kEmbeddingIdOutOfRange = 1u << 0,
  kXentTargetOutOfRange = 1u << 1,
  kGatherRowOutOfRange = 1u << 2,
};

constexpr int kMaxRank = 8;

// The kernel table's enums as ints (launch.h must not include kernels.h).
enum UnaryKind : int { kSigmoid, kTanh, kExp, kLog, kRelu };
enum BinaryKind : int { kAdd, kSub, kMul, kDiv };

// Strided views of a and b read as an output of rank `rank` with dims `dims` (row-major);
// stride 0 on broadcast dims.
struct BroadcastIndex {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t stride_a[kMaxRank] = {};
  int64_t stride_b[kMaxRank] = {};
};

// A reduction of an output space onto a target: the output's dims reordered so that the
// target's kept dims come first (in order, `kept` of them, `target_size` elements) and the
// summed dims after (`reduced_size` elements). Each reordered dim carries its stride in
// the output (dy), a and b.
struct ReducePlan {
  int rank = 0;
  int kept = 0;
  int64_t target_size = 1, reduced_size = 1;
  // Every summed dim precedes every kept one (a bias gradient: rows × cols onto cols), so
  // output element r · target_size + t reduces onto t and no index arithmetic is needed.
  bool leading = false;
  int64_t dims[kMaxRank] = {};
  int64_t stride_out[kMaxRank] = {};
  int64_t stride_a[kMaxRank] = {};
  int64_t stride_b[kMaxRank] = {};
};

// What a reduced element contributes: dy itself, or a binary op's partial derivative.
enum ReduceTerm : int { kPlain, kNegate, kMulDa, kMulDb, kDivDa, kDivDb };

// The index arithmetic the kernels run, compiled for the device by nvcc and for the host
// by the C++ compiler, so broadcast_plan_test checks on any machine the very functions
// the kernels call.
#ifdef __CUDACC__
#define NMT_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define NMT_HOST_DEVICE inline
#endif

// The offsets in a and b of output element o.
NMT_HOST_DEVICE void BroadcastOffsets(const BroadcastIndex& index, int64_t o, int64_t* ia, int64_t* ib) {
  int64_t a = 0, b = 0;
  for (int d = index.rank - 1; d >= 0; --d) {
    const int64_t coordinate = o % index.dims[d];
    o /= index.dims[d];
    a += coordinate * index.stride_a[d];
    b += coordinate * index.stride_b[d];
  }
  *ia = a;
  *ib = b;
}

// The offsets in dy (the output), a and b of reduced element r of target element t: the
// reordered index t·R + r decomposed over the plan's dims.
NMT_HOST_DEVICE void PlanOffsets(const ReducePlan& plan, int64_t t, int64_t r, int64_t* o, int64_t* ia, int64_t* ib) {
  int64_t linear = t * plan.reduced_size + r;
  int64_t out = 0, a = 0, b = 0;
  for (int d = plan.rank - 1; d >= 0; --d) {
    const int64_t coordinate = linear % plan.dims[d];
    linear /= plan.dims[d];
    out += coordinate * plan.stride_out[d];
    a += coordinate * plan.stride_a[d];
    b += coordinate * plan.stride_b[d];
  }
  *o = out;
  *ia = a;
  *ib = b;
}

// d(a op b)/d(a or b) · g for a ReduceTerm.
NMT_HOST_DEVICE float ReduceTermValue(int term, float g, float a, float b) {
  switch (term) {
    case kPlain:
      return g;
    case kNegate:
      return -g;
    case kMulDa:
      return g * b;
    case kMulDb:
      return g * a;
    case kDivDa:
      return g / b;
    default:  // kDivDb
      return -g * a / (b * b);
  }
}

void Scale(cudaStream_t stream, int64_t n, float alpha, const float* x, float* y);
void Axpy(cudaStream_t stream, int64_t n, float alpha, const float* x, float* y);
// y[i] = bits for n 32-bit words (an f32 or i32 value's pattern).
void Fill32(cudaStream_t stream, int64_t n, uint32_t bits, uint32_t* y);
void UnaryForward(cudaStream_t stream, int op, int64_t n, const float* x, float* y);
void UnaryBackward(cudaStream_t stream, int op, int64_t n, const float* x, const float* y, const float* dy, float* dx);
// y = a op b over `index` (y dense in the output's shape).
void BinaryForward(cudaStream_t stream, int op, const BroadcastIndex& index, const float* a, const float* b, float* y);
// target[t] (+)= alpha · Σ_r term(dy, a, b) over the plan's reduced elements of t; a warp
// per target element when use_warps (broadcast_plan.h, ReduceWithWarps), else a thread;
// a leading reduction of dy alone (kPlain, kNegate) takes a tiled column sum instead.
void ReduceInto(cudaStream_t stream, const ReducePlan& plan, bool use_warps, int term, float alpha, bool accumulate,
                const float* dy, const float* a, const float* b, float* target);
// dx[o] += alpha · dy[index.stride_a · o] (index over dx's shape; stride_b unused).
void BroadcastAccumulate(cudaStream_t stream, const BroadcastIndex& index, float alpha, const float* dy, float* dx);
// c[i, j] += bias[j] for rows × cols.
void AddBias(cudaStream_t stream, int64_t rows, int64_t cols, const float* bias, float* c);

// x viewed as [outer, axis, inner]; mask (same shape) or null.
void SoftmaxForward(cudaStream_t stream, int64_t outer, int64_t axis, int64_t inner, const float* x, const float* mask,
                    bool log, float* y);
void SoftmaxBackward(cudaStream_t stream, int64_t outer, int64_t axis, int64_t inner, const float* y, const float* mask,
                     const float* dy, bool log, float* dx);

// y (dims `index.dims`, dense) (+)= x read through index.stride_a.
void Permute(cudaStream_t stream, const BroadcastIndex& index, const float* x, bool accumulate, float* y);
void CopyColumns(cudaStream_t stream, const float* x, int64_t x_cols, int64_t x_begin, float* y, int64_t y_cols,
                 int64_t y_begin, int64_t outer, int64_t cols, bool accumulate);

void EmbeddingForward(cudaStream_t stream, const float* table, int64_t rows, int64_t width, const int32_t* ids,
                      int64_t count, float* y, unsigned int* error_flags);
// dtable[ids[i]] += dy[i], repeated ids summed in the order of i (deterministic, and the
// CPU's bits): one warp per position i that is the first of its id sums every later
// position with that id, scanning the ids (about count² / 2 id reads in all, no atomics).
void EmbeddingBackward(cudaStream_t stream, const int32_t* ids, int64_t count, int64_t rows, int64_t width,
                       const float* dy, float* dtable);
// y[i, :] = x[rows[i], :] for x (x_rows, width).
void GatherRows(cudaStream_t stream, const float* x, int64_t x_rows, int64_t width, const int32_t* rows, int64_t count,
                float* y, unsigned int* error_flags);
void MaxoutForward(cudaStream_t stream, int64_t n, const float* x, float* y);
void MaxoutBackward(cudaStream_t stream, int64_t n, const float* x, const float* dy, float* dx);

// logits (rows, k): log_probs and nll in one pass per row.
// label_smoothing ε: nll = −mask ((1 − ε) log p[target] + ε/K Σ_j log p_j), the sum in
// double as on the CPU; the backward's target distribution is (1 − ε) onehot + ε/K.
void SoftmaxXentForward(cudaStream_t stream, int64_t rows, int64_t k, const float* logits, const int32_t* targets,
                        const float* mask, float label_smoothing, float* log_probs, float* nll,
                        unsigned int* error_flags);
void SoftmaxXentBackward(cudaStream_t stream, int64_t rows, int64_t k, const float* log_probs, const int32_t* targets,
                         const float* mask, float label_smoothing, const float* dnll, float* dlogits);

// The CPU's DropoutMask bit for bit: base/random.h's SplitMix64At(seed, i).
void DropoutMask(cudaStream_t stream, int64_t n, float p, float keep_scale, uint64_t seed, float* mask);
// The row form of branch reg's table (dropout_mask with first_row, for data-parallel
// shards): element j of row r (rows × width) is drawn from
// SplitMix64At(SplitMix64At(seed, first_row + r), j). Used once reg merges.
void DropoutMaskRows(cudaStream_t stream, int64_t rows, int64_t width, float p, float keep_scale, uint64_t seed,
                     int64_t first_row, float* mask);

// y[r · ld_y + c] += x[r · cols + c] · m[r · cols + c] for rows × cols (the gradient
// through a recurrent dropout mask into a possibly strided h).
void AccumulateMasked(cudaStream_t stream, int64_t rows, int64_t cols, const float* x, const float* m, float* y,
                      int64_t ld_y);
// y = x ∘ m elementwise (y may be x). This and AccumulateMasked carry branch reg's
// recurrent dropout masks (GRU and LSTM steps) once it merges.
void Multiply(cudaStream_t stream, int64_t n, const float* x, const float* m, float* y);

// GRU step pieces (ops/kernels/kernels.h, GruStepTensors); the products are cuBLAS calls
// between them (cuda_kernels.cc). mask (B) or null.
// hu: the h the U products read (h ∘ recurrent_mask under variational dropout, else h).
// gates (B, 2n) holds hu U_zrᵀ on entry, σ(x_zr + ·) on return; recurrent = r ∘ hu.
void GruGatesResetBeforeU(cudaStream_t stream, int64_t batch, int64_t n, const float* x_proj, const float* hu,
                          float* gates, float* recurrent);
// candidate (B, n) holds U (r ∘ h) on entry, tanh(x_h + ·) on return; y = h + m z (h̃ − h).
void GruCandidateResetBeforeU(cudaStream_t stream, int64_t batch, int64_t n, const float* x_proj, const float* h,
                              const float* mask, const float* gates, float* candidate, float* y);
// gates holds h U_zrᵀ, recurrent U h: gates = σ(x_zr + ·), h̃ = tanh(x_h + r ∘ U h), y.
void GruStepLinearBeforeReset(cudaStream_t stream, int64_t batch, int64_t n, const float* x_proj, const float* h,
                              const float* mask, float* gates, const float* recurrent, float* candidate, float* y);
// Backward, first pass: da_h (B, n) and the z half of da_zr (B, 2n); with
// linear_before_reset also the r half, ds = d(U h) and dh += dy (1 − m z).
void GruBackwardGates(cudaStream_t stream, int64_t batch, int64_t n, bool linear_before_reset, const float* h,
                      const float* gates, const float* candidate, const float* recurrent, const float* mask,
                      const float* dy, float* da_zr, float* da_h, float* ds, float* dh);
// Reset before U, second pass (ds = da_h U given): the r half of da_zr (dr = ds ∘ hu),
// dh += dy (1 − m z), and the share through U, ds ∘ r, added to dh too, or written to dhu
// (not null: under a recurrent mask, which scales it later).
void GruBackwardReset(cudaStream_t stream, int64_t batch, int64_t n, const float* hu, const float* gates,
                      const float* mask, const float* dy, const float* ds, float* da_zr, float* dh, float* dhu);
// dx_proj (B, 3n) += [da_zr, da_h].
void GruAccumulateDxProj(cudaStream_t stream, int64_t batch, int64_t n, const float* da_zr, const float* da_h,
                         float* dx_proj);

// LSTM: pre (B, 4n) = h Uᵀ on entry; writes gates, candidate, cell_tanh and y = [h'; c'].
void LstmStepPointwise(cudaStream_t stream, int64_t batch, int64_t n, const float* x_proj, const float* state,
                       const float* mask, const float* pre, float* gates, float* candidate, float* cell_tanh, float* y);
// da (B, 4n) = the pre-activation gradients; dstate (B, 2n) += the direct terms (null:
// skipped); dx_proj (B, 4n) += da (null: skipped).
void LstmBackwardPointwise(cudaStream_t stream, int64_t batch, int64_t n, const float* state, const float* gates,
                           const float* candidate, const float* cell_tanh, const float* mask, const float* dy,
                           float* da, float* dstate, float* dx_proj);

// Additive attention: one warp per (b, j): tanh_out = tanh(keys + q[b]), e = tanh_out · v.
void AdditiveScoresForward(cudaStream_t stream, int64_t batch, int64_t length, int64_t width, const float* q,
                           const float* keys, const float* v, float* tanh_out, float* e);
// dkeys (B, Tx, n') += d, dq (B, n') += Σ_j d, d = de v (1 − tanh²); either may be null.
void AdditiveScoresBackward(cudaStream_t stream, int64_t batch, int64_t length, int64_t width, const float* tanh_out,
                            const float* v, const float* de, float* dq, float* dkeys);
void AttentionContextForward(cudaStream_t stream, int64_t batch, int64_t length, int64_t width, const float* alpha,
                             const float* h, float* c);
void AttentionContextBackward(cudaStream_t stream, int64_t batch, int64_t length, int64_t width, const float* alpha,
                              const float* h, const float* dc, float* dalpha, float* dh);

// Optimizer updates (trainers/adadelta.cc, adam.cc, sgd.cc), element for element.
void SgdUpdate(cudaStream_t stream, int64_t n, float neg_lr, const float* grad, float* value);
void AdadeltaUpdate(cudaStream_t stream, int64_t n, float rho, float one_minus_rho, float eps, float neg_lr,
                    const float* grad, float* value, float* square_avg, float* acc_delta);
void AdamUpdate(cudaStream_t stream, int64_t n, float beta1, float one_minus_beta1, float beta2, float one_minus_beta2,
                float eps, float neg_step_size, float correction2, const float* grad, float* value, float* exp_avg,
                float* exp_avg_sq);
// partials[c] = Σ x[i]² in double over chunk c of `chunk` elements (one block a chunk);
// ceil(n / chunk) partials.
void ChunkSumsOfSquares(cudaStream_t stream, int64_t n, int64_t chunk, const float* x, double* partials);
// *total = partials[0] + partials[1] + ... in that order (one thread: a fixed order).
void SumInOrder(cudaStream_t stream, int64_t count, const double* partials, double* total);

}  // namespace nmt::cuda

#endif  // NMT_OPS_KERNELS_CUDA_LAUNCH_H_
