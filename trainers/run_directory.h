// A run directory: the files the trainer writes there and how the tools reopen them.
//
//   RunDirectory run("runs/default");
//   run.checkpoint();                                         // runs/default/checkpoint.ckpt
//   absl::StatusOr<TrainConfig> config = ReadRunConfig(run);  // config.textproto
//   absl::StatusOr<Codecs> codecs = LoadCodecs(run, config->data());
//
// Layout: config.textproto (the full TrainConfig in text format), vocab.src.* and
// vocab.tgt.* (datasets/text_codec.h), checkpoint.ckpt (the latest), best.ckpt (the
// best dev score), train_log.csv, eval/ (test translations, BLEU, plots).
#ifndef NMT_TRAINERS_RUN_DIRECTORY_H_
#define NMT_TRAINERS_RUN_DIRECTORY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "datasets/text_codec.h"
#include "trainers/train_config.pb.h"

namespace nmt::trainers {

class RunDirectory {
 public:
  explicit RunDirectory(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }
  std::string config() const { return dir_ + "/config.textproto"; }
  std::string source_vocabulary() const { return dir_ + "/vocab.src"; }  // a path prefix
  std::string target_vocabulary() const { return dir_ + "/vocab.tgt"; }
  std::string checkpoint() const { return dir_ + "/checkpoint.ckpt"; }
  std::string best() const { return dir_ + "/best.ckpt"; }
  std::string train_log() const { return dir_ + "/train_log.csv"; }
  std::string eval() const { return dir_ + "/eval"; }

  bool HasCheckpoint() const;
  // The model to translate with: best.ckpt if there is one, else checkpoint.ckpt.
  std::string FinalCheckpoint() const;

 private:
  std::string dir_;
};

absl::StatusOr<TrainConfig> ReadRunConfig(const RunDirectory& run);
absl::Status WriteRunConfig(const RunDirectory& run, const TrainConfig& config);

// Both sides' text codecs.
struct Codecs {
  std::unique_ptr<datasets::TextCodec> source;
  std::unique_ptr<datasets::TextCodec> target;
};

// The codecs a run built (a resumed run and the translator must see exactly its ids).
absl::StatusOr<Codecs> LoadCodecs(const RunDirectory& run, const DataConfig& data);

// Builds both codecs from the training text as `data` asks and saves them in the run.
absl::StatusOr<Codecs> BuildCodecs(const RunDirectory& run, const DataConfig& data,
                                   const std::vector<std::string>& source_sentences,
                                   const std::vector<std::string>& target_sentences);

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_RUN_DIRECTORY_H_
