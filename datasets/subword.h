// SentencePiece subword models (Kudo & Richardson 2018), an alternative to the paper's word
// shortlist: train a unigram or BPE model on raw text, encode sentences into pieces or ids,
// decode back. Wraps Debian's libsentencepiece 0.1.97.
//
//   SubwordTrainOptions options;
//   options.vocab_size = 8000;
//   absl::Status s = TrainSubwordModel("train.en", "/tmp/spm_en", options);  // spm_en.model
//   absl::StatusOr<SubwordModel> model = SubwordModel::Load("/tmp/spm_en.model");
//   std::vector<std::string> pieces = *model->Encode("In the beginning");  // "▁In", "▁the", ...
//   std::vector<int32_t> ids = *model->EncodeIds("In the beginning");     // ..., kEosId
//   std::string text = *model->DecodeIds(ids);                            // "In the beginning"
//
// Models are trained with the ids of special_ids.h (pad 0 "<pad>", eos 1 "</s>", unk 2
// "<unk>", no BOS), so subword ids drop into the same batches and models as word ids.
// vocab_size is an upper bound (hard_vocab_limit=false): a small corpus yields fewer pieces
// instead of an error. Decoding is exact for text the model covers: SentencePiece keeps
// whitespace as "▁", so no detokenizer is needed.
#ifndef NMT_DATASETS_SUBWORD_H_
#define NMT_DATASETS_SUBWORD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace nmt::datasets {

namespace internal {
struct SpmModel;
}  // namespace internal

enum class SubwordType { kUnigram, kBpe };

struct SubwordTrainOptions {
  int vocab_size = 8000;
  SubwordType type = SubwordType::kUnigram;
  // Fraction of characters the model must cover; 1.0 suits Latin scripts.
  double character_coverage = 1.0;
  int num_threads = 2;
  // SentencePiece logs its training (pages of trainer_interface.cc lines on stderr);
  // only with verbose. Its errors come back as the returned Status either way.
  bool verbose = false;
};

// Trains on `text_path` (one sentence per line) and writes model_prefix + ".model" and
// ".vocab". Errors carry SentencePiece's message.
absl::Status TrainSubwordModel(const std::string& text_path, const std::string& model_prefix,
                               const SubwordTrainOptions& options);

class SubwordModel {
 public:
  // InvalidArgument for a file SentencePiece cannot load, and for a model whose pad, eos
  // and unk ids are not special_ids.h's (one not trained by TrainSubwordModel).
  static absl::StatusOr<SubwordModel> Load(const std::string& model_path);

  int32_t size() const;
  absl::StatusOr<std::vector<std::string>> Encode(absl::string_view text) const;
  // Piece ids followed by kEosId, like Vocabulary::Encode.
  absl::StatusOr<std::vector<int32_t>> EncodeIds(absl::string_view text) const;
  absl::StatusOr<std::string> Decode(absl::Span<const std::string> pieces) const;
  // Stops at the first kEosId and skips kPadId, like Vocabulary::Decode.
  absl::StatusOr<std::string> DecodeIds(absl::Span<const int32_t> ids) const;

 private:
  explicit SubwordModel(std::shared_ptr<const internal::SpmModel> model);
  std::shared_ptr<const internal::SpmModel> model_;
};

}  // namespace nmt::datasets

#endif  // NMT_DATASETS_SUBWORD_H_
