#include "models/models.h"

#include "absl/status/status.h"
#include "models/rnnencdec.h"
#include "models/rnnsearch.h"

namespace nmt::models {

absl::StatusOr<std::unique_ptr<Seq2Seq>> MakeModel(const ModelConfig& config) {
  const bool sizes_ok = config.src_vocab() > 0 && config.tgt_vocab() > 0 && config.m() > 0 && config.n() > 0 &&
                        config.l() > 0 && (config.kind() != ModelConfig::RNNSEARCH || config.n_align() > 0);
  if (!sizes_ok)
    return absl::InvalidArgumentError("model config: sizes must be positive: " + config.ShortDebugString());
  std::unique_ptr<Seq2Seq> model;
  switch (config.kind()) {
    case ModelConfig::RNNSEARCH:
      model = std::make_unique<RnnSearch>(config);
      break;
    case ModelConfig::RNNENCDEC:
      model = std::make_unique<RnnEncDec>(config);
      break;
    default:
      return absl::InvalidArgumentError("model config: kind must be RNNSEARCH or RNNENCDEC");
  }
  model->InitializeFromConfig();
  return model;
}

}  // namespace nmt::models
