// Seq2Seq: what RNNsearch and RNNencdec share (the paper's Appendix A.2.2): the
// target embedding E, the decoder GRU with a context input, and the maxout deep
// output; teacher-forced training and the one-step decoder used by search.
//
//   std::unique_ptr<Seq2Seq> model = MakeModel(config);   // models.h
//   TapeScope scope(tape);
//   ForwardResult out = model->Forward(batch);
//   Backward(out.loss);
//
// Conventions (as in the PyTorch reference): E y_0 = 0 (no start symbol);
// p(y_i) is read from s_{i−1} (Appendix A.2.2), so s_{T_y} is never computed;
// loss = Σ over real target tokens of −log p(y_i), divided by the batch size.
#ifndef NMT_MODELS_SEQ2SEQ_H_
#define NMT_MODELS_SEQ2SEQ_H_

#include <memory>
#include <vector>

#include "absl/types/span.h"
#include "datasets/batch.h"
#include "models/layers/deep_output.h"
#include "models/layers/embedding.h"
#include "models/layers/gru.h"
#include "models/layers/module.h"
#include "models/model_config.pb.h"

namespace nmt::models {

// What the encoder hands the decoder. Fields a model does not use stay undefined.
struct EncoderOutput {
  int64_t batch_size = 0;
  Var s0;                          // (B, n)
  layers::GruWeights dec_weights;  // the decoder's stacked matrices, built once
  Tensor src_mask;                 // (B, Tx)
  Var annotations;                 // RNNsearch: h_j (B, Tx, 2n)
  Var keys;                        // RNNsearch: U_a h_j + b_a (B, Tx, n')
  Var context;                     // RNNencdec: c (B, 1, n)
  Var context_proj;                // RNNencdec: [C_z; C_r; C] c (B, 1, 3n)
};

struct ForwardResult {
  Var loss;         // scalar
  Var s0;           // (B, n)
  Var logits;       // (B·Ty, K_y), row b·Ty + i for sentence b, step i
  Var nll;          // (B): per-sentence Σ −log p
  Var annotations;  // RNNsearch only: (B, Tx, 2n)
  Var alpha;        // RNNsearch only: (B, Ty, Tx)
};

struct DecodeStepResult {
  Tensor log_probs;  // (B, K_y), PAD at −inf
  Var state;         // s_i (B, n)
  Var alpha;         // (B, Tx), RNNsearch only
};

class Seq2Seq : public layers::Module {
 public:
  explicit Seq2Seq(const ModelConfig& config);

  const ModelConfig& config() const { return config_; }
  // Draws the parameters as config().init says, from config().seed.
  void InitializeFromConfig();

  ForwardResult Forward(const datasets::Batch& batch);

  // The encoder over ids (B × Tx) with mask (B, Tx).
  EncoderOutput Encode(absl::Span<const int32_t> src, const Tensor& src_mask);
  // One generation step from s_{i−1} and E y_{i−1} (B, m): log p(y_i | ·) and s_i.
  DecodeStepResult DecodeStep(Var s_prev, Var y_prev, const EncoderOutput& enc);
  // E y for ids (B) (kPadId ids give E's row 0 and are never fed back by search).
  Var EmbedTargets(absl::Span<const int32_t> ids) const;

 protected:
  struct StepContext {
    Var context;  // c_i (B, n_ctx)
    Var alpha;    // (B, Tx) or undefined
  };
  // Registers tgt_embedding, dec and readout; called by each model after its encoder.
  void AddDecoder(int64_t context_size);
  virtual void EncodeInto(absl::Span<const int32_t> src, const Tensor& src_mask, EncoderOutput& enc) = 0;
  // The decoder GRU's pre-activations known before the loop: (B, T, m) -> (B, T, 3n).
  virtual Var DecoderInputs(Var y_prev, const EncoderOutput& enc) = 0;
  virtual StepContext ContextAt(Var s_prev, const EncoderOutput& enc) = 0;
  // True when c is the same at every step and C c is already in DecoderInputs.
  virtual bool fixed_context() const = 0;

  const layers::Gru& dec() const { return *dec_; }

 private:
  // E y_{i−1} for i = 1..T_y with E y_0 = 0: (B, T_y, m).
  Var EmbedPrevious(const datasets::Batch& batch) const;

  ModelConfig config_;
  std::unique_ptr<layers::Embedding> tgt_embedding_;
  std::unique_ptr<layers::Gru> dec_;
  std::unique_ptr<layers::DeepOutput> readout_;
};

layers::GruOptions GruOptionsFor(const ModelConfig& config, int64_t input_size, int64_t context_size);

// A batch's host masks as the (B, T_x) and (B, T_y) Tensors the ops read.
Tensor SourceMask(const datasets::Batch& batch);
Tensor TargetMask(const datasets::Batch& batch);

}  // namespace nmt::models

#endif  // NMT_MODELS_SEQ2SEQ_H_
