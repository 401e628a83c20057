#include "datasets/sentencepiece_bridge.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <exception>

namespace nmt::datasets::internal {

struct SpmModel {
  sentencepiece::SentencePieceProcessor processor;
};

namespace {

// SentencePiece reports errors as a Status, but some malformed models make it throw
// instead: darts_clone's trie builder throws on a piece that is empty as a C string
// ("\0\0", found by //datasets:subword_fuzzer). Nothing on the other side of the bridge
// expects an exception, so each entry point turns one into an error message.
template <typename Call>
std::string Guarded(Call call) {
  try {
    const sentencepiece::util::Status status = call();
    return status.ok() ? "" : status.ToString();
  } catch (const std::exception& e) {
    return std::string("SentencePiece threw: ") + e.what();
  } catch (...) {
    return "SentencePiece threw an exception";
  }
}

}  // namespace

std::string SpmTrain(const std::unordered_map<std::string, std::string>& arguments) {
  return Guarded([&] { return sentencepiece::SentencePieceTrainer::Train(arguments); });
}

std::string SpmLoad(const std::string& model_path, std::shared_ptr<const SpmModel>& model) {
  auto loaded = std::make_shared<SpmModel>();
  std::string error = Guarded([&] { return loaded->processor.Load(model_path); });
  if (error.empty()) model = std::move(loaded);
  return error;
}

std::string SpmEncode(const SpmModel& model, const std::string& text, std::vector<std::string>& pieces) {
  return Guarded([&] { return model.processor.Encode(text, &pieces); });
}

std::string SpmEncodeIds(const SpmModel& model, const std::string& text, std::vector<int>& ids) {
  return Guarded([&] { return model.processor.Encode(text, &ids); });
}

std::string SpmDecode(const SpmModel& model, const std::vector<std::string>& pieces, std::string& text) {
  return Guarded([&] { return model.processor.Decode(pieces, &text); });
}

std::string SpmDecodeIds(const SpmModel& model, const std::vector<int>& ids, std::string& text) {
  return Guarded([&] { return model.processor.Decode(ids, &text); });
}

int SpmVocabSize(const SpmModel& model) { return model.processor.GetPieceSize(); }

void SpmSpecialIds(const SpmModel& model, int& pad, int& eos, int& unk) {
  pad = model.processor.pad_id();
  eos = model.processor.eos_id();
  unk = model.processor.unk_id();
}

}  // namespace nmt::datasets::internal

extern "C" const nmt::datasets::internal::SpmBridge* NmtSentencePieceBridge() {
  using namespace nmt::datasets::internal;
  static const SpmBridge bridge = {SpmTrain,  SpmLoad,      SpmEncode,    SpmEncodeIds,
                                   SpmDecode, SpmDecodeIds, SpmVocabSize, SpmSpecialIds};
  return &bridge;
}
