#include "autograd/tape.h"

#include <algorithm>
#include <utility>

#include "base/check.h"

namespace nmt {
namespace {

thread_local Tape* current_tape = nullptr;
thread_local bool grad_enabled = true;

}  // namespace

// Bump allocator for gradients in the context's device memory. When a step needs more
// than one block, Reset replaces the blocks by a single one of the high-water size.
class Tape::Arena {
 public:
  explicit Arena(std::shared_ptr<DeviceMemory> memory) : memory_(std::move(memory)) {}
  ~Arena() { FreeBlocks(); }

  float* Allocate(int64_t floats) {
    const int64_t aligned = (floats + 15) / 16 * 16;  // 64-byte aligned slices
    if (blocks_.empty() || offset_ + aligned > capacity_.back()) {
      const int64_t capacity = std::max<int64_t>(aligned, 1 << 16);
      blocks_.push_back(static_cast<float*>(memory_->Allocate(capacity * sizeof(float))));
      capacity_.push_back(capacity);
      offset_ = 0;
    }
    float* p = blocks_.back() + offset_;
    offset_ += aligned;
    used_ += aligned;
    memory_->Zero(p, floats * sizeof(float));
    return p;
  }

  // After a step that outgrew the block, one block of the largest step's size and a
  // quarter more: steps of varying lengths then regrow it a few times instead of at
  // every new longest batch, each regrowth faulting in the whole arena afresh (it was
  // 44% of the page faults in the first 40 steps of the default run).
  void Reset() {
    high_water_ = std::max(high_water_, used_);
    if (blocks_.size() > 1) {
      FreeBlocks();
      const int64_t capacity = high_water_ + high_water_ / 4;
      blocks_.push_back(static_cast<float*>(memory_->Allocate(capacity * sizeof(float))));
      capacity_.push_back(capacity);
    }
    offset_ = 0;
    used_ = 0;
  }

  int64_t bytes() const {
    int64_t total = 0;
    for (int64_t c : capacity_) total += c * sizeof(float);
    return total;
  }

  const std::shared_ptr<DeviceMemory>& memory() const { return memory_; }

 private:
  void FreeBlocks() {
    for (float* b : blocks_) memory_->Free(b);
    blocks_.clear();
    capacity_.clear();
  }

