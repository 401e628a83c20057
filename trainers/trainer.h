// Trainer: the training loop of the main job (the paper's Sec. 4.2 and Appendix B), from a
// TrainConfig to a trained model in a run directory (trainers/run_directory.h).
//
//   absl::StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(config);
//   absl::Status status = (*trainer)->Train();      // resumes if run_dir has a checkpoint
//   models::Model& model = (*trainer)->model();   // the best dev parameters after Train
//
// Before anything is built, fields the config leaves unset (vocabulary sizes, dropout
// rates, label smoothing) are filled from the training corpus (ApplyCorpusDefaults,
// train_config.h) and the recipe is printed. Each step is a training pass (dropout
// masks from DropoutSeed(seed, step), the config's label smoothing); validation is an
// evaluation pass (no dropout, plain −log p).
//
// Each step is trainers/train_step.h's TrainStep on the next length-sorted batch: a
// step whose norm or loss is NaN or Inf is skipped, moving nothing (the paper's code
// replaced it with 0.1·p instead), and reported on stderr and as a `skipped` row of
// train_log.csv naming the step and the first parameter whose gradient is not finite.
// No checkpoint is written while skipped steps follow one another, and after
// `max_consecutive_skipped_steps` of them (10 when unset) Train() fails with Aborted,
// leaving the checkpoint from before them. Every `validate_every` steps the dev loss per
// target token is measured, and with dev_bleu_sentences > 0 the dev BLEU of that many
// dev sentences, decoded greedily (or with dev_bleu_beam) and scored as sacreBLEU does
// (metrics/bleu.h); the best parameters by `valid_metric` (loss or BLEU) are kept in
// best.ckpt, training stops after `patience` validations without improvement of it, and
// the learning-rate schedule (lr_schedule.h) decays on its plateau. A checkpoint (parameters,
// optimizer slots, batcher position, progress) is written atomically every
// `checkpoint_every` steps or `checkpoint_minutes`, and Train() on a run_dir holding
// one continues exactly where it stopped: the same batches, the same updates, bit for
// bit. train_log.csv gets a row every 100 steps, per validation, per skipped step and at
// the end; its train loss is the running mean per target token since the previous
// validation. Its columns are named in its first line (kTrainLogHeader); the log of a
// run from an older build, with fewer columns, is rewritten to the current columns
// (the missing ones empty) when the run resumes.
//
// Data parallelism (DISTRIBUTED.md): created with a Communicator of several ranks, one
// Trainer per process trains one replica. Every rank builds the same batches (same data,
// same seed), trains on its rows of each and sums gradients with the others
// (train_step.h), so the run takes the steps one process would take on the same global
// batches, up to the order of float additions. Validation is sharded and summed, so
// every rank takes the same keep-best and patience decisions, and every rank stops at
// rank 0's clock. Rank 0 alone writes the run directory (codecs, config, checkpoints,
// log) and prints progress; the others wait at a barrier, then read what it wrote, so
// the run directory must be on a file system every rank sees. Resuming, every rank
// reads the same checkpoint and continues from the same data position.
#ifndef NMT_TRAINERS_TRAINER_H_
#define NMT_TRAINERS_TRAINER_H_

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "autograd/tape.h"
#include "datasets/batcher.h"
#include "datasets/parallel_corpus.h"
#include "datasets/text_codec.h"
#include "models/model.h"
#include "trainers/checkpoint.pb.h"
#include "trainers/communicator.h"
#include "trainers/gradient_allreduce.h"
#include "trainers/lr_schedule.h"
#include "trainers/optimizer.h"
#include "trainers/run_directory.h"
#include "trainers/thread_governor.h"
#include "trainers/train_config.h"
#include "trainers/train_config.pb.h"

