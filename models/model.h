// Model: the one interface that search, golden parity, the trainer, the translator
// and the bench use (DESIGN.md, "Models"); nothing else learns a model's name beyond
// its line in models/registry.cc.
//
//   absl::StatusOr<std::unique_ptr<Model>> model = MakeModel(config);     // registry.h
//   {  // training: the teacher-forced loss, with the config's dropout and label smoothing
//     TapeScope scope(tape);
//     Backward((*model)->Forward(batch, ForwardOptions::Training(step_seed, /*first_row=*/0, 0.1f)).loss);
//   }
//   Forward(batch) is the evaluation pass (validation loss, parity): no dropout, plain −log p.
//   // decoding (models/search.cc): encode, then one step per output word
//   std::unique_ptr<DecoderState> state = model->Encode(src_ids, src_mask);
//   StepResult r = model->Step(*state, /*previous=*/{});                // p(y_1 | x)
//   state = r.state->Select(parents);                                  // beam reordering
//   r = model->Step(*state, words);                                    // p(y_2 | y_1, x)
//
// A decoder state is the model's own (Marian's DecoderState): search never looks
// inside it, it only asks it for some of its rows, in some order (a row may repeat),
// which is all that beam reordering and dropping finished hypotheses need.
//
// Conventions every model keeps: ids 0 and 1 are PAD and EOS (datasets/special_ids.h);
// the loss is Σ over real target tokens of −log p(y_i | y_<i, x), divided by the
// number of sentences; Step(state, words) gives exactly the log-probabilities that
// Forward's logits give for the same prefix (models/search_test.cc checks it).
//
// Regularisation (models/README.md, "Regularisation") happens only in a training
// Forward: ModelConfig's dropout rates (dropout, dropout_rnn, dropout_src,
// dropout_tgt) and ForwardOptions::label_smoothing. Encode and Step (search) never
// drop anything. Every mask is a function of the step's seed, the site, the
// sentence's row in the global batch and the position, so a step replays bit for bit
// (exact resume) and a data-parallel shard draws its rows of the global batch's masks.
#ifndef NMT_MODELS_MODEL_H_
#define NMT_MODELS_MODEL_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "autograd/tape.h"
#include "datasets/batch.h"
#include "models/layers/embedding.h"
#include "models/layers/gru.h"
#include "models/layers/lstm.h"
#include "models/layers/module.h"
#include "models/model_config.pb.h"

namespace nmt::models {

// How a teacher-forced pass runs. The default is evaluation (validation, parity,
// tests): no dropout and the plain −log p.
struct ForwardOptions {
  // Dropout with the config's rates; false: none, whatever the config says.
  bool training = false;
  // The step's seed (the trainer derives it from TrainConfig.seed and the step).
  uint64_t seed = 0;
  // The global index of the batch's row 0: a data-parallel shard's first row.
  int64_t first_row = 0;
  // ε of the loss: (1 − ε)(−log p_y) + ε/K Σ_j (−log p_j) per token (ops/softmax.h).
  float label_smoothing = 0.0f;

  static ForwardOptions Training(uint64_t seed, int64_t first_row, float label_smoothing) {
    return {.training = true, .seed = seed, .first_row = first_row, .label_smoothing = label_smoothing};
  }
};

// The dropout of one Forward: the model config's rates, masks drawn from the options'
// seed. Each method is the identity (or gives no mask) when the pass is not training
// or its rate is 0, so the evaluation pass computes exactly what it did before.
class Regularizer {
 public:
  Regularizer(const ModelConfig& config, const ForwardOptions& options);

  // Embedded source words (B, T, m): whole-word dropout with dropout_src (the word's
  // embedding zeroed, Sennrich et al. 2016), then element dropout with `dropout`.
  Var SourceEmbeddings(Var x) const;
  // Embedded previous target words E y_{i−1} (B, T_y, m): dropout_tgt, then `dropout`.
  Var TargetEmbeddings(Var y_prev) const;
  // What the readout (deep output) reads: decoder states and contexts, (B, ...);
  // `site` tells the streams of masks apart.
  Var Hidden(Var x, int site) const;
  // The variational mask (B, n) of recurrent layer `layer` (dropout_rnn), the same at
  // every step of the sequence; nullptr when off. Valid while this Regularizer lives.
  const Tensor* RecurrentMask(int layer, int64_t batch, int64_t n);

  float label_smoothing() const { return options_.label_smoothing; }

 private:
  uint64_t SiteSeed(uint64_t site) const;

  float dropout_ = 0, dropout_rnn_ = 0, dropout_src_ = 0, dropout_tgt_ = 0;  // all 0 unless training
  ForwardOptions options_;
  std::vector<std::unique_ptr<Tensor>> recurrent_masks_;
};

// The teacher-forced pass over a batch.
struct ForwardResult {
  Var loss;    // scalar: Σ −log p(y_i | ·) over real target tokens / B
  Var logits;  // (B·T_y, K_y), row b·T_y + i for sentence b, step i
  Var nll;     // (B): each sentence's Σ −log p
  Var alpha;   // (B, T_y, T_x) attention weights; undefined for a model without attention
  // What else a reference dump stores as fwd/NAME and parity compares (e.g. "s0").
  std::vector<std::pair<std::string, Var>> intermediates;
};

// What the decoder carries from one word to the next, for a batch of rows (sentences
// or hypotheses). Its Vars live on the tape that was current when it was made.
class DecoderState {
 public:
  virtual ~DecoderState() = default;
  virtual int64_t rows() const = 0;
  // The state of rows[0], rows[1], ... of this one (indices may repeat): Marian's
  // DecoderState::select. The result holds constants (search runs without gradients).
  virtual std::unique_ptr<DecoderState> Select(absl::Span<const int> rows) const = 0;
  // Every Var the state holds, undefined ones included: a search keeps these when it
  // rewinds the tape after a step (Tape::RewindKeeping), so a state must list them all.
  virtual std::vector<Var*> Vars() = 0;
};

struct StepResult {
  Tensor log_probs;                     // (rows, K_y): log p(y_i | y_<i, x), not renormalised by search
  Tensor alpha;                         // (rows, T_x) attention weights; undefined without attention
  std::unique_ptr<DecoderState> state;  // the state to feed y_i to
};

class Model : public layers::Module {
 public:
  explicit Model(const ModelConfig& config) : config_(config) {}

