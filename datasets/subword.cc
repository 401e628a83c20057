#include "datasets/subword.h"

#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "datasets/sentencepiece_bridge.h"
#include "datasets/special_ids.h"

namespace nmt::datasets {
namespace {

absl::Status FromMessage(absl::string_view context, const std::string& message) {
  if (message.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(context, ": ", message));
}

// The bridge's table, or an error naming why libspm_bridge.so could not be loaded.
absl::StatusOr<const internal::SpmBridge*> LoadedBridge() {
  std::string error;
  const internal::SpmBridge* bridge = internal::LoadSpmBridge(error);
  if (bridge == nullptr) return absl::FailedPreconditionError(absl::StrCat("SentencePiece: ", error));
  return bridge;
}

// Only called once a model exists, which proves the bridge loaded.
const internal::SpmBridge& Bridge() { return **LoadedBridge(); }

}  // namespace

absl::Status TrainSubwordModel(const std::string& text_path, const std::string& model_prefix,
                               const SubwordTrainOptions& options) {
  if (absl::StatusOr<const internal::SpmBridge*> bridge = LoadedBridge(); !bridge.ok()) return bridge.status();
  const std::unordered_map<std::string, std::string> arguments = {
      {"input", text_path},
      {"model_prefix", model_prefix},
      {"vocab_size", absl::StrCat(options.vocab_size)},
      {"model_type", options.type == SubwordType::kBpe ? "bpe" : "unigram"},
      {"character_coverage", absl::StrCat(options.character_coverage)},
      {"hard_vocab_limit", "false"},
      // Sampling a subset of sentences would make the model depend on the trainer's RNG.
      {"shuffle_input_sentence", "false"},
      {"num_threads", absl::StrCat(options.num_threads)},
      {"pad_id", absl::StrCat(kPadId)},
      {"eos_id", absl::StrCat(kEosId)},
      {"unk_id", absl::StrCat(kUnkId)},
      {"bos_id", "-1"},
      {"pad_piece", kPadToken},
      {"eos_piece", kEosToken},
      {"unk_piece", kUnkToken},
      // SentencePiece's own logging threshold: 0 logs everything, 2 only errors. It is
      // process-wide, so it is set on every call, quiet or not.
      {"minloglevel", options.verbose ? "0" : "2"},
  };
  return FromMessage(absl::StrCat("training a subword model on ", text_path), Bridge().train(arguments));
}

SubwordModel::SubwordModel(std::shared_ptr<const internal::SpmModel> model) : model_(std::move(model)) {}

absl::StatusOr<SubwordModel> SubwordModel::Load(const std::string& model_path) {
  absl::StatusOr<const internal::SpmBridge*> bridge = LoadedBridge();
  if (!bridge.ok()) return bridge.status();
  std::shared_ptr<const internal::SpmModel> model;
  absl::Status status = FromMessage(model_path, (*bridge)->load(model_path, model));
  if (!status.ok()) return status;
  // Ids go straight into batches and the model's embeddings, which take pad, eos and unk
  // at special_ids.h's ids and every id below size(): a model trained with other ids
  // (SentencePiece's defaults are unk 0, bos 1, eos 2, no pad), or too small to hold
  // them, would make EncodeIds return ids the model does not have.
  int pad, eos, unk;
  (*bridge)->special_ids(*model, pad, eos, unk);
  const int size = (*bridge)->vocab_size(*model);
  if (pad != kPadId || eos != kEosId || unk != kUnkId || size <= kUnkId) {
    return absl::InvalidArgumentError(absl::StrCat(
        model_path, ": not a model with this project's special ids: pad ", pad, ", eos ", eos, ", unk ", unk, " in ",
        size, " pieces (expected pad ", kPadId, ", eos ", kEosId, ", unk ", kUnkId, "; see datasets/special_ids.h)"));
  }
  return SubwordModel(std::move(model));
}

int32_t SubwordModel::size() const { return Bridge().vocab_size(*model_); }

absl::StatusOr<std::vector<std::string>> SubwordModel::Encode(absl::string_view text) const {
  std::vector<std::string> pieces;
  absl::Status status = FromMessage("SubwordModel::Encode", Bridge().encode(*model_, std::string(text), pieces));
  if (!status.ok()) return status;
  return pieces;
}

absl::StatusOr<std::vector<int32_t>> SubwordModel::EncodeIds(absl::string_view text) const {
  std::vector<int> ids;
  absl::Status status = FromMessage("SubwordModel::EncodeIds", Bridge().encode_ids(*model_, std::string(text), ids));
  if (!status.ok()) return status;
  std::vector<int32_t> result(ids.begin(), ids.end());
  result.push_back(kEosId);
  return result;
}

absl::StatusOr<std::string> SubwordModel::Decode(absl::Span<const std::string> pieces) const {
  std::string text;
  absl::Status status = FromMessage(
      "SubwordModel::Decode", Bridge().decode(*model_, std::vector<std::string>(pieces.begin(), pieces.end()), text));
  if (!status.ok()) return status;
  return text;
}

absl::StatusOr<std::string> SubwordModel::DecodeIds(absl::Span<const int32_t> ids) const {
  std::vector<int> kept;
  for (int32_t id : ids) {
    if (id == kEosId) break;
    if (id == kPadId) continue;
    if (id < 0 || id >= size()) {
      return absl::InvalidArgumentError(absl::StrCat("SubwordModel::DecodeIds: id ", id, " outside [0, ", size(), ")"));
    }
    kept.push_back(id);
  }
  std::string text;
  absl::Status status = FromMessage("SubwordModel::DecodeIds", Bridge().decode_ids(*model_, kept, text));
  if (!status.ok()) return status;
  return text;
}

}  // namespace nmt::datasets