  std::shared_ptr<DeviceMemory> memory_;
  std::vector<float*> blocks_;
  std::vector<int64_t> capacity_;
  int64_t offset_ = 0;
  int64_t used_ = 0;
  int64_t high_water_ = 0;
};

const char* MatmulPrecisionName(MatmulPrecision precision) {
  return precision == MatmulPrecision::kBF16 ? "bf16" : "f32";
}

DeviceContext::DeviceContext(std::shared_ptr<DeviceMemory> memory)
    : device_(memory->device()), memory_(std::move(memory)), pool_(std::make_shared<BufferPool>(memory_)) {}

DeviceContext::~DeviceContext() = default;

Tensor DeviceContext::Zeros(const Shape& shape, DType dtype) {
  Tensor t = Allocate(shape, dtype);
  t.SetZero();
  return t;
}

Tensor DeviceContext::Full(const Shape& shape, float value) {
  Tensor t = Allocate(shape);
  t.Fill(value);
  return t;
}

Tensor DeviceContext::ToDevice(const Tensor& t) {
  NMT_CHECK(t.defined()) << "DeviceContext::ToDevice of an undefined tensor";
  if (t.device() == device_) return t;
  Tensor copy = Allocate(t.shape(), t.dtype());
  copy.CopyFrom(t);
  return copy;
}

Tensor DeviceContext::FromVector(const Shape& shape, absl::Span<const float> values) {
  NMT_CHECK(static_cast<int64_t>(values.size()) == NumElements(shape))
      << "DeviceContext::FromVector: " << values.size() << " values for shape " << ShapeString(shape);
  Tensor t = Allocate(shape);
  if (!values.empty()) memory_->Copy(t.data(), device_, values.data(), Device::kCPU, values.size() * sizeof(float));
  return t;
}

Tensor DeviceContext::FromInt32s(const Shape& shape, absl::Span<const int32_t> values) {
  NMT_CHECK(static_cast<int64_t>(values.size()) == NumElements(shape))
      << "DeviceContext::FromInt32s: " << values.size() << " values for shape " << ShapeString(shape);
  Tensor t = Allocate(shape, DType::kI32);
  if (!values.empty()) {
    memory_->Copy(t.int32_data(), device_, values.data(), Device::kCPU, values.size() * sizeof(int32_t));
  }
  return t;
}

const Tensor& Var::value() const {
  NMT_CHECK(node_ != nullptr) << "Var::value of an undefined Var";
  return node_->value;
}

const Tensor& Var::grad() const {
  NMT_CHECK(node_ != nullptr) << "Var::grad of an undefined Var";
  return node_->grad;
}

Parameter::Parameter(Tensor value) {
  NMT_CHECK(value.defined()) << "Parameter: undefined value";
  node_.grad = Tensor::EmptyOn(value.memory(), value.shape(), value.dtype());
  node_.grad.SetZero();
  node_.value = std::move(value);
  node_.requires_grad = true;
  node_.op = "parameter";
}

void Parameter::MoveTo(const std::shared_ptr<DeviceMemory>& memory) {
  if (node_.value.device() == memory->device()) return;
  Tensor value = Tensor::EmptyOn(memory, node_.value.shape(), node_.value.dtype());
  value.CopyFrom(node_.value);
  if (node_.grad.defined()) {  // an undefined grad (reset by a caller) stays undefined
    Tensor grad = Tensor::EmptyOn(memory, node_.grad.shape(), node_.grad.dtype());
    grad.CopyFrom(node_.grad);
    node_.grad = std::move(grad);
  }
  node_.value = std::move(value);
}

Tape::Tape(DeviceContext& context) : context_(context), arena_(std::make_unique<Arena>(context.shared_memory())) {
  context_.InvalidateParameterCaches();
}

Tape::~Tape() { NMT_CHECK(current_tape != this) << "Tape destroyed while a TapeScope still makes it current"; }

Node* Tape::NewNode(const char* op, Tensor value, bool requires_grad) {
  Node& node = nodes_.emplace_back();
  node.value = std::move(value);
  node.requires_grad = requires_grad;
  node.tape = this;
  node.op = op;
  return &node;
}

Var Tape::Constant(Tensor value) { return Var(NewNode("constant", std::move(value), false)); }

Var Tape::Variable(Tensor value) { return Var(NewNode("variable", std::move(value), true)); }

void Tape::CheckInputs(const char* op, absl::Span<const Var> inputs) const {
  int i = 0;
  for (const Var& v : inputs) {
    NMT_CHECK(v.defined()) << op << ": input " << i << " is an undefined Var";
    NMT_CHECK(v.node()->tape == nullptr || v.node()->tape == this)
        << op << ": input " << i << " (shape " << v.ShapeString() << ", made by " << v.op()
        << ") belongs to another tape";
    ++i;
  }
}

Var Tape::Record(const char* op, Tensor value, absl::Span<const Var> inputs, BackwardFn backward) {
  bool requires_grad = false;
  if (grad_enabled) {
    for (const Var& v : inputs) requires_grad = requires_grad || v.requires_grad();
  }
  Node* node = NewNode(op, std::move(value), requires_grad);
  if (requires_grad) entries_.push_back({node, std::move(backward)});
  return Var(node);
}

Tensor& Tape::GradOf(Var v) {
  Node* node = v.node();
  if (!node->grad.defined()) {
    NMT_CHECK(node->tape == this) << "GradOf: a " << v.op() << " node of another tape";
    const int64_t n = node->value.size();
    float* data = arena_->Allocate(n);
    node->grad =
        Tensor::Wrap(Storage::Borrowed(data, n * sizeof(float), arena_->memory()), node->value.shape(), DType::kF32);
  }
  return node->grad;
}

void Tape::Backward(Var loss) {
  CheckInputs("Backward", {loss});
  NMT_CHECK(loss.node()->tape == this) << "Backward: the loss is a " << loss.op() << ", not a node of this tape";
  NMT_CHECK(loss.size() == 1) << "Backward: the loss must be a scalar, got shape " << loss.ShapeString() << " from "
                              << loss.op();
  NMT_CHECK(loss.requires_grad()) << "Backward: the loss (from " << loss.op()
                                  << ") depends on nothing that requires a gradient";
  GradOf(loss).Fill(1.0f);
  RunBackward();
}

void Tape::Backward(Var y, const Tensor& dy) {
  CheckInputs("Backward", {y});
  NMT_CHECK(y.node()->tape == this) << "Backward: y is a " << y.op() << ", not a node of this tape";
  NMT_CHECK(dy.shape() == y.shape()) << "Backward: dy " << dy.ShapeString() << " for y " << y.ShapeString() << " from "
                                     << y.op();
  NMT_CHECK(y.requires_grad()) << "Backward: y (from " << y.op() << ") depends on nothing that requires a gradient";
  GradOf(y).CopyFrom(dy);
  RunBackward();
}

void Tape::RunBackward() {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->output->grad.defined()) it->backward(it->output->grad);
    it->backward = nullptr;  // frees what the closure captured
  }
  entries_.clear();
}

