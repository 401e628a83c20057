// Trainer: the training loop of the main job (PAPER.md §2, Appendix B), from a
// TrainConfig to a trained model in a run directory.
//
//   absl::StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(config);
//   absl::Status status = (*trainer)->Train();      // resumes if run_dir has a checkpoint
//   models::Seq2Seq& model = (*trainer)->model();   // the best dev parameters after Train
//
// Each step: a length-sorted batch, the teacher-forced loss (Σ −log p / batch
// size), Backward, the global norm clipped to max_grad_norm, then the optimizer.
// A step whose norm is NaN or Inf is reported and skipped (its gradient is
// dropped; the paper's code replaced it with 0.1·p instead). Every
// `validate_every` steps the dev loss per target token is measured; the best
// parameters are kept in best.ckpt and training stops after `patience`
// validations without improvement. A checkpoint (parameters, optimizer slots,
// batcher position, progress) is written atomically every `checkpoint_every`
// steps or `checkpoint_minutes`, and Train() on a run_dir holding one continues
// exactly where it stopped: the same batches, the same updates, bit for bit.
//
// Run directory: config.textproto, vocab.src.*, vocab.tgt.*, checkpoint.ckpt,
// best.ckpt, train_log.csv (a row every 100 steps, per validation, and at the end;
// train loss is the running mean per target token since the previous validation).
#ifndef NMT_TRAINERS_TRAINER_H_
#define NMT_TRAINERS_TRAINER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "datasets/batcher.h"
#include "datasets/text_codec.h"
#include "models/seq2seq.h"
#include "ops/kernels/cpu/cpu_context.h"
#include "trainers/checkpoint.pb.h"
#include "trainers/optimizer.h"
#include "trainers/train_config.pb.h"

namespace nmt {

// The six files of a run: explicit paths win over corpus_dir/{split}.{lang}.
struct DataFiles {
  std::string train_src, train_tgt, dev_src, dev_tgt, test_src, test_tgt;
};
DataFiles ResolveDataFiles(const DataConfig& data);

// The defaults of the main job: RNNsearch sized for ~15 minutes on 2 CPU cores.
TrainConfig DefaultTrainConfig();

// Reads a checkpoint file (strictly: a corrupt file, another format version or a
// model config other than `model`'s is an error naming the file).
absl::StatusOr<Checkpoint> ReadCheckpoint(const std::string& path, const models::ModelConfig& expected);
// Copies the checkpoint's parameters into `model`, reporting every missing,
// unexpected or misshapen name at once.
absl::Status LoadModelParameters(const Checkpoint& checkpoint, const std::string& path, models::Seq2Seq& model);

class Trainer {
 public:
  static absl::StatusOr<std::unique_ptr<Trainer>> Create(const TrainConfig& config);

  // Trains until a limit of the config, then loads the best dev parameters.
  absl::Status Train();

  const TrainConfig& config() const { return config_; }
  models::Seq2Seq& model() { return *model_; }
  CpuContext& context() { return context_; }
  const datasets::TextCodec& src_codec() const { return *src_codec_; }
  const datasets::TextCodec& tgt_codec() const { return *tgt_codec_; }
  const TrainingProgress& progress() const { return progress_; }
  // Mean target tokens per second over the steps of this process.
  double tokens_per_second() const;

  // Mean −log p per real target token over `examples` (no gradients).
  double DevLoss(const std::vector<datasets::Example>& examples);

  const std::string& checkpoint_path() const { return checkpoint_path_; }
  const std::string& best_path() const { return best_path_; }

 private:
  explicit Trainer(const TrainConfig& config);
  absl::Status Prepare();
  absl::Status SaveCheckpoint(const std::string& path);
  absl::Status LoadCheckpoint(const std::string& path, bool parameters_only);
  void Log(const std::string& kind, double loss, double dev_loss);

  TrainConfig config_;
  CpuContext context_;
  std::unique_ptr<datasets::TextCodec> src_codec_;
  std::unique_ptr<datasets::TextCodec> tgt_codec_;
  std::vector<datasets::Example> dev_;
  std::unique_ptr<datasets::TrainingBatcher> batcher_;
  std::unique_ptr<models::Seq2Seq> model_;
  std::unique_ptr<Optimizer> optimizer_;
  TrainingProgress progress_;
  int validations_without_improvement_ = 0;
  std::string checkpoint_path_, best_path_, log_path_;
  double session_seconds_ = 0.0;
  int64_t session_tokens_ = 0;
};

}  // namespace nmt

#endif  // NMT_TRAINERS_TRAINER_H_
