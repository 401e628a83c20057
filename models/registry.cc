#include "models/registry.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "models/cgru.h"
#include "models/luong.h"
#include "models/rnnencdec.h"
#include "models/rnnsearch.h"

namespace nmt::models {
namespace {

// One line per model: adding a model adds a line here (models/README.md).
const ModelEntry kModels[] = {
    {"rnnsearch", ModelConfig::RNNSEARCH, &RnnSearch::Create, "RNNsearch"},
    {"rnnencdec", ModelConfig::RNNENCDEC, &RnnEncDec::Create, "RNNencdec"},
    {"cgru", ModelConfig::CGRU, &CGru::Create, "cGRU"},
    {"luong", ModelConfig::LUONG, &Luong::Create, "Luong"},
};

}  // namespace

absl::Span<const ModelEntry> RegisteredModels() { return kModels; }

const ModelEntry* FindModel(absl::string_view name) {
  for (const ModelEntry& e : kModels) {
    if (name == e.name) return &e;
  }
  return nullptr;
}

const ModelEntry* FindModel(ModelConfig::Kind kind) {
  for (const ModelEntry& e : kModels) {
    if (kind == e.kind) return &e;
  }
  return nullptr;
}

const ModelEntry& DefaultModel() { return kModels[0]; }

std::string RegisteredModelNames() {
  return absl::StrJoin(kModels, ", ", [](std::string* out, const ModelEntry& e) { absl::StrAppend(out, e.name); });
}

absl::StatusOr<std::unique_ptr<Model>> MakeModel(const ModelConfig& config) {
  const ModelEntry* entry = FindModel(config.kind());
  if (entry == nullptr) {
    std::vector<std::string> kinds;
    for (const ModelEntry& e : kModels) kinds.push_back(ModelConfig::Kind_Name(e.kind));
    return absl::InvalidArgumentError(absl::StrCat("model config: kind ", ModelConfig::Kind_Name(config.kind()),
                                                   " is not one of ", absl::StrJoin(kinds, ", ")));
  }
  absl::StatusOr<std::unique_ptr<Model>> model = entry->create(config);
  if (!model.ok()) return model.status();
  (*model)->InitializeFromConfig();
  return model;
}

}  // namespace nmt::models
