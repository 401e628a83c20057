// CGru: the conditional GRU model of Nematus (Sennrich et al. 2017, "Nematus: a
// Toolkit for Neural Machine Translation", Section 2) and Marian's s2s: RNNsearch's
// bidirectional GRU encoder (annotations h_j = [h→_j; h←_j]) and a decoder whose step
// is GRU → attention → GRU (models/layers/cgru.h):
//
//   s_0  = tanh(W_init mean_j h_j + b_init)            (mean over real positions)
//   s'_i = GRU_1(E y_{i−1}, s_{i−1})
//   α_i, c_i = attention(s'_i, h)
//   s_i  = GRU_2(c_i, s'_i)
//   t_i  = tanh(U_o s_i + V_o E y_{i−1} + C_o c_i + b_o)   (m units, as Nematus)
//   p(y_i | y_<i, x) = softmax(W_o t_i + b_y)
//
// with E y_0 = 0 (Nematus' shifted embeddings). p(y_i) reads s_i, so every one of the
// T_y decoder steps is computed. Sizes: m, n, n_align of ModelConfig (l is not used);
// gru_variant sets the form of all four GRUs.
//
// Initialisation: as RNNsearch's (N(0, 0.01²) weights, orthogonal U, zero biases, the
// attention's W_a, U_a ~ N(0, 0.001²), v_a = 0), except that the trainer starts b_y at
// the log of the training targets' add-one smoothed unigram (InitializeOutputPrior).
// Why: with b_y = 0 and Adam at the main recipe's 2e-3, the output prior is fitted
// faster through W_o t than through b_y (each element moves at most lr per step), and
// with the bounded tanh readout that drives t, s_i, c_i and the annotations to
// saturated constants: the attention's and GRU_2's gradients vanish, α stays uniform,
// and the loss sat at the unigram entropy (6.3 nats per token on the Bible corpus after
// 700 steps, where RNNsearch's unbounded maxout readout reached 4.2). Started at the
// prior, the readout has nothing constant to learn and the model trains (README).
//
//   ModelConfig config;  config.set_kind(ModelConfig::CGRU); ... sizes ...
//   std::unique_ptr<Model> model = *MakeModel(config);      // registry.h
//
// Parameters: src_embedding, enc_fwd.*, enc_bwd.*, init.{W_init, b_init},
// tgt_embedding, dec.gru1.*, dec.attention.{W_a,U_a,b_a,v_a}, dec.gru2.*,
// readout.{U_o,V_o,C_o,b_o,W_o,b_y}.
#ifndef NMT_MODELS_CGRU_H_
#define NMT_MODELS_CGRU_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "models/layers/cgru.h"
#include "models/layers/embedding.h"
#include "models/layers/gru.h"
#include "models/layers/linear.h"
#include "models/layers/readout.h"
#include "models/model.h"

namespace nmt::models {

// s_{i−1} and the sentence's annotations, per row.
struct CGruState : DecoderState {
  int64_t rows() const override { return s.dim(0); }
  std::unique_ptr<DecoderState> Select(absl::Span<const int> rows) const override;
  std::vector<Var*> Vars() override;

  Var s;                                  // s_{i−1} (rows, n); s_0 after Encode
  layers::ConditionalGru::Weights dec_w;  // stacked once per Encode
  Tensor src_mask;                        // (rows, Tx)
  Var annotations;                        // h_j (rows, Tx, 2n)
  Var keys;                               // U_a h_j + b_a (rows, Tx, n')
  SourceRows source;                      // each row's sentence; src_mask, annotations, keys are per sentence
};

class CGru : public Model {
 public:
  explicit CGru(const ModelConfig& config);
  // The registry's factory: InvalidArgument unless every size is positive.
  static absl::StatusOr<std::unique_ptr<Model>> Create(const ModelConfig& config);

  using Model::Forward;
  ForwardResult Forward(const datasets::Batch& batch, const ForwardOptions& options) override;
  std::unique_ptr<DecoderState> Encode(absl::Span<const int32_t> src, const Tensor& src_mask) override;
  StepResult Step(const DecoderState& state, absl::Span<const int32_t> previous) override;
  double ForwardFlops(int64_t batch, int64_t src_len, int64_t tgt_len) const override;
  // b_y = log of the add-one smoothed unigram distribution of the training targets.
  void InitializeOutputPrior(absl::Span<const int64_t> target_counts) override;

 private:
  // reg drops the source embeddings and the encoder's states (recurrent layers 0, 1).
  CGruState EncodeState(absl::Span<const int32_t> src, const Tensor& src_mask, Regularizer& reg);

  layers::Embedding src_embedding_;
  layers::Gru enc_fwd_;
  layers::Gru enc_bwd_;
  layers::Linear init_;  // W_init, b_init
  layers::Embedding tgt_embedding_;
  layers::ConditionalGru dec_;
  layers::TanhReadout readout_;
};

}  // namespace nmt::models

#endif  // NMT_MODELS_CGRU_H_
