// TextCodec: one side's raw text <-> ids, with either of the project's vocabularies:
// the paper's word shortlist (Moses-style tokens, the K most frequent, UNK for the
// rest) or SentencePiece subwords. A trainer builds one per side from the training
// text and saves it into its run directory; translate loads it back from there.
//
//   absl::StatusOr<std::unique_ptr<TextCodec>> codec =
//       TextCodec::Build(train_sentences, options, "runs/x/vocab.en");
//   std::vector<int32_t> ids = (*codec)->Encode("In the beginning God created...");  // ..., EOS
//   std::string text = (*codec)->Decode(ids);      // detokenized, EOS and PAD dropped
//   auto again = TextCodec::Load("runs/x/vocab.en");
#ifndef NMT_DATASETS_TEXT_CODEC_H_
#define NMT_DATASETS_TEXT_CODEC_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "datasets/tokenizer.h"

namespace nmt::datasets {

struct TextCodecOptions {
  enum class Kind { kWords, kSubwords };
  Kind kind = Kind::kWords;
  Language language = Language::kEnglish;  // for the word tokenizer
  // Words: the shortlist size K (the paper: 30,000); ids = K + 3 specials.
  // Subwords: SentencePiece's vocabulary size (an upper bound), specials included.
  int vocab_size = 30000;
};

class TextCodec {
 public:
  virtual ~TextCodec() = default;

  // Trains on `sentences` and writes the codec under `path_prefix` (a ".words" or
  // ".spm.model" file; Load finds whichever is there).
  static absl::StatusOr<std::unique_ptr<TextCodec>> Build(const std::vector<std::string>& sentences,
                                                          const TextCodecOptions& options,
                                                          const std::string& path_prefix);
  static absl::StatusOr<std::unique_ptr<TextCodec>> Load(const std::string& path_prefix, Language language);

  // Number of ids (specials included): the model's K.
  virtual int32_t size() const = 0;
  // Ids of `text`, ending in EOS.
  virtual std::vector<int32_t> Encode(absl::string_view text) const = 0;
  // The text of `ids`, stopping at EOS, skipping PAD.
  virtual std::string Decode(absl::Span<const int32_t> ids) const = 0;
  // One display label per id (for alignment plots), EOS included.
  virtual std::vector<std::string> Labels(absl::Span<const int32_t> ids) const = 0;
};

}  // namespace nmt::datasets

#endif  // NMT_DATASETS_TEXT_CODEC_H_
