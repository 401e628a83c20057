// Model: the one interface that search, golden parity, the trainer, the translator
// and the bench use (DESIGN.md, "Models"); nothing else learns a model's name beyond
// its line in models/registry.cc.
//
//   absl::StatusOr<std::unique_ptr<Model>> model = MakeModel(config);     // registry.h
//   {  // training: the teacher-forced loss
//     TapeScope scope(tape);
//     Backward((*model)->Forward(batch).loss);
//   }
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
#include "models/layers/module.h"
#include "models/model_config.pb.h"

namespace nmt::models {

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

  // The teacher-forced loss of batch (and what parity checks compare).
  virtual ForwardResult Forward(const datasets::Batch& batch) = 0;
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

// For DecoderState::Select: x's rows (dim 0) in the order `rows` lists them, as a
// constant on the current tape (an undefined x gives an undefined Var).
Var SelectRows(Var x, absl::Span<const int> rows);
Tensor SelectRows(const Tensor& x, absl::Span<const int> rows);

}  // namespace nmt::models

#endif  // NMT_MODELS_MODEL_H_