  const ModelConfig& config() const { return config_; }
  // Draws the parameters as config().init says, from config().seed.
  void InitializeFromConfig();

  // The teacher-forced loss of batch (and what parity checks compare); options say
  // whether it is a training pass (dropout, label smoothing) or an evaluation one.
  virtual ForwardResult Forward(const datasets::Batch& batch, const ForwardOptions& options) = 0;
  // The evaluation pass: no dropout, the plain −log p.
  ForwardResult Forward(const datasets::Batch& batch) { return Forward(batch, ForwardOptions()); }
  // Encodes the sources src (B × T_x ids, row-major) with mask (B, T_x): the decoder
  // state before the first target word.
  virtual std::unique_ptr<DecoderState> Encode(absl::Span<const int32_t> src, const Tensor& src_mask) = 0;
  // One decoder step: previous holds y_{i−1} for each row of state, or is empty for
  // the first word (no previous word).
  virtual StepResult Step(const DecoderState& state, absl::Span<const int32_t> previous) = 0;

  // Floating-point operations of one teacher-forced forward pass on a batch of
  // `batch` sentences of src_len and tgt_len tokens: 2 per multiply-add of every
  // matrix product it runs, as the reference's bench counts them; 0 if not known.
  virtual double ForwardFlops(int64_t batch, int64_t src_len, int64_t tgt_len) const { return 0; }

  // Called once on a fresh model (not on a resumed one) with the count of every
  // target id in the training targets (K_y entries, EOS included), before training.
  // Unless config().output_prior() is false, a model starts its output bias at the
  // targets' log unigram there (SetToLogUnigram); the default leaves the parameters
  // as they were drawn.
  virtual void InitializeOutputPrior(absl::Span<const int64_t> target_counts) {}

 private:
  ModelConfig config_;
};

// Helpers for implementations.

// A batch's host masks as the (B, T_x) and (B, T_y) Tensors the ops read, uploaded to
// the current tape's device.
Tensor SourceMask(const datasets::Batch& batch);
Tensor TargetMask(const datasets::Batch& batch);
// A constant of zeros on the current tape (and its device); `op` names the caller.
Var ZeroConstant(const char* op, const Shape& shape);

// E y_{i−1} for i = 1..T_y of the batch's targets, with E y_0 = 0 (no start symbol, as
// in the authors' code and Nematus): (B, T_y, m).
Var EmbedPrevious(const layers::Embedding& embedding, const datasets::Batch& batch);

// A GRU of config.n() units in the config's form (gru_variant).
layers::GruOptions GruOptionsFor(const ModelConfig& config, int64_t input_size, int64_t context_size);

// For a model's factory: InvalidArgument naming config unless each listed size field
// (ModelConfig's int64 fields, by name) is positive.
absl::Status CheckSizesPositive(const ModelConfig& config, absl::Span<const char* const> fields);

// bias_k = log((count_k + 1) / Σ_j (count_j + 1)): the add-one smoothed log unigram of
// the training targets, the output bias a softmax readout starts at (InitializeOutputPrior).
// bias must hold one element per count; `model` names the caller in the error.
void SetToLogUnigram(Parameter& bias, absl::Span<const int64_t> target_counts, const char* model);

// For DecoderState::Vars: the Vars of stacked recurrent weights.
void AppendVars(layers::GruWeights& w, std::vector<Var*>& vars);
void AppendVars(layers::LstmWeights& w, std::vector<Var*>& vars);

// For DecoderState::Select: x's rows (dim 0) in the order `rows` lists them, as a
// constant on the current tape (an undefined x gives an undefined Var).
Var SelectRows(Var x, absl::Span<const int> rows);
Tensor SelectRows(const Tensor& x, absl::Span<const int> rows);

// Which sentence of the encoded batch each row of a decoder state holds. Rows of one
// sentence carry the same encoder outputs (annotations, keys, masks), so a Select that
// leaves every row on the sentence it had, which is most steps of a beam search (each
// sentence keeps its beam-size rows), can keep those tensors instead of copying them:
// at `small`, beam 5 and 16 sentences, 15 MB a step (SelectSourceRows).
class SourceRows {
 public:
  SourceRows() = default;                  // not known: every Select copies
  explicit SourceRows(int64_t sentences);  // row i holds sentence i, as Encode leaves them
  // The sentences of rows[0], rows[1], ... of these rows (DecoderState::Select).
  SourceRows Select(absl::Span<const int> rows) const;
  // True when known and `after` has the same sentence on every row as this.
  bool SameAs(const SourceRows& after) const { return !sentence_.empty() && sentence_ == after.sentence_; }

 private:
  std::vector<int> sentence_;
};

// For DecoderState::Select of one of the encoder's per-sentence tensors: x itself when
// `after` holds the same sentence on every row as `before` (its rows would be copied
// onto equal rows), else SelectRows(x, rows).
Var SelectSourceRows(Var x, const SourceRows& before, const SourceRows& after, absl::Span<const int> rows);
Tensor SelectSourceRows(const Tensor& x, const SourceRows& before, const SourceRows& after, absl::Span<const int> rows);

}  // namespace nmt::models

#endif  // NMT_MODELS_MODEL_H_
