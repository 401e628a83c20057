// The model registry: one line per model (models/registry.cc), the only place that
// names the models. Flags, the trainer, the translator and the bench find a model
// here by its name or by its ModelConfig kind and build it through MakeModel.
//
//   const ModelEntry* entry = FindModel("rnnsearch");      // the --model flag's value
//   config.set_kind(entry->kind);
//   absl::StatusOr<std::unique_ptr<Model>> model = MakeModel(config);
//   plot_label = FindModel(config.kind())->label;          // "RNNsearch"
#ifndef NMT_MODELS_REGISTRY_H_
#define NMT_MODELS_REGISTRY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "models/model.h"
#include "models/model_config.pb.h"

namespace nmt::models {

struct ModelEntry {
  const char* name;  // lower case, as flags spell it: "rnnsearch"
  ModelConfig::Kind kind;
  // Builds the model with every parameter zero; InvalidArgument for a config it cannot take.
  absl::StatusOr<std::unique_ptr<Model>> (*create)(const ModelConfig& config);
  const char* label;  // for plots and logs: "RNNsearch"
};

// Every registered model, the main job's default first.
absl::Span<const ModelEntry> RegisteredModels();
// The entry of that name or kind, or null.
const ModelEntry* FindModel(absl::string_view name);
const ModelEntry* FindModel(ModelConfig::Kind kind);
// The main job's model (the paper's RNNsearch).
const ModelEntry& DefaultModel();
// "rnnsearch, rnnencdec, ...", for help texts and errors.
std::string RegisteredModelNames();

// The model config.kind() names, with its parameters drawn as the config says
// (Appendix B.1 by default). InvalidArgument for an unregistered kind or sizes the
// model cannot take.
absl::StatusOr<std::unique_ptr<Model>> MakeModel(const ModelConfig& config);

}  // namespace nmt::models

#endif  // NMT_MODELS_REGISTRY_H_
