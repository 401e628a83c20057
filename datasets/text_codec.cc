#include "datasets/text_codec.h"

#include <cstdio>
#include <fstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "datasets/special_ids.h"
#include "datasets/subword.h"
#include "datasets/vocabulary.h"

namespace nmt::datasets {
namespace {

std::string WordsPath(const std::string& prefix) { return prefix + ".words"; }
std::string SubwordPrefix(const std::string& prefix) { return prefix + ".spm"; }

bool Exists(const std::string& path) { return std::ifstream(path).good(); }

class WordCodec : public TextCodec {
 public:
  WordCodec(Vocabulary vocabulary, Language language) : vocabulary_(std::move(vocabulary)), language_(language) {}

  int32_t size() const override { return vocabulary_.size(); }
  std::vector<int32_t> Encode(absl::string_view text) const override {
    return vocabulary_.Encode(Tokenize(text, language_));
  }
  std::string Decode(absl::Span<const int32_t> ids) const override { return Detokenize(vocabulary_.Decode(ids)); }
  std::vector<std::string> Labels(absl::Span<const int32_t> ids) const override {
    std::vector<std::string> labels;
    for (int32_t id : ids) labels.push_back(vocabulary_.Token(id));
    return labels;
  }

 private:
  Vocabulary vocabulary_;
  Language language_;
};

class SubwordCodec : public TextCodec {
 public:
  explicit SubwordCodec(SubwordModel model) : model_(std::move(model)) {}

  int32_t size() const override { return model_.size(); }
  std::vector<int32_t> Encode(absl::string_view text) const override {
    absl::StatusOr<std::vector<int32_t>> ids = model_.EncodeIds(text);
    return ids.ok() ? *std::move(ids) : std::vector<int32_t>{kEosId};
  }
  std::string Decode(absl::Span<const int32_t> ids) const override {
    std::vector<int32_t> words;
    for (int32_t id : ids) {
      if (id == kEosId) break;
      if (id != kPadId) words.push_back(id);
    }
    absl::StatusOr<std::string> text = model_.DecodeIds(words);
    return text.ok() ? *std::move(text) : std::string();
  }
  std::vector<std::string> Labels(absl::Span<const int32_t> ids) const override {
    std::vector<std::string> labels;
    for (int32_t id : ids) {
      if (id == kEosId) {
        labels.push_back(kEosToken);
        continue;
      }
      absl::StatusOr<std::string> piece = model_.DecodeIds(std::vector<int32_t>{id});
      labels.push_back(piece.ok() && !piece->empty() ? *piece : std::string("·"));
    }
    return labels;
  }

 private:
  SubwordModel model_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<TextCodec>> TextCodec::Build(const std::vector<std::string>& sentences,
                                                            const TextCodecOptions& options,
                                                            const std::string& path_prefix) {
  if (sentences.empty()) return absl::InvalidArgumentError("TextCodec::Build: no training sentences");
  if (options.vocab_size <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("vocabulary size must be positive, got ", options.vocab_size));
  }
  if (options.kind == TextCodecOptions::Kind::kWords) {
    TokenCounts counts;
    for (const std::string& s : sentences) CountTokens(Tokenize(s, options.language), counts);
    Vocabulary vocabulary = Vocabulary::Build(counts, options.vocab_size);
    if (absl::Status s = vocabulary.Save(WordsPath(path_prefix)); !s.ok()) return s;
    return std::make_unique<WordCodec>(std::move(vocabulary), options.language);
  }
  // SentencePiece trains from a file: the sentences go to one next to the model.
  const std::string text_path = path_prefix + ".spm.train.txt";
  {
    std::ofstream out(text_path);
    for (const std::string& s : sentences) out << s << '\n';
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", text_path));
  }
  SubwordTrainOptions train;
  train.vocab_size = options.vocab_size;
  // One thread: the same text must give the same pieces in every run (a resumed or
  // repeated run compares bit for bit).
  train.num_threads = 1;
  absl::Status trained = TrainSubwordModel(text_path, SubwordPrefix(path_prefix), train);
  std::remove(text_path.c_str());
  if (!trained.ok()) return trained;
  absl::StatusOr<SubwordModel> model = SubwordModel::Load(SubwordPrefix(path_prefix) + ".model");
  if (!model.ok()) return model.status();
  return std::make_unique<SubwordCodec>(*std::move(model));
}

absl::StatusOr<std::unique_ptr<TextCodec>> TextCodec::Load(const std::string& path_prefix, Language language) {
  if (Exists(WordsPath(path_prefix))) {
    absl::StatusOr<Vocabulary> vocabulary = Vocabulary::Load(WordsPath(path_prefix));
    if (!vocabulary.ok()) return vocabulary.status();
    return std::make_unique<WordCodec>(*std::move(vocabulary), language);
  }
  const std::string model_path = SubwordPrefix(path_prefix) + ".model";
  if (Exists(model_path)) {
    absl::StatusOr<SubwordModel> model = SubwordModel::Load(model_path);
    if (!model.ok()) return model.status();
    return std::make_unique<SubwordCodec>(*std::move(model));
  }
  return absl::NotFoundError(absl::StrCat("no vocabulary at ", WordsPath(path_prefix), " or ", model_path));
}

}  // namespace nmt::datasets
