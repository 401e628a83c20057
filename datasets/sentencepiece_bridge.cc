#include "datasets/sentencepiece_bridge.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

namespace nmt::datasets::internal {

struct SpmModel {
  sentencepiece::SentencePieceProcessor processor;
};

std::string SpmTrain(const std::unordered_map<std::string, std::string>& arguments) {
  const sentencepiece::util::Status status = sentencepiece::SentencePieceTrainer::Train(arguments);
  return status.ok() ? "" : status.ToString();
}

std::string SpmLoad(const std::string& model_path, std::shared_ptr<const SpmModel>& model) {
  auto loaded = std::make_shared<SpmModel>();
  const sentencepiece::util::Status status = loaded->processor.Load(model_path);
  if (!status.ok()) return status.ToString();
  model = std::move(loaded);
  return "";
}

std::string SpmEncode(const SpmModel& model, const std::string& text, std::vector<std::string>& pieces) {
  const sentencepiece::util::Status status = model.processor.Encode(text, &pieces);
  return status.ok() ? "" : status.ToString();
}

std::string SpmEncodeIds(const SpmModel& model, const std::string& text, std::vector<int>& ids) {
  const sentencepiece::util::Status status = model.processor.Encode(text, &ids);
  return status.ok() ? "" : status.ToString();
}

std::string SpmDecode(const SpmModel& model, const std::vector<std::string>& pieces, std::string& text) {
  const sentencepiece::util::Status status = model.processor.Decode(pieces, &text);
  return status.ok() ? "" : status.ToString();
}

std::string SpmDecodeIds(const SpmModel& model, const std::vector<int>& ids, std::string& text) {
  const sentencepiece::util::Status status = model.processor.Decode(ids, &text);
  return status.ok() ? "" : status.ToString();
}

int SpmVocabSize(const SpmModel& model) { return model.processor.GetPieceSize(); }

}  // namespace nmt::datasets::internal

extern "C" const nmt::datasets::internal::SpmBridge* NmtSentencePieceBridge() {
  using namespace nmt::datasets::internal;
  static const SpmBridge bridge = {SpmTrain, SpmLoad, SpmEncode, SpmEncodeIds, SpmDecode, SpmDecodeIds, SpmVocabSize};
  return &bridge;
}
