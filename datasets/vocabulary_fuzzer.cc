// Fuzzes Vocabulary::Load (a word vocabulary file, one token a line) and the word codec
// that TextCodec::Load builds on it: any bytes are either refused with a Status or give
// a vocabulary that round-trips (ids <-> tokens, Save then Load) and encodes any text.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/check.h"
#include "base/fuzz_testing.h"
#include "datasets/special_ids.h"
#include "datasets/text_codec.h"
#include "datasets/vocabulary.h"

namespace nmt::datasets {
namespace {

void CheckVocabulary(const Vocabulary& vocab) {
  NMT_CHECK(vocab.size() >= kFirstWordId) << vocab.size();
  for (int32_t id = 0; id < vocab.size(); ++id) NMT_CHECK(vocab.Id(vocab.Token(id)) == id) << id;
  std::vector<std::string> tokens;
  for (int32_t id = kFirstWordId; id < vocab.size(); ++id) tokens.push_back(vocab.Token(id));
  const std::vector<int32_t> ids = vocab.Encode(tokens);
  NMT_CHECK(ids.size() == tokens.size() + 1 && ids.back() == kEosId);
  NMT_CHECK(vocab.Decode(ids) == tokens);
}

void CheckCodec(const TextCodec& codec) {
  for (const char* text : {"In the beginning God created the heavens and the earth.", "", "¿Dónde está el Sr. López?",
                           "\xff\xfe broken \xc3"}) {
    const std::vector<int32_t> ids = codec.Encode(text);
    NMT_CHECK(!ids.empty() && ids.back() == kEosId);
    for (int32_t id : ids) NMT_CHECK(id >= 0 && id < codec.size()) << id;
    (void)codec.Decode(ids);
    (void)codec.Labels(ids);
  }
}

}  // namespace
}  // namespace nmt::datasets

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nmt::datasets;
  const std::string& path = nmt::WriteFuzzInputFile("vocab.words", nmt::FuzzBytes(data, size));
  absl::StatusOr<Vocabulary> vocab = Vocabulary::Load(path);
  if (!vocab.ok()) return 0;
  CheckVocabulary(*vocab);

  // What Save writes, Load reads back as the same vocabulary.
  const std::string& saved = nmt::WriteFuzzInputFile("saved.words", "");
  NMT_CHECK(vocab->Save(saved).ok());
  absl::StatusOr<Vocabulary> again = Vocabulary::Load(saved);
  NMT_CHECK(again.ok()) << again.status();
  NMT_CHECK(again->size() == vocab->size());
  for (int32_t id = 0; id < vocab->size(); ++id) NMT_CHECK(again->Token(id) == vocab->Token(id));

  // TextCodec::Load finds "<prefix>.words": the file just written.
  const std::string prefix = saved.substr(0, saved.size() - std::string(".words").size());
  absl::StatusOr<std::unique_ptr<TextCodec>> codec = TextCodec::Load(prefix, Language::kEnglish);
  NMT_CHECK(codec.ok()) << codec.status();
  CheckCodec(**codec);
  return 0;
}
