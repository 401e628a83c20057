#include "trainers/optimizer_checkpoint.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "autograd/tensor_codec.h"
#include "trainers/adadelta.h"
#include "trainers/adam.h"
#include "trainers/sgd.h"

namespace nmt::trainers {
namespace {

// The name Optimizer::name() gives the kind, or "" for none.
std::string KindName(const OptimizerConfig& config) {
  switch (config.kind_case()) {
    case OptimizerConfig::kAdadelta:
      return "adadelta";
    case OptimizerConfig::kAdam:
      return "adam";
    case OptimizerConfig::kSgd:
      return "sgd";
    case OptimizerConfig::KIND_NOT_SET:
      break;
  }
  return "";
}

// Validates, then builds: the constructors CHECK what Validate reports.
template <typename T, typename Options>
absl::StatusOr<std::unique_ptr<Optimizer>> Build(const Options& options, NamedParameters parameters) {
  if (absl::Status status = Validate(options); !status.ok()) return status;
  return std::unique_ptr<Optimizer>(std::make_unique<T>(std::move(parameters), options));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Optimizer>> MakeOptimizer(const OptimizerConfig& config, NamedParameters parameters) {
  switch (config.kind_case()) {
    case OptimizerConfig::kAdadelta: {
      const AdadeltaConfig& c = config.adadelta();
      AdadeltaOptions options;
      if (c.has_lr()) options.lr = c.lr();
      if (c.has_rho()) options.rho = c.rho();
      if (c.has_eps()) options.eps = c.eps();
      return Build<Adadelta>(options, std::move(parameters));
    }
    case OptimizerConfig::kAdam: {
      const AdamConfig& c = config.adam();
      AdamOptions options;
      if (c.has_lr()) options.lr = c.lr();
      if (c.has_beta1()) options.beta1 = c.beta1();
      if (c.has_beta2()) options.beta2 = c.beta2();
      if (c.has_eps()) options.eps = c.eps();
      return Build<Adam>(options, std::move(parameters));
    }
    case OptimizerConfig::kSgd: {
      SgdOptions options;
      if (config.sgd().has_lr()) options.lr = config.sgd().lr();
      return Build<Sgd>(options, std::move(parameters));
    }
    case OptimizerConfig::KIND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("OptimizerConfig names no optimizer (set adadelta, adam or sgd)");
}

absl::StatusOr<OptimizerCheckpoint> SaveOptimizer(const Optimizer& optimizer, const OptimizerConfig& config) {
  if (KindName(config) != optimizer.name()) {
    return absl::InvalidArgumentError(absl::StrCat("SaveOptimizer: the config names '", KindName(config),
                                                   "' but the optimizer is '", optimizer.name(), "'"));
  }
  OptimizerState state = optimizer.ExportState();
  absl::StatusOr<NamedTensors> slots = NamedTensorsToProto(state.slots);
  if (!slots.ok()) return slots.status();
  OptimizerCheckpoint checkpoint;
  *checkpoint.mutable_config() = config;
  checkpoint.set_step_count(state.step_count);
  *checkpoint.mutable_slots() = *std::move(slots);
  return checkpoint;
}

absl::StatusOr<std::unique_ptr<Optimizer>> RestoreOptimizer(const OptimizerCheckpoint& checkpoint,
                                                            NamedParameters parameters) {
  absl::StatusOr<std::unique_ptr<Optimizer>> optimizer = MakeOptimizer(checkpoint.config(), std::move(parameters));
  if (!optimizer.ok()) return optimizer.status();
  absl::StatusOr<NamedTensorList> slots = NamedTensorsFromProto(checkpoint.slots());
  if (!slots.ok()) return slots.status();
  OptimizerState state;
  state.step_count = checkpoint.step_count();
  state.slots = *std::move(slots);
  if (absl::Status status = (*optimizer)->ImportState(state); !status.ok()) return status;
  return optimizer;
}

}  // namespace nmt::trainers