namespace nmt::trainers {

// TrainConfig.max_consecutive_skipped_steps when unset.
inline constexpr int kDefaultMaxConsecutiveSkippedSteps = 10;

// The columns of train_log.csv. learning_rate is the rate in force after the row's step
// (the next step's); dev_bleu is empty where no dev BLEU was measured.
inline constexpr char kTrainLogHeader[] =
    "kind,step,epoch,elapsed_s,train_loss_per_token,dev_loss_per_token,dev_bleu,learning_rate,target_tokens_per_s,"
    "detail";

// Rewrites the train_log.csv at `path` (if any) whose columns differ from
// kTrainLogHeader's: each row's values go to the columns of the same name, columns it
// lacks are left empty, columns the header does not know are dropped. Atomic.
absl::Status UpgradeTrainLog(const std::string& path);

// The sentence pairs a run trains and validates on, as raw text.
struct TrainingData {
  std::vector<datasets::SentencePair> train;
  std::vector<datasets::SentencePair> dev;
};

// Reads the training and dev files that `config.data()` names (plain or gzip).
absl::StatusOr<TrainingData> ReadTrainingData(const TrainConfig& config);

// What the corpus-fitted defaults read of the training pairs (train_config.h).
CorpusStats CorpusStatsOf(const std::vector<datasets::SentencePair>& train);

// The seed of step `step`'s dropout masks: a function of the run's seed and the step
// alone, so a resumed run draws the masks an uninterrupted one would.
uint64_t DropoutSeed(uint64_t run_seed, int64_t step);

class Trainer {
 public:
  // Reads the data files of `config`. Trains on `context`'s device (made by
  // nmt::CreateDeviceContext from --device and config.threads()), which must outlive
  // the trainer.
  static absl::StatusOr<std::unique_ptr<Trainer>> Create(const TrainConfig& config, DeviceContext& context);
  // Trains on `data` held in memory; `config`'s file names are not read.
  static absl::StatusOr<std::unique_ptr<Trainer>> Create(const TrainConfig& config, const TrainingData& data,
                                                         DeviceContext& context);
  // One rank of a data-parallel run (one process: OneProcess(), as above). Every rank
  // passes the same config and data. `communicator` must outlive the trainer.
  static absl::StatusOr<std::unique_ptr<Trainer>> Create(const TrainConfig& config, Communicator& communicator,
                                                         DeviceContext& context);
  static absl::StatusOr<std::unique_ptr<Trainer>> Create(const TrainConfig& config, const TrainingData& data,
                                                         Communicator& communicator, DeviceContext& context);

  // Trains until a limit of the config, then loads the best dev parameters.
  absl::Status Train();

  const TrainConfig& config() const { return config_; }
  const RunDirectory& run() const { return run_; }
  models::Model& model() { return *model_; }
  const Optimizer& optimizer() const { return *optimizer_; }
  DeviceContext& context() { return context_; }
  const datasets::TextCodec& src_codec() const { return *codecs_.source; }
  const datasets::TextCodec& tgt_codec() const { return *codecs_.target; }
  const TrainingProgress& progress() const { return progress_; }
  // Mean target tokens per second over the steps of this process.
  double tokens_per_second() const;

  // Mean −log p per real target token over `examples` (no gradients). With several
  // ranks every rank must call it: each takes every size()-th batch and the sums are
  // all-reduced (a failed all-reduce is fatal here; the loop's validation returns it).
  double DevLoss(const std::vector<datasets::Example>& examples);

  // Corpus BLEU (sacreBLEU's) of the model's translations of `sources` (ids, EOS
  // included) against `references` (raw text), decoded as dev BLEU is (dev_bleu_beam
  // and the config's decoding options). Sharded over the ranks like DevLoss; every
  // rank must call it.
  absl::StatusOr<double> DevBleu(const std::vector<std::vector<int32_t>>& sources,
                                 const std::vector<std::string>& references);

 private:
  using Clock = std::chrono::steady_clock;

  Trainer(const TrainConfig& config, Communicator& communicator, DeviceContext& context);
  absl::Status Prepare(const TrainingData& data);
  absl::Status PrepareCodecs(const std::vector<datasets::SentencePair>& train, bool resuming);
  absl::Status PrepareBatches(const TrainingData& data);
  absl::Status PrepareModel();

