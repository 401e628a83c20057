// Internal to :subword. The one translation unit that includes Debian's sentencepiece
// headers: libsentencepiece 0.1.97 declares `namespace absl { using std::string_view; }`,
// which collides with Abseil's own absl::string_view class (Debian builds Abseil with
// ABSL_OPTION_USE_STD_STRING_VIEW 0). So this interface uses only std types, and errors come
// back as strings (empty on success) for subword.cc to turn into absl::Status.
#ifndef NMT_DATASETS_SENTENCEPIECE_BRIDGE_H_
#define NMT_DATASETS_SENTENCEPIECE_BRIDGE_H_

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace nmt::datasets::internal {

struct SpmModel;  // wraps sentencepiece::SentencePieceProcessor

std::string SpmTrain(const std::unordered_map<std::string, std::string>& arguments);
std::string SpmLoad(const std::string& model_path, std::shared_ptr<const SpmModel>& model);
std::string SpmEncode(const SpmModel& model, const std::string& text,
                      std::vector<std::string>& pieces);
std::string SpmEncodeIds(const SpmModel& model, const std::string& text, std::vector<int>& ids);
std::string SpmDecode(const SpmModel& model, const std::vector<std::string>& pieces,
                      std::string& text);
std::string SpmDecodeIds(const SpmModel& model, const std::vector<int>& ids, std::string& text);
int SpmVocabSize(const SpmModel& model);

}  // namespace nmt::datasets::internal

#endif  // NMT_DATASETS_SENTENCEPIECE_BRIDGE_H_
