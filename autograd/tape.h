// Tape-based reverse-mode automatic differentiation.
//
//   auto context = CreateDeviceContext(Device::kCPU, threads);   // ops/backend.h
//   Parameter w(Tensor::Zeros({3, 4}));      // a leaf that outlives every tape
//   Tape tape(**context);
//   for (int step = 0; step < n; ++step) {
//     TapeScope scope(tape);                 // ops record onto the current tape
//     Var loss = Sum(Tanh(MatMul(x, w.var())));
//     Backward(loss);                        // w.grad() += dloss/dw
//     tape.Reset();                          // keeps the gradient arena for the next step
//   }
//
// Nodes are appended in execution order, so backward is a reverse walk with no
// sort. An op records a closure that captures only what its backward reads; the
// tape runs each closure at most once and frees it. Intermediate gradients are
// slices of one arena of the context's device memory, zeroed as they are handed out
// and rewound by Reset(), so steps of equal shapes allocate nothing. The current tape
// is per thread.
#ifndef NMT_AUTOGRAD_TAPE_H_
#define NMT_AUTOGRAD_TAPE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <vector>

#include "autograd/tensor.h"

namespace nmt {

class Tape;

// The inputs of matrix products: f32, or bf16 with f32 accumulation and f32 outputs
// (mixed precision: weights, gradients and optimizer state stay f32; ops/PRECISION.md).
enum class MatmulPrecision : uint8_t { kF32, kBF16 };
const char* MatmulPrecisionName(MatmulPrecision precision);

// What every backend's context provides: its device, the DeviceMemory its tensors live
// in, and the pool intermediates come from. Backends derive from it (CpuContext holds
// oneDNN's engine, stream and primitive cache); one context per device, owned by the
// program, never global. Contexts are made by nmt::CreateDeviceContext (ops/backend.h).
//
// Everything above the kernels reaches device memory through here or through Tensor's
// device-independent methods (Fill, SetZero, CopyFrom, Clone, ToHost): allocation,
// host→device uploads (ToDevice), fills and Synchronize().
class DeviceContext {
 public:
  explicit DeviceContext(std::shared_ptr<DeviceMemory> memory);
  virtual ~DeviceContext();
  DeviceContext(const DeviceContext&) = delete;
  DeviceContext& operator=(const DeviceContext&) = delete;

  Device device() const { return device_; }
  MatmulPrecision matmul_precision() const { return matmul_precision_; }
  void set_matmul_precision(MatmulPrecision precision) { matmul_precision_ = precision; }
  // Parameters may have changed since the last call: a backend drops what it derived from
  // them (bf16 copies of weights). Every Tape calls it when made and on Reset(), so a
  // parameter is converted at most once per step; parameters must not change while a
  // tape that read them is live (its backward reads them too).
  virtual void InvalidateParameterCaches() {}
  // CPU threads the kernels run on, at most the count the context was made with: the
  // trainer lowers it while other processes hold cores (trainers/thread_governor.h).
  // Results do not depend on it. Backends without host threads ignore it.
  virtual int host_threads() const { return 1; }
  virtual void SetHostThreads(int threads) {}
  DeviceMemory& memory() { return *memory_; }
  const std::shared_ptr<DeviceMemory>& shared_memory() const { return memory_; }
  BufferPool& pool() { return *pool_; }
  // Uninitialised memory for an intermediate, recycled from the pool.
  Tensor Allocate(const Shape& shape, DType dtype = DType::kF32) { return pool_->Allocate(shape, dtype); }
  // Pooled memory set to zero, or to `value`.
  Tensor Zeros(const Shape& shape, DType dtype = DType::kF32);
  Tensor Full(const Shape& shape, float value);
  // `t` on this device: t itself when it is already here, else a pooled copy.
  Tensor ToDevice(const Tensor& t);
  // Host values uploaded to this device (on the CPU: a pooled copy).
  Tensor FromVector(const Shape& shape, absl::Span<const float> values);
  Tensor FromInt32s(const Shape& shape, absl::Span<const int32_t> values);
  // Waits for every kernel, fill and copy issued so far on this device (a no-op on
  // the CPU, whose kernels return when done).
  virtual void Synchronize() { memory_->Synchronize(); }

 private:
  Device device_;
  MatmulPrecision matmul_precision_ = MatmulPrecision::kF32;
  std::shared_ptr<DeviceMemory> memory_;
  std::shared_ptr<BufferPool> pool_;
};

// One value in the graph and the slot its gradient accumulates into.
struct Node {
  Tensor value;
  Tensor grad;  // undefined until a gradient reaches it
  bool requires_grad = false;
  Tape* tape = nullptr;  // null for a leaf that outlives tapes (a Parameter)
  const char* op = "leaf";
};

// A handle to a Node. Cheap to copy; valid until its tape is Reset (or, for a
// Parameter's Var, for the Parameter's lifetime).
class Var {
 public:
  Var() = default;
  explicit Var(Node* node) : node_(node) {}

