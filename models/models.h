// MakeModel: the model a ModelConfig names, with its parameters drawn as the
// config says (Appendix B.1 by default).
//
//   absl::StatusOr<std::unique_ptr<Seq2Seq>> model = MakeModel(config);
#ifndef NMT_MODELS_MODELS_H_
#define NMT_MODELS_MODELS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "models/seq2seq.h"

namespace nmt::models {

// InvalidArgument for an unspecified kind or a non-positive size.
absl::StatusOr<std::unique_ptr<Seq2Seq>> MakeModel(const ModelConfig& config);

}  // namespace nmt::models

#endif  // NMT_MODELS_MODELS_H_
