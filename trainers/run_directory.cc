#include "trainers/run_directory.h"

#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "datasets/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "trainers/train_config.h"

namespace nmt::trainers {
namespace {

bool Exists(const std::string& path) { return std::ifstream(path).good(); }

absl::StatusOr<std::unique_ptr<datasets::TextCodec>> BuildCodec(const std::vector<std::string>& sentences,
                                                                DataConfig::Vocabulary vocabulary,
                                                                const std::string& language, int size,
                                                                const std::string& prefix) {
  datasets::TextCodecOptions options;
  options.kind = vocabulary == DataConfig::SUBWORDS ? datasets::TextCodecOptions::Kind::kSubwords
                                                    : datasets::TextCodecOptions::Kind::kWords;
  options.language = datasets::LanguageFromCode(language);
  options.vocab_size = size;
  return datasets::TextCodec::Build(sentences, options, prefix);
}

}  // namespace

bool RunDirectory::HasCheckpoint() const { return Exists(checkpoint()); }

std::string RunDirectory::FinalCheckpoint() const { return Exists(best()) ? best() : checkpoint(); }

absl::StatusOr<TrainConfig> ReadRunConfig(const RunDirectory& run) {
  absl::StatusOr<std::string> text = ReadFileToString(run.config());
  if (!text.ok()) return text.status();
  return ParseTrainConfig(*text, run.config());
}

absl::Status WriteRunConfig(const RunDirectory& run, const TrainConfig& config) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(config, &text);
  return WriteFileAtomically(run.config(), text);
}

absl::StatusOr<Codecs> LoadCodecs(const RunDirectory& run, const DataConfig& data) {
  Codecs codecs;
  absl::StatusOr<std::unique_ptr<datasets::TextCodec>> source =
      datasets::TextCodec::Load(run.source_vocabulary(), datasets::LanguageFromCode(data.src_lang()));
  if (!source.ok()) return source.status();
  absl::StatusOr<std::unique_ptr<datasets::TextCodec>> target =
      datasets::TextCodec::Load(run.target_vocabulary(), datasets::LanguageFromCode(data.tgt_lang()));
  if (!target.ok()) return target.status();
  codecs.source = *std::move(source);
  codecs.target = *std::move(target);
  return codecs;
}

absl::StatusOr<Codecs> BuildCodecs(const RunDirectory& run, const DataConfig& data,
                                   const std::vector<std::string>& source_sentences,
                                   const std::vector<std::string>& target_sentences) {
  Codecs codecs;
  absl::StatusOr<std::unique_ptr<datasets::TextCodec>> source =
      BuildCodec(source_sentences, data.vocabulary(), data.src_lang(), data.src_vocab_size(), run.source_vocabulary());
  if (!source.ok()) return source.status();
  absl::StatusOr<std::unique_ptr<datasets::TextCodec>> target =
      BuildCodec(target_sentences, data.vocabulary(), data.tgt_lang(), data.tgt_vocab_size(), run.target_vocabulary());
  if (!target.ok()) return target.status();
  codecs.source = *std::move(source);
  codecs.target = *std::move(target);
  return codecs;
}

}  // namespace nmt::trainers
