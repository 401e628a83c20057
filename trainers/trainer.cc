#include "trainers/trainer.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/atomic_file.h"
#include "base/check.h"
#include "base/fnv1a.h"
#include "base/random.h"
#include "metrics/bleu.h"
#include "models/registry.h"
#include "models/search.h"
#include "ops/backend.h"
#include "trainers/checkpoint.h"
#include "trainers/clip.h"
#include "trainers/optimizer_checkpoint.h"
#include "trainers/train_config.h"
#include "trainers/train_step.h"

namespace nmt::trainers {
namespace {

// Steps between the training log's progress rows.
constexpr int64_t kLogEvery = 100;

double SecondsSince(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::vector<datasets::Example> Encode(const std::vector<datasets::SentencePair>& pairs, const datasets::TextCodec& src,
                                      const datasets::TextCodec& tgt) {
  std::vector<datasets::Example> examples;
  examples.reserve(pairs.size());
  for (const datasets::SentencePair& pair : pairs) {
    examples.push_back({src.Encode(pair.source), tgt.Encode(pair.target)});
  }
  return examples;
}

std::string FormatDuration(double seconds) {
  const int s = static_cast<int>(seconds);
  return absl::StrFormat("%d:%02d", s / 60, s % 60);
}

// %g, but NaN whatever its sign bit ("-nan" reads as if the sign meant something).
std::string FormatNumber(double x) { return std::isnan(x) ? "nan" : absl::StrFormat("%g", x); }

// A process killed while writing a file atomically (SIGKILL, a power cut) leaves the
// writer's temporary file behind. The run directory is this trainer's alone, so on start
// the temporaries of every file it writes that way go, and each is named on stderr.
absl::Status RemoveStaleTemporaries(const RunDirectory& run) {
  std::vector<std::string> removed;
  for (const std::string& checkpoint : {run.checkpoint(), run.best()}) {
    absl::StatusOr<std::vector<std::string>> stale = RemoveStaleCheckpointTemporaries(checkpoint);
    if (!stale.ok()) return stale.status();
    removed.insert(removed.end(), stale->begin(), stale->end());
  }
  // The word vocabularies are "<prefix>.words" (datasets/text_codec.h).
  for (const std::string& file :
       {run.config(), run.source_vocabulary() + ".words", run.target_vocabulary() + ".words"}) {
    absl::StatusOr<std::vector<std::string>> stale = nmt::RemoveStaleTemporaries(file);
    if (!stale.ok()) return stale.status();
    removed.insert(removed.end(), stale->begin(), stale->end());
  }
  for (const std::string& path : removed) {
    std::fprintf(stderr, "removed %s, left by a run killed while writing it\n", path.c_str());
  }
  return absl::OkStatus();
}

// Sentences dev BLEU decodes at a time with greedy search, and with beam search.
constexpr size_t kDevBleuGreedyBatch = 64;
constexpr size_t kDevBleuBeamBatch = 16;

// metrics::BleuStats as the doubles an all-reduce sums, and back.
constexpr int kBleuStatValues = 2 + 2 * metrics::kBleuMaxOrder;
void AddBleuStats(const metrics::BleuStats& stats, double* sums) {
  sums[0] += stats.hyp_len;
  sums[1] += stats.ref_len;
  for (int n = 0; n < metrics::kBleuMaxOrder; ++n) {
    sums[2 + n] += stats.correct[n];
    sums[2 + metrics::kBleuMaxOrder + n] += stats.total[n];
  }
}
metrics::BleuStats BleuStatsFromSums(const double* sums) {
  metrics::BleuStats stats;
  stats.hyp_len = std::llround(sums[0]);
  stats.ref_len = std::llround(sums[1]);
  for (int n = 0; n < metrics::kBleuMaxOrder; ++n) {
    stats.correct[n] = std::llround(sums[2 + n]);
    stats.total[n] = std::llround(sums[2 + metrics::kBleuMaxOrder + n]);
  }
  return stats;
}

}  // namespace

absl::Status UpgradeTrainLog(const std::string& path) {
  std::ifstream in(path);
  if (!in.good()) return absl::OkStatus();
  std::string header;
  if (!std::getline(in, header) || header == kTrainLogHeader) return absl::OkStatus();
  const std::vector<std::string> old_columns = absl::StrSplit(header, ',');
  const std::vector<std::string> new_columns = absl::StrSplit(kTrainLogHeader, ',');
  std::string text = absl::StrCat(kTrainLogHeader, "\n");
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    // Only `detail`, the last column, may be cut short by a comma in older logs' text.
    const std::vector<std::string> values = absl::StrSplit(line, absl::MaxSplits(',', old_columns.size() - 1));
    std::vector<std::string> row(new_columns.size());
    for (size_t i = 0; i < old_columns.size() && i < values.size(); ++i) {
      const auto at = std::find(new_columns.begin(), new_columns.end(), old_columns[i]);
      if (at != new_columns.end()) row[at - new_columns.begin()] = values[i];
    }
    absl::StrAppend(&text, absl::StrJoin(row, ","), "\n");
  }
  return WriteFileAtomically(path, text);
}

absl::StatusOr<TrainingData> ReadTrainingData(const TrainConfig& config) {
  const DataFiles files = ResolveDataFiles(config.data());
  absl::StatusOr<datasets::ParallelCorpus> train = datasets::ReadParallelFiles(files.train_src, files.train_tgt);
  if (!train.ok()) return train.status();
  absl::StatusOr<datasets::ParallelCorpus> dev = datasets::ReadParallelFiles(files.dev_src, files.dev_tgt);
  if (!dev.ok()) return dev.status();
  return TrainingData{std::move(train->pairs), std::move(dev->pairs)};
}

CorpusStats CorpusStatsOf(const std::vector<datasets::SentencePair>& train) {
  CorpusStats stats;
  stats.pairs = static_cast<int64_t>(train.size());
  std::unordered_set<std::string> source, target;
  for (const datasets::SentencePair& pair : train) {
    for (absl::string_view w : absl::StrSplit(pair.source, ' ', absl::SkipEmpty())) source.emplace(w);
    for (absl::string_view w : absl::StrSplit(pair.target, ' ', absl::SkipEmpty())) target.emplace(w);
  }
  stats.source_words = static_cast<int64_t>(source.size());
  stats.target_words = static_cast<int64_t>(target.size());
  return stats;
}

uint64_t DropoutSeed(uint64_t run_seed, int64_t step) {
  // A stream of its own (the batcher's shuffle also starts from run_seed).
  constexpr uint64_t kDropoutStream = 0x64726f706f7574;  // "dropout"
  return SplitMix64At(SplitMix64At(run_seed, kDropoutStream), static_cast<uint64_t>(step));
}

Trainer::Trainer(const TrainConfig& config, Communicator& communicator, DeviceContext& context)
    : config_(config),
      comm_(communicator),
      reducer_(communicator),
      run_(config.run_dir()),
      context_(context),
      tape_(context_),
      schedule_(LrScheduleFromConfig(config)) {
  // ValidateTrainConfig (in Create, before anything runs) refuses a precision this CPU lacks.
  context_.set_matmul_precision(
      ParseMatmulPrecision(config.precision(), context_.device()).value_or(MatmulPrecision::kF32));
}

absl::StatusOr<std::unique_ptr<Trainer>> Trainer::Create(const TrainConfig& config, DeviceContext& context) {
  return Create(config, OneProcess(), context);
}

absl::StatusOr<std::unique_ptr<Trainer>> Trainer::Create(const TrainConfig& config, const TrainingData& data,
                                                         DeviceContext& context) {
  return Create(config, data, OneProcess(), context);
}

absl::StatusOr<std::unique_ptr<Trainer>> Trainer::Create(const TrainConfig& config, Communicator& communicator,
                                                         DeviceContext& context) {
  absl::StatusOr<TrainingData> data = ReadTrainingData(config);
  if (!data.ok()) return data.status();
  return Create(config, *data, communicator, context);
}

absl::StatusOr<std::unique_ptr<Trainer>> Trainer::Create(const TrainConfig& config, const TrainingData& data,
                                                         Communicator& communicator, DeviceContext& context) {
  if (absl::Status s = ValidateTrainConfig(config); !s.ok()) return s;
  // Validation knows the CPU only; the device in hand may lack the chosen precision.
  if (absl::Status s = ParseMatmulPrecision(config.precision(), context.device()).status(); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid configuration: precision: ", s.message()));
  }
  std::unique_ptr<Trainer> trainer(new Trainer(config, communicator, context));
  if (absl::Status s = trainer->Prepare(data); !s.ok()) return s;
  return trainer;
}

absl::Status Trainer::Prepare(const TrainingData& data) {
  // Every rank reads the same corpus, so every rank chooses the same recipe; a resumed
  // run chooses what its first session did.
  const std::string recipe = ApplyCorpusDefaults(CorpusStatsOf(data.train), config_);
  if (absl::Status s = ValidateTrainConfig(config_); !s.ok()) return s;
  if (lead()) std::fprintf(stderr, "%s\n", recipe.c_str());
  if (lead()) {
    std::filesystem::create_directories(run_.dir());
    if (absl::Status s = RemoveStaleTemporaries(run_); !s.ok()) return s;
    if (absl::Status s = UpgradeTrainLog(run_.train_log()); !s.ok()) return s;
  }
  // Rank 0's view of the run directory decides for every rank.
  bool resuming = run_.HasCheckpoint();
  if (absl::Status s = comm_.Broadcast(AsBytes(resuming), 0); !s.ok()) return s;
  if (absl::Status s = PrepareCodecs(data.train, resuming); !s.ok()) return s;
  if (absl::Status s = PrepareBatches(data); !s.ok()) return s;
  if (absl::Status s = PrepareModel(); !s.ok()) return s;
  if (config_.adapt_threads()) thread_governor_ = std::make_unique<ThreadGovernor>(context_.host_threads());
  if (lead()) {
    if (absl::Status s = WriteRunConfig(run_, config_); !s.ok()) return s;
  }
  if (!resuming) return CheckReplicasAgree();
  absl::Status loaded = LoadCheckpoint(run_.checkpoint(), /*parameters_only=*/false);
  if (loaded.ok()) {
    ForgetBestOfAnotherMetric();
    return CheckReplicasAgree();
  }
  if (loaded.code() == absl::StatusCode::kDataLoss) {
    // Never resume from a damaged file behind the user's back; say what is intact.
    const std::string previous = PreviousCheckpointPath(run_.checkpoint());
    if (absl::StatusOr<Checkpoint> kept = ReadCheckpoint(previous, config_.model()); kept.ok()) {
      return absl::DataLossError(absl::StrCat(loaded.message(), "; the previous checkpoint ", previous, " (step ",
                                              kept->progress().step(), ") is intact: move it over ", run_.checkpoint(),
                                              " to resume from it"));
    }
  }
  return loaded;
}

// Built from the training text once, then reused from the run directory: a resumed run
// must see exactly the same ids. Rank 0 builds them; the others read its files.
absl::Status Trainer::PrepareCodecs(const std::vector<datasets::SentencePair>& train, bool resuming) {
  absl::StatusOr<Codecs> codecs;
  if (!lead()) {
    if (absl::Status s = comm_.Barrier(); !s.ok()) return s;
    codecs = LoadCodecs(run_, config_.data());
    if (!codecs.ok()) {
      return absl::Status(codecs.status().code(),
                          absl::StrCat("rank ", comm_.rank(), " cannot read the codecs rank 0 wrote (", run_.dir(),
                                       " must be on a file system every rank sees): ", codecs.status().message()));
    }
  } else if (resuming) {
    codecs = LoadCodecs(run_, config_.data());
  } else {
    std::vector<std::string> sources, targets;
    sources.reserve(train.size());
    targets.reserve(train.size());
    for (const datasets::SentencePair& pair : train) {
      sources.push_back(pair.source);
      targets.push_back(pair.target);
    }
    codecs = BuildCodecs(run_, config_.data(), sources, targets);
  }
  if (!codecs.ok()) return codecs.status();
  codecs_ = *std::move(codecs);
  return lead() ? comm_.Barrier() : absl::OkStatus();
}

absl::Status Trainer::PrepareBatches(const TrainingData& data) {
  dev_ = Encode(data.dev, *codecs_.source, *codecs_.target);
  if (config_.dev_sentences() > 0 && static_cast<int64_t>(dev_.size()) > config_.dev_sentences()) {
    dev_.resize(config_.dev_sentences());
  }
  const size_t bleu_sentences = std::min<size_t>(dev_.size(), std::max(0, config_.dev_bleu_sentences()));
  for (size_t i = 0; i < bleu_sentences; ++i) {
    // sacreBLEU refuses a segment without a reference; an empty dev target has none.
    if (data.dev[i].target.empty()) continue;
    dev_bleu_sources_.push_back(dev_[i].source);
    dev_bleu_references_.push_back(data.dev[i].target);
  }
  const DataConfig& d = config_.data();
  datasets::BatcherOptions options;
  options.max_source_length = d.max_length();
  options.max_target_length = d.max_length();
  options.batch_size = d.batch_size();
  options.batches_per_chunk = d.batches_per_chunk();
  options.max_target_tokens = d.max_target_tokens();
  options.seed = config_.seed();
  std::vector<datasets::Example> train = Encode(data.train, *codecs_.source, *codecs_.target);
  target_counts_.assign(codecs_.target->size(), 0);
  for (const datasets::Example& example : train) {
    for (int32_t id : example.target) ++target_counts_[id];
  }
  absl::StatusOr<datasets::TrainingBatcher> batcher = datasets::TrainingBatcher::Create(std::move(train), options);
  if (!batcher.ok()) return batcher.status();
  batcher_ = std::make_unique<datasets::TrainingBatcher>(*std::move(batcher));
  return absl::OkStatus();
}

absl::Status Trainer::PrepareModel() {
  config_.mutable_model()->set_src_vocab(codecs_.source->size());
  config_.mutable_model()->set_tgt_vocab(codecs_.target->size());
  absl::StatusOr<std::unique_ptr<models::Model>> model = models::MakeModel(config_.model());
  if (!model.ok()) return model.status();
  model_ = *std::move(model);
  // A resumed run's checkpoint replaces this; every rank counts the same corpus.
  model_->InitializeOutputPrior(target_counts_);
  model_->MoveTo(context_);  // before the optimizer, whose slots go where the parameters are
  absl::StatusOr<std::unique_ptr<Optimizer>> optimizer = MakeOptimizer(config_.optimizer(), model_->NamedParameters());
  if (!optimizer.ok()) return optimizer.status();
  optimizer_ = *std::move(optimizer);
  return absl::OkStatus();
}

absl::Status Trainer::SaveCheckpoint(const std::string& path) {
  absl::StatusOr<Checkpoint> checkpoint =
      MakeCheckpoint(config_.model(), model_->NamedParameters(), *optimizer_, config_.optimizer());
  if (!checkpoint.ok()) return checkpoint.status();
  checkpoint->set_max_grad_norm(config_.max_grad_norm());
  *checkpoint->mutable_progress() = progress_;
  checkpoint->set_data_position(batcher_->State().SerializeAsString());
  if (absl::Status s = WriteCheckpoint(path, *checkpoint); !s.ok()) return s;
  if (path == run_.checkpoint()) checkpoint_step_ = progress_.step();
  return absl::OkStatus();
}

absl::Status Trainer::LoadCheckpoint(const std::string& path, bool parameters_only) {
  absl::StatusOr<Checkpoint> checkpoint = ReadCheckpoint(path, config_.model());
  if (!checkpoint.ok()) return checkpoint.status();
  if (absl::Status s = LoadParameters(*checkpoint, path, model_->NamedParameters()); !s.ok()) return s;
  if (parameters_only) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<Optimizer>> optimizer =
      RestoreOptimizer(checkpoint->optimizer(), model_->NamedParameters());
  if (!optimizer.ok()) return optimizer.status();
  optimizer_ = *std::move(optimizer);
  datasets::BatcherState state;
  if (!state.ParseFromString(checkpoint->data_position())) {
    return absl::DataLossError(absl::StrCat(path, ": unreadable data position"));
  }
  if (absl::Status s = batcher_->Restore(state); !s.ok()) return s;
  progress_ = checkpoint->progress();
  checkpoint_step_ = progress_.step();
  return absl::OkStatus();
}

double Trainer::DevLoss(const std::vector<datasets::Example>& examples) {
  absl::StatusOr<double> loss = ShardedDevLoss(examples);
  NMT_CHECK(loss.ok()) << "DevLoss: " << loss.status().message();
  return *loss;
}

absl::StatusOr<double> Trainer::ShardedDevLoss(const std::vector<datasets::Example>& examples) {
  datasets::SequentialBatcher batcher(examples, config_.data().batch_size());
  Tape tape(context_);
  NoGradScope no_grad;
  double sums[2] = {0, 0};  // Σ −log p, real target tokens
  for (int64_t index = 0; std::optional<datasets::Batch> batch = batcher.Next(); ++index) {
    if (index % comm_.size() != comm_.rank()) continue;
    TapeScope scope(tape);
    const models::ForwardResult out = model_->Forward(*batch);
    sums[0] += static_cast<double>(out.loss.value().ToHost().item()) * batch->batch_size;
    sums[1] += static_cast<double>(batch->num_target_tokens());
    tape.Reset();
  }
  if (absl::Status s = comm_.AllReduceSum(absl::MakeSpan(sums)); !s.ok()) return s;
  return sums[1] > 0 ? sums[0] / sums[1] : 0.0;
}

absl::StatusOr<double> Trainer::DevBleu(const std::vector<std::vector<int32_t>>& sources,
                                        const std::vector<std::string>& references) {
  NMT_CHECK(sources.size() == references.size())
      << sources.size() << " sources, " << references.size() << " references";
  models::SearchOptions search;
  search.beam_size = config_.has_dev_bleu_beam() ? config_.dev_bleu_beam() : 1;
  search.length_norm = config_.length_norm();
  search.length_penalty = config_.length_penalty();
  search.coverage_penalty = config_.coverage_penalty();
  search.max_len_factor = static_cast<float>(config_.max_len_factor());
  double sums[kBleuStatValues] = {};
  // Each rank decodes every size()-th unit of work (a batch of sentences).
  auto add = [&](size_t sentence, const models::Hypothesis& best) {
    const std::string hypothesis = codecs_.target->Decode(best.ids);
    AddBleuStats(metrics::SegmentStats(hypothesis, absl::MakeConstSpan(&references[sentence], 1)), sums);
  };
  const size_t unit = search.beam_size > 1 ? kDevBleuBeamBatch : kDevBleuGreedyBatch;
  for (size_t begin = 0, index = 0; begin < sources.size(); begin += unit, ++index) {
    if (static_cast<int>(index % comm_.size()) != comm_.rank()) continue;
    const size_t end = std::min(sources.size(), begin + unit);
    const std::vector<std::vector<int32_t>> batch(sources.begin() + begin, sources.begin() + end);
    if (search.beam_size > 1) {
      const std::vector<std::vector<models::Hypothesis>> nbest =
          models::BatchBeamSearch(*model_, context_, datasets::MakeBatch(batch, {}), search);
      for (size_t i = begin; i < end; ++i) add(i, nbest[i - begin].front());
      continue;
    }
    const std::vector<models::Hypothesis> best =
        models::GreedySearch(*model_, context_, datasets::MakeBatch(batch, {}), search);
    for (size_t i = begin; i < end; ++i) add(i, best[i - begin]);
  }
  if (absl::Status s = comm_.AllReduceSum(absl::MakeSpan(sums)); !s.ok()) return s;
  return metrics::ScoreFromStats(BleuStatsFromSums(sums)).score;
}

bool Trainer::ValidatesByBleu() const { return config_.valid_metric() == TrainConfig::BLEU; }

std::string Trainer::ValidMetricName() const { return ValidatesByBleu() ? "bleu" : "nll_per_token"; }

void Trainer::ForgetBestOfAnotherMetric() {
  if (!progress_.has_best_dev_score() || progress_.dev_metric() == ValidMetricName()) return;
  if (lead()) {
    std::fprintf(stderr,
                 "the best dev score so far (%g at step %lld) is by %s, and this run keeps the best by %s: the next "
                 "validation starts a new best, and patience counts from it\n",
                 progress_.best_dev_score(), static_cast<long long>(progress_.best_dev_step()),
                 progress_.dev_metric().c_str(), ValidMetricName().c_str());
  }
  progress_.clear_best_dev_score();
  progress_.set_best_dev_step(0);
  progress_.set_dev_metric(ValidMetricName());
  progress_.set_validations_without_improvement(0);
  progress_.set_lr_stalled_validations(0);
}

void Trainer::ScheduleLearningRate() { optimizer_->set_lr_scale(LrScale(schedule_, progress_.step() + 1, progress_)); }

double Trainer::NextLearningRate() const {
  return LrScale(schedule_, progress_.step() + 1, progress_) * optimizer_->lr();
}

absl::Status Trainer::ShareElapsedTime() {
  if (comm_.size() == 1) return absl::OkStatus();
  double elapsed = progress_.elapsed_seconds();
  if (absl::Status s = comm_.Broadcast(AsBytes(elapsed), 0); !s.ok()) return s;
  progress_.set_elapsed_seconds(elapsed);
  return absl::OkStatus();
}

absl::Status Trainer::CheckReplicasAgree() {
  if (comm_.size() == 1) return absl::OkStatus();
  uint64_t digest = Fnv1a64(batcher_->State().SerializeAsString());
  for (const auto& [name, param] : model_->NamedParameters()) {
    const Tensor host = param->value().ToHost();
    const float* values = host.data();
    for (int64_t i = 0; i < host.size(); ++i) {
      uint32_t bits;
      std::memcpy(&bits, values + i, sizeof(bits));
      digest = Fnv1a64Word(digest, bits);
    }
  }
  uint64_t rank0 = digest;
  if (absl::Status s = comm_.Broadcast(AsBytes(rank0), 0); !s.ok()) return s;
  if (digest == rank0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("rank ", comm_.rank(), " of ", comm_.size(),
                                          ": parameters or data position differ from rank 0's at step ",
                                          progress_.step(), " (the replicas diverged)"));
}

double Trainer::tokens_per_second() const { return session_seconds_ > 0 ? session_tokens_ / session_seconds_ : 0.0; }

void Trainer::Log(const std::string& kind, double loss, double dev_loss, std::optional<double> dev_bleu,
                  const std::string& detail) {
  if (!lead()) return;
  const std::string path = run_.train_log();
  const bool fresh = !std::ifstream(path).good();
  std::ofstream log(path, std::ios::app);
  if (fresh) log << kTrainLogHeader << "\n";
  auto unsigned_nan = [](double x) { return std::isnan(x) ? std::fabs(x) : x; };  // "nan", not "-nan"
  log << absl::StrFormat("%s,%d,%d,%.1f,%.5f,%.5f,%s,%.6g,%.1f,%s\n", kind, progress_.step(), progress_.epoch(),
                         progress_.elapsed_seconds(), unsigned_nan(loss), unsigned_nan(dev_loss),
                         dev_bleu.has_value() ? absl::StrFormat("%.2f", *dev_bleu) : "", NextLearningRate(),
                         tokens_per_second(), detail);
}

bool Trainer::BudgetSpent() const {
  if (config_.max_steps() > 0 && progress_.step() >= config_.max_steps()) return true;
  return config_.max_minutes() > 0 && progress_.elapsed_seconds() >= 60.0 * config_.max_minutes();
}

absl::Status Trainer::Step(const datasets::Batch& batch) {
  if (thread_governor_ != nullptr) {
    if (std::optional<int> threads = thread_governor_->Poll()) context_.SetHostThreads(*threads);
  }
  const Clock::time_point start = Clock::now();
  const int64_t tokens = batch.num_target_tokens();
  ScheduleLearningRate();
  const models::ForwardOptions forward =
      models::ForwardOptions::Training(DropoutSeed(config_.seed(), progress_.step()), 0, config_.label_smoothing());
  const StepResult step = TrainStep(*model_, *optimizer_, tape_, batch, config_.max_grad_norm(), reducer_, forward);
  if (!step.status.ok()) return step.status;
  if (step.applied) {
    consecutive_skipped_ = 0;
    window_nll_ += static_cast<double>(step.loss) * batch.batch_size;
    window_tokens_ += tokens;
  }
  progress_.set_step(progress_.step() + 1);
  progress_.set_epoch(batcher_->epoch());
  progress_.set_sentences_seen(progress_.sentences_seen() + batch.batch_size);
  progress_.set_target_tokens_seen(progress_.target_tokens_seen() + tokens);
  session_seconds_ += SecondsSince(start);
  session_tokens_ += tokens;
  progress_.set_elapsed_seconds(elapsed_before_session_ + SecondsSince(session_start_));
  if (!step.applied) {
    ReportSkippedStep(step.loss, step.grad_norm,
                      tokens > 0 ? static_cast<double>(step.loss) * batch.batch_size / tokens : step.loss);
  }
  return absl::OkStatus();
}

int Trainer::MaxConsecutiveSkippedSteps() const {
  return config_.has_max_consecutive_skipped_steps() ? config_.max_consecutive_skipped_steps()
                                                     : kDefaultMaxConsecutiveSkippedSteps;
}

void Trainer::ReportSkippedStep(float loss, double grad_norm, double loss_per_token) {
  ++consecutive_skipped_;
  progress_.set_skipped_steps(progress_.skipped_steps() + 1);
  // TrainStep leaves the grads of a skipped step as Backward made them (clipping does
  // not touch non-finite ones), so the culprit can still be found.
  const std::optional<NonFiniteGrad> bad = FirstNonFiniteGrad(optimizer_->parameters());
  last_skip_cause_ = bad.has_value() ? absl::StrCat("first non-finite gradient: ", bad->parameter, " element ",
                                                    bad->index, " = ", FormatNumber(bad->value))
                                     : std::string("non-finite loss: every gradient finite");
  const int limit = MaxConsecutiveSkippedSteps();
  const std::string streak =
      absl::StrCat(consecutive_skipped_, " in a row", limit > 0 ? absl::StrCat(", training stops at ", limit) : "");
  if (lead()) {
    std::fprintf(stderr, "\nstep %lld: update skipped (loss %s, gradient norm %s); %s; %s\n",
                 static_cast<long long>(progress_.step()), FormatNumber(loss).c_str(), FormatNumber(grad_norm).c_str(),
                 last_skip_cause_.c_str(), streak.c_str());
  }
  Log("skipped", loss_per_token, 0.0, std::nullopt, last_skip_cause_);
}

absl::Status Trainer::CheckSkippedSteps() const {
  const int limit = MaxConsecutiveSkippedSteps();
  if (limit <= 0 || consecutive_skipped_ < limit) return absl::OkStatus();
  // Nothing is written here. Skipped steps moved neither the parameters nor the
  // optimizer state, so writing a checkpoint now would be safe: it would hold the
  // parameters and slots of the last applied step. It would differ from the one on
  // disk only in progress and data position, and put the data position past the bad
  // batches, so that a resumed run would pass over them unseen. Left as it is (and
  // MaybeCheckpoint wrote none during the streak), the latest checkpoint predates the
  // streak, and a run resumed from it once the cause is fixed meets the same batches.
  const int64_t first = progress_.step() - consecutive_skipped_ + 1;
  const std::string kept = checkpoint_step_ >= 0 ? absl::StrCat("the latest checkpoint, ", run_.checkpoint(), " (step ",
                                                                checkpoint_step_, "), predates them")
                                                 : std::string("no checkpoint was written before them");
  return absl::AbortedError(absl::StrFormat(
      "training stopped: %d consecutive steps (%d to %d) were skipped for a non-finite gradient or loss "
      "(max_consecutive_skipped_steps: %d); at step %d, %s; %s",
      consecutive_skipped_, first, progress_.step(), limit, progress_.step(), last_skip_cause_, kept));
}

// The live progress line, at most once a second.
void Trainer::ReportProgress() {
  if (!lead() || SecondsSince(last_report_) < 1.0) return;
  last_report_ = Clock::now();
  // The ETA is whichever limit comes first: the time budget, or the steps left at this
  // session's step rate.
  double eta = -1;
  if (config_.max_minutes() > 0) eta = 60.0 * config_.max_minutes() - progress_.elapsed_seconds();
  const int64_t session_steps = progress_.step() - steps_before_session_;
  if (config_.max_steps() > 0 && session_steps > 0) {
    const double by_steps = (config_.max_steps() - progress_.step()) * SecondsSince(session_start_) / session_steps;
    eta = eta < 0 ? by_steps : std::min(eta, by_steps);
  }
  // The last validation's dev figures, once there is one.
  std::string dev;
  if (!std::isnan(last_dev_loss_)) dev = absl::StrFormat("  dev %.3f", last_dev_loss_);
  if (last_dev_bleu_.has_value()) absl::StrAppendFormat(&dev, " BLEU %.2f", *last_dev_bleu_);
  // While the governor runs fewer threads than asked, say so: it explains a slower rate.
  std::string threads;
  if (thread_governor_ != nullptr && thread_governor_->threads() < config_.threads()) {
    threads = absl::StrFormat("  threads %d/%d", thread_governor_->threads(), config_.threads());
  }
  std::fprintf(stderr, "\rstep %lld  epoch %lld  loss/token %.3f%s  lr %.3g  %.0f tgt tok/s%s  elapsed %s%s%s   ",
               static_cast<long long>(progress_.step()), static_cast<long long>(progress_.epoch() + 1), WindowLoss(),
               dev.c_str(), NextLearningRate(), tokens_per_second(), threads.c_str(),
               FormatDuration(progress_.elapsed_seconds()).c_str(), eta >= 0 ? "  ETA " : "",
               eta >= 0 ? FormatDuration(std::max(0.0, eta)).c_str() : "");
  std::fflush(stderr);
}

absl::Status Trainer::MaybeValidate(bool& stop) {
  stop = false;
  if (config_.validate_every() <= 0 || progress_.step() % config_.validate_every() != 0) return absl::OkStatus();
  const absl::StatusOr<double> dev_loss = ShardedDevLoss(dev_);
  if (!dev_loss.ok()) return dev_loss.status();
  const double dev = *dev_loss;
  std::optional<double> bleu;
  if (!dev_bleu_sources_.empty()) {
    absl::StatusOr<double> scored = DevBleu(dev_bleu_sources_, dev_bleu_references_);
    if (!scored.ok()) return scored.status();
    bleu = *scored;
  }
  const double train = WindowLoss();
  last_dev_loss_ = dev;
  last_dev_bleu_ = bleu;
  // A dev BLEU of 0 sentences (every reference empty) is 0; ValidateTrainConfig asks
  // for dev_bleu_sentences > 0 with valid_metric BLEU.
  const double score = ValidatesByBleu() ? bleu.value_or(0.0) : dev;
  const bool improved = !progress_.has_best_dev_score() ||
                        (ValidatesByBleu() ? score > progress_.best_dev_score() : score < progress_.best_dev_score());
  if (improved) {
    progress_.set_best_dev_score(score);
    progress_.set_best_dev_step(progress_.step());
    progress_.set_dev_metric(ValidMetricName());
    progress_.set_validations_without_improvement(0);
  } else {
    progress_.set_validations_without_improvement(progress_.validations_without_improvement() + 1);
  }
  const double lr_before = NextLearningRate();
  const bool decayed = OnValidation(schedule_, improved, progress_);
  const double lr_after = NextLearningRate();
  if (lead()) {
    std::string line = absl::StrFormat("step %lld: train loss/token %.4f, dev loss/token %.4f",
                                       static_cast<long long>(progress_.step()), train, dev);
    if (bleu.has_value()) {
      const int beam = config_.has_dev_bleu_beam() ? config_.dev_bleu_beam() : 1;
      absl::StrAppendFormat(&line, ", dev BLEU %.2f (%d sentences, %s)", *bleu, dev_bleu_sources_.size(),
                            beam > 1 ? absl::StrCat("beam ", beam) : std::string("greedy"));
    }
    absl::StrAppendFormat(&line, ", lr %.3g", lr_before);
    if (improved) {
      absl::StrAppend(&line, "; new best ", ValidatesByBleu() ? "dev BLEU" : "dev loss");
    } else {
      absl::StrAppendFormat(&line, "; %d without improvement (best %.4f at step %lld)",
                            progress_.validations_without_improvement(), progress_.best_dev_score(),
                            static_cast<long long>(progress_.best_dev_step()));
    }
    if (decayed) absl::StrAppendFormat(&line, "; lr decayed to %.3g", lr_after);
    std::fprintf(stderr, "\n%s\n", line.c_str());
  }
  Log("validation", train, dev, bleu);
  window_nll_ = 0;
  window_tokens_ = 0;
  if (improved) return lead() ? SaveCheckpoint(run_.best()) : absl::OkStatus();
  if (config_.patience() > 0 && progress_.validations_without_improvement() >= config_.patience()) {
    if (lead()) {
      std::fprintf(stderr, "early stop: no dev %s improvement in %d validations\n", ValidatesByBleu() ? "BLEU" : "loss",
                   config_.patience());
    }
    stop = true;
  }
  return absl::OkStatus();
}

absl::Status Trainer::MaybeCheckpoint() {
  if (!lead()) return absl::OkStatus();
  const bool due =
      (config_.checkpoint_every() > 0 && progress_.step() % config_.checkpoint_every() == 0) ||
      (config_.checkpoint_minutes() > 0 && SecondsSince(last_checkpoint_) >= 60 * config_.checkpoint_minutes());
  checkpoint_pending_ = checkpoint_pending_ || due;
  // None while steps are being skipped: the parameters and optimizer state are those
  // of the last applied step anyway, and the checkpoint from before the streak (and
  // the one before it, checkpoint.prev.ckpt) stay as they are until a step is applied
  // again, or the streak stops training (CheckSkippedSteps). So every checkpoint
  // written here has no streak behind it, and a resumed run that counts afresh is
  // exact.
  if (!checkpoint_pending_ || consecutive_skipped_ > 0) return absl::OkStatus();
  if (absl::Status s = SaveCheckpoint(run_.checkpoint()); !s.ok()) return s;
  checkpoint_pending_ = false;
  last_checkpoint_ = Clock::now();
  return absl::OkStatus();
}

absl::Status Trainer::Finish() {
  if (absl::Status s = CheckReplicasAgree(); !s.ok()) return s;
  if (lead()) {
    std::fprintf(stderr, "\n");
    // Written even when the budget ran out during skipped steps: they moved neither the
    // parameters nor the optimizer state, so this holds those of the last applied step.
    if (absl::Status s = SaveCheckpoint(run_.checkpoint()); !s.ok()) return s;
  }
  // The final model: the best dev parameters when validation ran and found one.
  const absl::StatusOr<double> final_dev_loss = ShardedDevLoss(dev_);
  if (!final_dev_loss.ok()) return final_dev_loss.status();
  double final_dev = *final_dev_loss;
  std::optional<double> final_bleu;
  if (ValidatesByBleu() && !dev_bleu_sources_.empty()) {
    absl::StatusOr<double> scored = DevBleu(dev_bleu_sources_, dev_bleu_references_);
    if (!scored.ok()) return scored.status();
    final_bleu = *scored;
  }
  // Every rank reads best.ckpt, which rank 0 wrote.
  if (absl::Status s = comm_.Barrier(); !s.ok()) return s;
  const bool has_best = progress_.has_best_dev_score();
  const bool best_is_better = has_best && (ValidatesByBleu() ? final_bleu.value_or(0.0) < progress_.best_dev_score()
                                                             : final_dev > progress_.best_dev_score());
  if (best_is_better && std::ifstream(run_.best()).good()) {
    if (absl::Status s = LoadCheckpoint(run_.best(), /*parameters_only=*/true); !s.ok()) return s;
    if (ValidatesByBleu()) {
      // The row gives the dev loss of the model kept, measured again.
      const absl::StatusOr<double> best_loss = ShardedDevLoss(dev_);
      if (!best_loss.ok()) return best_loss.status();
      final_dev = *best_loss;
      final_bleu = progress_.best_dev_score();
    } else {
      final_dev = progress_.best_dev_score();
    }
  } else if (has_best && (ValidatesByBleu() ? final_bleu.value_or(0.0) > progress_.best_dev_score()
                                            : final_dev < progress_.best_dev_score())) {
    // The last parameters beat every validation's: they are the best now, and best.ckpt
    // must hold them, since translate reads best.ckpt and should get the model the test
    // set is scored with.
    progress_.set_best_dev_score(ValidatesByBleu() ? final_bleu.value_or(0.0) : final_dev);
    progress_.set_best_dev_step(progress_.step());
    progress_.set_dev_metric(ValidMetricName());
    if (lead()) {
      if (absl::Status s = SaveCheckpoint(run_.best()); !s.ok()) return s;
    }
  }
  Log("final", 0.0, final_dev, final_bleu);
  return absl::OkStatus();
}

absl::Status Trainer::Train() {
  session_start_ = last_checkpoint_ = last_report_ = Clock::now();
  elapsed_before_session_ = progress_.elapsed_seconds();
  steps_before_session_ = progress_.step();
  window_nll_ = 0;
  window_tokens_ = 0;
  if (lead() && progress_.step() > 0) {
    std::fprintf(stderr, "resuming from %s at step %lld (epoch %lld)\n", run_.checkpoint().c_str(),
                 static_cast<long long>(progress_.step()), static_cast<long long>(progress_.epoch()));
  }
  while (!BudgetSpent()) {
    const datasets::Batch batch = batcher_->Next();
    if (config_.max_epochs() > 0 && batcher_->epoch() >= config_.max_epochs()) break;
    if (absl::Status s = Step(batch); !s.ok()) return s;
    if (absl::Status s = CheckSkippedSteps(); !s.ok()) return s;
    if (absl::Status s = ShareElapsedTime(); !s.ok()) return s;
    ReportProgress();
    if (progress_.step() % kLogEvery == 0 && window_tokens_ > 0) Log("progress", WindowLoss(), 0.0);
    bool stop = false;
    if (absl::Status s = MaybeValidate(stop); !s.ok()) return s;
    if (stop) break;
    if (absl::Status s = MaybeCheckpoint(); !s.ok()) return s;
  }
  return Finish();
}

}  // namespace nmt::trainers