  bool defined() const { return node_ != nullptr; }
  const Tensor& value() const;
  // The accumulated gradient; undefined if none reached this Var.
  const Tensor& grad() const;
  const Shape& shape() const { return value().shape(); }
  int64_t dim(int i) const { return value().dim(i); }
  int rank() const { return value().rank(); }
  int64_t size() const { return value().size(); }
  bool requires_grad() const { return node_ != nullptr && node_->requires_grad; }
  // A Parameter's Var: the leaf outlives tapes (its Node has no tape).
  bool is_parameter() const { return node_ != nullptr && node_->tape == nullptr; }
  const char* op() const { return node_->op; }
  Node* node() const { return node_; }
  std::string ShapeString() const { return value().ShapeString(); }

 private:
  Node* node_ = nullptr;
};

// A leaf that lives across tapes and accumulates its gradient across Backward
// calls until ZeroGrad(): a model parameter. Neither copyable nor movable, since
// Vars point at it; hold it by unique_ptr.
class Parameter {
 public:
  explicit Parameter(Tensor value);
  Parameter(const Parameter&) = delete;
  Parameter& operator=(const Parameter&) = delete;

  Var var() { return Var(&node_); }
  Tensor& value() { return node_.value; }
  const Tensor& value() const { return node_.value; }
  Tensor& grad() { return node_.grad; }
  const Tensor& grad() const { return node_.grad; }
  const Shape& shape() const { return node_.value.shape(); }
  // Sets the grad to zero, on the parameter's device.
  void ZeroGrad() { node_.grad.SetZero(); }
  // Moves value and grad to `memory`'s device (a copy; nothing when already there).
  // Vars of the parameter stay valid.
  void MoveTo(const std::shared_ptr<DeviceMemory>& memory);

 private:
  Node node_;
};

class Tape {
 public:
  using BackwardFn = std::function<void(const Tensor& dy)>;

  explicit Tape(DeviceContext& context);
  ~Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  DeviceContext& context() const { return context_; }

  // A leaf that receives no gradient (data, masks).
  Var Constant(Tensor value);
  // A leaf on this tape that receives a gradient, readable after Backward.
  Var Variable(Tensor value);

  // For op implementations: checks that every input is defined and on this tape
  // (or a Parameter), naming `op` and the shapes if not.
  void CheckInputs(const char* op, absl::Span<const Var> inputs) const;
  // For op implementations: appends the node of `value`, computed by `op` from
  // `inputs`. `backward` receives dy and accumulates into GradOf(input) for the
  // inputs that require a gradient; it is kept only if one does and no
  // NoGradScope is active.
  Var Record(const char* op, Tensor value, absl::Span<const Var> inputs, BackwardFn backward);
  // The gradient slot of `v`, zero-filled on first use (arena memory for tape
  // nodes, the Parameter's own tensor for parameters).
  Tensor& GradOf(Var v);

  // dloss/dv for every v that requires a gradient. `loss` must be a scalar of this tape.
  void Backward(Var loss);
  // The vector-Jacobian product: accumulates dyᵀ ∂y/∂v into every v, for a y of any
  // shape and a dy of y's shape (what Backward(Sum(dy ∘ y)) would give).
  void Backward(Var y, const Tensor& dy);
  // Drops every node and closure; keeps the gradient arena, grown to the largest
  // step seen, so that the next step of equal shapes allocates nothing.
  void Reset();
  // For loops without gradients (decoding): drops every node but the values of `keep`,
  // each of which becomes a constant of this tape holding the same storage (no copy;
  // Vars of one node stay one node). A search rewinds after each step, so that memory
  // holds one step's intermediates and the pool recycles them. Parameters' Vars are left
  // as they are, and so are the backend's parameter caches (bf16 copies): parameters do
  // not change during a search. Every other Var of this tape becomes invalid. Refused
  // while a backward closure is recorded.
  void RewindKeeping(absl::Span<Var* const> keep);

  int64_t num_nodes() const { return static_cast<int64_t>(nodes_.size()); }
  // Bytes reserved by the gradient arena (for tests and memory reports).
  int64_t arena_bytes() const;

 private:
  struct Entry {
    Node* output;
    BackwardFn backward;
  };
  class Arena;

  Node* NewNode(const char* op, Tensor value, bool requires_grad);
  void RunBackward();

  DeviceContext& context_;
  std::deque<Node> nodes_;
  std::vector<Entry> entries_;
  std::unique_ptr<Arena> arena_;
};

// Makes `tape` the current tape of this thread until the scope ends (scopes nest).
class TapeScope {
 public:
  explicit TapeScope(Tape& tape);
  ~TapeScope();
  TapeScope(const TapeScope&) = delete;
  TapeScope& operator=(const TapeScope&) = delete;

 private:
  Tape* previous_;
};

// Ops inside it record no backward closures and produce Vars without gradient
// (inference, decoding). Per thread; scopes nest.
class NoGradScope {
 public:
  NoGradScope();
  ~NoGradScope();
  NoGradScope(const NoGradScope&) = delete;
  NoGradScope& operator=(const NoGradScope&) = delete;

 private:
  bool previous_;
};

bool GradEnabled();
// The current tape; an op calling it with none current fails naming `op`.
Tape& CurrentTape(const char* op);
// The current tape after CheckInputs(op, inputs): the way every op starts.
Tape& TapeFor(const char* op, absl::Span<const Var> inputs);
// Backward on the loss's own tape.
void Backward(Var loss);

}  // namespace nmt

#endif  // NMT_AUTOGRAD_TAPE_H_