void Tape::Reset() {
  entries_.clear();
  nodes_.clear();
  arena_->Reset();
  context_.InvalidateParameterCaches();
}

void Tape::RewindKeeping(absl::Span<Var* const> keep) {
  NMT_CHECK(entries_.empty()) << "Tape::RewindKeeping: " << entries_.size()
                              << " backward closures are recorded (rewind only runs without gradients)";
  std::vector<Node*> nodes;    // each kept node of this tape, once
  std::vector<Tensor> values;  // its value
  std::vector<int> slot(keep.size(), -1);
  for (size_t i = 0; i < keep.size(); ++i) {
    if (!keep[i]->defined() || keep[i]->node()->tape != this) continue;
    const auto found = std::find(nodes.begin(), nodes.end(), keep[i]->node());
    slot[i] = static_cast<int>(found - nodes.begin());
    if (found == nodes.end()) {
      nodes.push_back(keep[i]->node());
      values.push_back(keep[i]->node()->value);
    }
  }
  nodes_.clear();
  arena_->Reset();
  std::vector<Var> constants;
  constants.reserve(values.size());
  for (Tensor& value : values) constants.push_back(Constant(std::move(value)));
  for (size_t i = 0; i < keep.size(); ++i) {
    if (slot[i] >= 0) *keep[i] = constants[slot[i]];
  }
}

int64_t Tape::arena_bytes() const { return arena_->bytes(); }

TapeScope::TapeScope(Tape& tape) : previous_(current_tape) { current_tape = &tape; }

TapeScope::~TapeScope() { current_tape = previous_; }

NoGradScope::NoGradScope() : previous_(grad_enabled) { grad_enabled = false; }

NoGradScope::~NoGradScope() { grad_enabled = previous_; }

bool GradEnabled() { return grad_enabled; }

Tape& CurrentTape(const char* op) {
  NMT_CHECK(current_tape != nullptr) << op << ": no current tape (open a TapeScope)";
  return *current_tape;
}

Tape& TapeFor(const char* op, absl::Span<const Var> inputs) {
  Tape& tape = CurrentTape(op);
  tape.CheckInputs(op, inputs);
  return tape;
}

void Backward(Var loss) {
  NMT_CHECK(loss.defined()) << "Backward: undefined loss";
  NMT_CHECK(loss.node()->tape != nullptr) << "Backward: the loss is a Parameter, not a computed value";
  loss.node()->tape->Backward(loss);
}

}  // namespace nmt
