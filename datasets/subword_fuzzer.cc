// Fuzzes the SentencePiece model loader: the bytes become "<prefix>.spm.model", which
// TextCodec::Load (through SubwordModel::Load and libspm_bridge.so) must either refuse
// with a Status or load as a codec that encodes and decodes any text.
//
// SentencePiece itself is Debian's uninstrumented library, so coverage guides the
// fuzzer only through our side; the seeds are small real models (testdata/fuzz/README.md).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/check.h"
#include "base/fuzz_testing.h"
#include "datasets/special_ids.h"
#include "datasets/subword.h"
#include "datasets/text_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nmt::datasets;
  const std::string& path = nmt::WriteFuzzInputFile("codec.spm.model", nmt::FuzzBytes(data, size));
  const std::string prefix = path.substr(0, path.size() - std::string(".spm.model").size());
  absl::StatusOr<std::unique_ptr<TextCodec>> codec = TextCodec::Load(prefix, Language::kEnglish);
  if (!codec.ok()) return 0;
  const int32_t vocab_size = (*codec)->size();
  NMT_CHECK(vocab_size > 0) << vocab_size;
  for (const char* text : {"In the beginning God created the heavens and the earth.", "", "¿Dónde está el Sr. López?",
                           "  spaces\tand\nnewlines  ", "\xff\xfe broken \xc3"}) {
    const std::vector<int32_t> ids = (*codec)->Encode(text);
    NMT_CHECK(!ids.empty() && ids.back() == kEosId);
    for (int32_t id : ids) NMT_CHECK(id >= 0 && id < vocab_size) << id << " of " << vocab_size;
    (void)(*codec)->Decode(ids);
    (void)(*codec)->Labels(ids);
  }
  // Every id decodes (to something, maybe nothing), and ids outside the model are errors.
  std::vector<int32_t> all;
  for (int32_t id = kFirstWordId; id < vocab_size && id < 256; ++id) all.push_back(id);
  (void)(*codec)->Labels(all);
  (void)(*codec)->Decode(all);
  absl::StatusOr<SubwordModel> model = SubwordModel::Load(path);
  NMT_CHECK(model.ok()) << model.status();
  NMT_CHECK(!model->DecodeIds({vocab_size}).ok());
  NMT_CHECK(!model->DecodeIds({-1}).ok());
  return 0;
}
