// Optimizers to and from the OptimizerCheckpoint message of checkpoint.proto.
//
//   OptimizerConfig config;                               // from the training config
//   config.mutable_adadelta();                            // unset fields: the paper's values
//   absl::StatusOr<std::unique_ptr<Optimizer>> optimizer = MakeOptimizer(config, params);
//   ...
//   absl::StatusOr<OptimizerCheckpoint> saved = SaveOptimizer(**optimizer, config);
//   ...                                                   // a later run:
//   absl::StatusOr<std::unique_ptr<Optimizer>> resumed = RestoreOptimizer(*saved, params);
//
// The config is what the caller built the optimizer from; it is stored next to the
// slots so that a resumed run rebuilds the same update rule. Everything read from a
// message is validated, since it comes from a file.
#ifndef NMT_TRAINERS_OPTIMIZER_CHECKPOINT_H_
#define NMT_TRAINERS_OPTIMIZER_CHECKPOINT_H_

#include <memory>

#include "absl/status/statusor.h"
#include "trainers/checkpoint.pb.h"
#include "trainers/optimizer.h"

namespace nmt::trainers {

// The optimizer `config` names, over `parameters`. InvalidArgument for an unset
// kind or out-of-range hyper-parameters.
absl::StatusOr<std::unique_ptr<Optimizer>> MakeOptimizer(const OptimizerConfig& config, NamedParameters parameters);

// `optimizer`'s state with `config`. InvalidArgument if `config` names another kind.
absl::StatusOr<OptimizerCheckpoint> SaveOptimizer(const Optimizer& optimizer, const OptimizerConfig& config);

// MakeOptimizer(checkpoint.config(), parameters) with the checkpoint's state imported
// (strictly: every missing, unexpected or misshapen slot is reported).
absl::StatusOr<std::unique_ptr<Optimizer>> RestoreOptimizer(const OptimizerCheckpoint& checkpoint,
                                                            NamedParameters parameters);

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_OPTIMIZER_CHECKPOINT_H_
