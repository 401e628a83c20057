#include "trainers/optimizer.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/check.h"

namespace nmt::trainers {

Optimizer::Optimizer(std::string name, NamedParameters parameters, std::vector<std::string> slot_kinds)
    : name_(std::move(name)), parameters_(std::move(parameters)), slot_kinds_(std::move(slot_kinds)) {
  absl::flat_hash_set<std::string> seen;
  slots_.reserve(parameters_.size());
  for (const auto& [param_name, param] : parameters_) {
    NMT_CHECK(!param_name.empty()) << name_ << ": a parameter has an empty name";
    NMT_CHECK(seen.insert(param_name).second) << name_ << ": parameter " << param_name << " is listed twice";
    NMT_CHECK(param != nullptr) << name_ << ": parameter " << param_name << " is null";
    const Tensor& value = param->value();
    NMT_CHECK(value.defined() && value.dtype() == DType::kF32)
        << name_ << ": parameter " << param_name << " must be a defined f32 tensor";
    std::vector<Tensor>& slots = slots_.emplace_back();
    for (size_t k = 0; k < slot_kinds_.size(); ++k) {
      Tensor& slot = slots.emplace_back(Tensor::EmptyOn(value.memory(), value.shape()));
      slot.SetZero();
    }
  }
}

Optimizer::~Optimizer() = default;

void Optimizer::CheckOptions(const absl::Status& validation) { NMT_CHECK(validation.ok()) << validation.message(); }

std::string Optimizer::SlotName(absl::string_view slot, absl::string_view parameter) const {
  return absl::StrCat(name_, ".", slot, "/", parameter);
}

void Optimizer::Step(DeviceContext& context) {
  ++step_count_;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    Parameter& param = *parameters_[i].second;
    const Tensor& grad = param.grad();
    if (!grad.defined()) continue;
    NMT_CHECK(grad.shape() == param.shape()) << name_ << ": grad of " << parameters_[i].first << " has shape "
                                             << grad.ShapeString() << ", the parameter " << ShapeString(param.shape());
    NMT_CHECK(param.value().device() == context.device() && grad.device() == context.device())
        << name_ << ": parameter " << parameters_[i].first << " is on " << DeviceName(param.value().device())
        << ", its grad on " << DeviceName(grad.device()) << ", the context on " << DeviceName(context.device());
    Update(context, step_count_, grad, param.value(), absl::MakeSpan(slots_[i]));
  }
}

void Optimizer::ZeroGrad() {
  for (auto& [unused_name, param] : parameters_) {
    if (param->grad().defined()) param->ZeroGrad();
  }
}

OptimizerState Optimizer::ExportState() const {
  OptimizerState state;
  state.step_count = step_count_;
  state.slots.reserve(parameters_.size() * slot_kinds_.size());
  for (size_t i = 0; i < parameters_.size(); ++i) {
    for (size_t k = 0; k < slot_kinds_.size(); ++k) {
      const Tensor& slot = slots_[i][k];
      state.slots.emplace_back(SlotName(slot_kinds_[k], parameters_[i].first),
                               slot.device() == Device::kCPU ? slot.Clone() : slot.ToHost());
    }
  }
  return state;
}

absl::Status Optimizer::ImportState(const OptimizerState& state) {
  // Validate everything first, so that a bad state changes nothing.
  std::vector<std::string> problems;
  if (state.step_count < 0) problems.push_back(absl::StrCat("negative step count ", state.step_count));
  // Step() counts on from here; at the largest int64 the next step would overflow.
  if (state.step_count == std::numeric_limits<int64_t>::max()) {
    problems.push_back(absl::StrCat("step count ", state.step_count, " leaves no room for another step"));
  }
  absl::flat_hash_map<std::string, const Tensor*> given;
  for (const auto& [slot_name, tensor] : state.slots) {
    if (!given.emplace(slot_name, &tensor).second) problems.push_back(absl::StrCat("duplicate slot ", slot_name));
  }
  std::vector<std::vector<const Tensor*>> sources(parameters_.size());
  for (size_t i = 0; i < parameters_.size(); ++i) {
    for (size_t k = 0; k < slot_kinds_.size(); ++k) {
      const std::string slot_name = SlotName(slot_kinds_[k], parameters_[i].first);
      auto it = given.find(slot_name);
      if (it == given.end()) {
        problems.push_back(absl::StrCat("missing slot ", slot_name));
        continue;
      }
      const Tensor& tensor = *it->second;
      if (!tensor.defined() || tensor.dtype() != DType::kF32 || tensor.device() != Device::kCPU ||
          tensor.shape() != parameters_[i].second->shape()) {
        problems.push_back(absl::StrCat("slot ", slot_name, " is ",
                                        tensor.defined() ? tensor.ShapeString() : "undefined", " ",
                                        tensor.defined() ? DTypeName(tensor.dtype()) : "", ", expected ",
                                        ShapeString(parameters_[i].second->shape()), " f32 on the host"));
      }
      sources[i].push_back(&tensor);
      given.erase(it);
    }
  }
  for (const auto& [slot_name, unused_tensor] : state.slots) {
    if (given.contains(slot_name)) problems.push_back(absl::StrCat("unexpected slot ", slot_name));
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name_, " optimizer state does not fit: ", absl::StrJoin(problems, "; ")));
  }
  for (size_t i = 0; i < parameters_.size(); ++i) {
    for (size_t k = 0; k < slot_kinds_.size(); ++k) slots_[i][k].CopyFrom(*sources[i][k]);
  }
  step_count_ = state.step_count;
  return absl::OkStatus();
}

}  // namespace nmt::trainers
