// BahdanauModel: what RNNsearch and RNNencdec share (the paper's Appendix A.2.2),
// one implementation of the Model interface (model.h): the target embedding E, the
// decoder GRU with a context input, and the maxout deep output; an encoder supplies
// s_0 and the context, before the decoder's step.
//
//   class RnnSearch : public BahdanauModel { ... EncodeInto, DecoderInputs, ContextAt ... };
//
// Conventions (as in the PyTorch reference): E y_0 = 0 (no start symbol);
// c_i is computed from s_{i−1} and p(y_i) is read from s_{i−1} (Appendix A.2.2),
// so s_{T_y} is never computed; loss = Σ over real target tokens of −log p(y_i),
// divided by the batch size.
#ifndef NMT_MODELS_BAHDANAU_H_
#define NMT_MODELS_BAHDANAU_H_

#include <memory>
#include <vector>

#include "absl/types/span.h"
#include "datasets/batch.h"
#include "models/layers/deep_output.h"
#include "models/layers/embedding.h"
#include "models/layers/gru.h"
#include "models/model.h"
#include "models/model_config.pb.h"

namespace nmt::models {

// The decoder state of both models: s_{i−1} and what the encoder left for every step.
// Fields a model does not use stay undefined.
struct BahdanauState : DecoderState {
  int64_t rows() const override { return s.dim(0); }
  std::unique_ptr<DecoderState> Select(absl::Span<const int> rows) const override;
  std::vector<Var*> Vars() override;

  Var s;                           // s_{i−1} (rows, n); s_0 after Encode
  layers::GruWeights dec_weights;  // the decoder's stacked matrices, built once per Encode
  Tensor src_mask;                 // (rows, Tx)
  Var annotations;                 // RNNsearch: h_j (rows, Tx, 2n)
  Var keys;                        // RNNsearch: U_a h_j + b_a (rows, Tx, n')
  Var context;                     // RNNencdec: c (rows, 1, n)
  Var context_proj;                // RNNencdec: [C_z; C_r; C] c (rows, 1, 3n)
  SourceRows source;               // each row's sentence; all but s and dec_weights are per sentence
};

class BahdanauModel : public Model {
 public:
  explicit BahdanauModel(const ModelConfig& config);

  using Model::Forward;
  ForwardResult Forward(const datasets::Batch& batch, const ForwardOptions& options) override;
  std::unique_ptr<DecoderState> Encode(absl::Span<const int32_t> src, const Tensor& src_mask) override;
  StepResult Step(const DecoderState& state, absl::Span<const int32_t> previous) override;
  // b_y at the targets' log unigram unless config().output_prior() is false (model.h).
  void InitializeOutputPrior(absl::Span<const int64_t> target_counts) override;

 protected:
  struct StepContext {
    Var context;  // c_i (B, n_ctx)
    Var alpha;    // (B, Tx) or undefined
  };
  // Registers tgt_embedding, dec and readout; called by each model after its encoder.
  void AddDecoder(int64_t context_size);
  // Fills s (= s_0) and the encoder's fields of state; reg drops the source embeddings
  // and the encoder's recurrent states in a training pass (recurrent layers 0 and 1).
  virtual void EncodeInto(absl::Span<const int32_t> src, const Tensor& src_mask, Regularizer& reg,
                          BahdanauState& state) = 0;
  // The decoder GRU's pre-activations known before the loop: (B, T, m) -> (B, T, 3n).
  virtual Var DecoderInputs(Var y_prev, const BahdanauState& state) = 0;
  virtual StepContext ContextAt(Var s_prev, const BahdanauState& state) = 0;
  // True when c is the same at every step and C c is already in DecoderInputs.
  virtual bool fixed_context() const = 0;

  const layers::Gru& dec() const { return *dec_; }

 private:
  BahdanauState EncodeState(absl::Span<const int32_t> src, const Tensor& src_mask, Regularizer& reg);

  std::unique_ptr<layers::Embedding> tgt_embedding_;
  std::unique_ptr<layers::Gru> dec_;
  std::unique_ptr<layers::DeepOutput> readout_;
};

}  // namespace nmt::models

#endif  // NMT_MODELS_BAHDANAU_H_
