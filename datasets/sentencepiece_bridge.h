// Internal to :subword. The one translation unit that includes Debian's sentencepiece
// headers: libsentencepiece 0.1.97 declares `namespace absl { using std::string_view; }`,
// which collides with Abseil's own absl::string_view class (Debian builds Abseil with
// ABSL_OPTION_USE_STD_STRING_VIEW 0). So this interface uses only std types, and errors come
// back as strings (empty on success) for subword.cc to turn into absl::Status.
//
// It is also built into its own shared library, libspm_bridge.so, which :subword loads
// with dlopen(RTLD_LOCAL | RTLD_DEEPBIND): Debian's libsentencepiece carries a protobuf
// of its own whose exported symbols, in one symbol scope with libprotobuf, interpose on
// each other (the process crashes at start-up, or sentencepiece fails at run time).
// Deep binding keeps sentencepiece on its own copy and the rest of the program on
// libprotobuf. The functions are reached through the SpmBridge table.
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
std::string SpmEncode(const SpmModel& model, const std::string& text, std::vector<std::string>& pieces);
std::string SpmEncodeIds(const SpmModel& model, const std::string& text, std::vector<int>& ids);
std::string SpmDecode(const SpmModel& model, const std::vector<std::string>& pieces, std::string& text);
std::string SpmDecodeIds(const SpmModel& model, const std::vector<int>& ids, std::string& text);
int SpmVocabSize(const SpmModel& model);
// The model's pad, eos and unk ids (-1 where it has none).
void SpmSpecialIds(const SpmModel& model, int& pad, int& eos, int& unk);

struct SpmBridge {
  decltype(&SpmTrain) train;
  decltype(&SpmLoad) load;
  decltype(&SpmEncode) encode;
  decltype(&SpmEncodeIds) encode_ids;
  decltype(&SpmDecode) decode;
  decltype(&SpmDecodeIds) decode_ids;
  decltype(&SpmVocabSize) vocab_size;
  decltype(&SpmSpecialIds) special_ids;
};

// The bridge library, loaded once; null with `error` set when it cannot be found or
// loaded. Searched: $NMT_SPM_BRIDGE, then datasets/libspm_bridge.so in the runfiles
// ($RUNFILES_DIR, $TEST_SRCDIR, or next to the running binary).
const SpmBridge* LoadSpmBridge(std::string& error);

}  // namespace nmt::datasets::internal

// The table's one exported symbol (C linkage, so dlsym finds it by this name).
extern "C" const nmt::datasets::internal::SpmBridge* NmtSentencePieceBridge();

#endif  // NMT_DATASETS_SENTENCEPIECE_BRIDGE_H_