  // Rank 0 writes the run directory and prints.
  bool lead() const { return comm_.rank() == 0; }
  absl::StatusOr<double> ShardedDevLoss(const std::vector<datasets::Example>& examples);
  // Every rank takes rank 0's elapsed time, so that all stop at the same step.
  absl::Status ShareElapsedTime();
  // Internal error on a rank whose parameters or data position are not rank 0's.
  absl::Status CheckReplicasAgree();

  bool BudgetSpent() const;
  absl::Status Step(const datasets::Batch& batch);
  // Counts and reports a step TrainStep skipped; its grads are still in place.
  void ReportSkippedStep(float loss, double grad_norm, double loss_per_token);
  // An error once max_consecutive_skipped_steps steps in a row were skipped.
  absl::Status CheckSkippedSteps() const;
  int MaxConsecutiveSkippedSteps() const;
  void ReportProgress();
  // Validates when due; sets `stop` when patience has run out.
  absl::Status MaybeValidate(bool& stop);
  // "nll_per_token" or "bleu": the name progress().dev_metric() records.
  std::string ValidMetricName() const;
  bool ValidatesByBleu() const;
  // A best dev score recorded under another metric than the config's is forgotten.
  void ForgetBestOfAnotherMetric();
  // Sets the optimizer's lr scale for the next step from the schedule.
  void ScheduleLearningRate();
  // The learning rate the next step will take.
  double NextLearningRate() const;
  absl::Status MaybeCheckpoint();
  // The last checkpoint, then the best dev parameters into the model.
  absl::Status Finish();

  absl::Status SaveCheckpoint(const std::string& path);
  absl::Status LoadCheckpoint(const std::string& path, bool parameters_only);
  // A row of train_log.csv; `detail` (no commas) says why a step was skipped.
  void Log(const std::string& kind, double loss, double dev_loss, std::optional<double> dev_bleu = std::nullopt,
           const std::string& detail = "");
  double WindowLoss() const { return window_tokens_ ? window_nll_ / window_tokens_ : 0.0; }

  TrainConfig config_;
  Communicator& comm_;
  GradientAllReducer reducer_;
  RunDirectory run_;
  DeviceContext& context_;
  Tape tape_;  // the training steps'
  Codecs codecs_;
  std::vector<datasets::Example> dev_;
  // The dev sentences dev BLEU translates (the first dev_bleu_sentences of dev_) and
  // their raw references.
  std::vector<std::vector<int32_t>> dev_bleu_sources_;
  std::vector<std::string> dev_bleu_references_;
  LrSchedule schedule_;
  std::unique_ptr<datasets::TrainingBatcher> batcher_;
  std::unique_ptr<models::Model> model_;
  std::vector<int64_t> target_counts_;  // of every target id in the training targets, for InitializeOutputPrior
  std::unique_ptr<Optimizer> optimizer_;
  // Set when config_.adapt_threads: fewer threads while other processes hold cores.
  std::unique_ptr<ThreadGovernor> thread_governor_;
  TrainingProgress progress_;
  // The step of the checkpoint at run_.checkpoint() (-1: none yet).
  int64_t checkpoint_step_ = -1;
  // A checkpoint fell due while steps were being skipped: it is written after the
  // next applied step.
  bool checkpoint_pending_ = false;
  // The skipped steps just before this one, and why the last one was skipped. Not in
  // the checkpoint: none is written while steps are being skipped (but Finish's).
  int64_t consecutive_skipped_ = 0;
  std::string last_skip_cause_;

  // This process's session: its clocks, and the training loss since the last validation.
  Clock::time_point session_start_, last_checkpoint_, last_report_;
  double elapsed_before_session_ = 0.0;
  int64_t steps_before_session_ = 0;
  double session_seconds_ = 0.0;
  int64_t session_tokens_ = 0;
  double window_nll_ = 0.0;
  int64_t window_tokens_ = 0;
  // The last validation's figures, for the progress line (NaN: none yet).
  double last_dev_loss_ = std::numeric_limits<double>::quiet_NaN();
  std::optional<double> last_dev_bleu_;
};

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_TRAINER_H_
