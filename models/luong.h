// Luong: the global-attention model of Luong, Pham & Manning 2015 ("Effective
// Approaches to Attention-based Neural Machine Translation", Sections 3.1 and 3.3):
// a stack of LSTM (or GRU) layers over the source, and a stack over the target that
// attends after its step, from its top state h_t (models/layers/luong_attention.h):
//
//   encoder:  layer k runs over layer k−1's states (layer 1 over Ē x), left to right;
//             the annotations h̄_s are the top layer's states; each decoder layer
//             starts from its encoder layer's last state ([h; c] for the LSTM)
//   decoder:  x_t = [E y_{t−1}; h̃_{t−1}]    (input feeding; h̃_0 = 0, E y_0 = 0)
//             h_t = top of the stack after one step of every layer
//             a_t = softmax_s(score(h_t, h̄_s)),  c_t = Σ_s a_ts h̄_s      (dot, general, concat)
//             h̃_t = tanh(W_c [c_t; h_t] + b_c)
//             p(y_t | y_<t, x) = softmax(W_s h̃_t + b_s)
//
// Config: rnn_cell (LSTM or GRU in gru_variant's form), attention_score, layers (0: 1),
// input_feeding (unset: on), m, n (every layer), n_align (concat only); l is not used.
// The source is not reversed. The paper leaves out biases; each affine map has one here.
//
//   ModelConfig config;  config.set_kind(ModelConfig::LUONG);  config.set_layers(2);  ...
//   std::unique_ptr<Model> model = *MakeModel(config);      // registry.h
//
// Parameters: src_embedding, enc1.*, enc2.*, ..., tgt_embedding, dec1.* (with the C
// matrices of the fed h̃), dec2.*, ..., attention.{W_a, U_a, b_a, v_a as the score
// needs, W_c, b_c}, output.{W_s, b_s}.
#ifndef NMT_MODELS_LUONG_H_
#define NMT_MODELS_LUONG_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "models/layers/embedding.h"
#include "models/layers/gru.h"
#include "models/layers/linear.h"
#include "models/layers/lstm.h"
#include "models/layers/luong_attention.h"
#include "models/model.h"

namespace nmt::models {

struct LuongState : DecoderState {
  int64_t rows() const override { return annotations.dim(0); }
  std::unique_ptr<DecoderState> Select(absl::Span<const int> rows) const override;
  std::vector<Var*> Vars() override;

  std::vector<Var> layers;                  // each decoder layer's state: h (rows, n), or [h; c] (rows, 2n)
  Var feed;                                 // h̃_{t−1} (rows, n); undefined before the first word
  std::vector<layers::GruWeights> gru_w;    // stacked once per Encode (GRU cells)
  std::vector<layers::LstmWeights> lstm_w;  // (LSTM cells)
  Tensor src_mask;                          // (rows, Tx)
  Var annotations;                          // h̄_s (rows, Tx, n)
  Var keys;                                 // the score's source side (rows, Tx, n or n')
  SourceRows source;                        // each row's sentence; src_mask, annotations, keys are per sentence
};

class Luong : public Model {
 public:
  explicit Luong(const ModelConfig& config);
  // The registry's factory: InvalidArgument for a size the config's score needs and lacks.
  static absl::StatusOr<std::unique_ptr<Model>> Create(const ModelConfig& config);

  using Model::Forward;
  ForwardResult Forward(const datasets::Batch& batch, const ForwardOptions& options) override;
  std::unique_ptr<DecoderState> Encode(absl::Span<const int32_t> src, const Tensor& src_mask) override;
  StepResult Step(const DecoderState& state, absl::Span<const int32_t> previous) override;
  double ForwardFlops(int64_t batch, int64_t src_len, int64_t tgt_len) const override;

 private:
  struct DecoderOutput {
    Var attentional;  // h̃_t (B, n)
    Var alpha;        // a_t (B, Tx)
  };
  bool lstm() const { return config().rnn_cell() == ModelConfig::CELL_LSTM; }
  bool input_feeding() const { return !config().has_input_feeding() || config().input_feeding(); }
  int64_t depth() const { return static_cast<int64_t>(lstm() ? dec_lstm_.size() : dec_gru_.size()); }
  // reg drops the source embeddings and each encoder layer's state (recurrent layer k).
  LuongState EncodeState(absl::Span<const int32_t> src, const Tensor& src_mask, Regularizer& reg);
  // Decoder layer k's input projection W x + b.
  Var ProjectInputs(const LuongState& state, int64_t k, Var x) const;
  // One step of every layer from layer 1's projected E y_{t−1} (B, G·n); updates
  // state.layers and state.feed. dropout: decoder layer k's recurrent mask, or empty.
  DecoderOutput DecoderStep(LuongState& state, Var x_proj, absl::Span<const Tensor* const> dropout = {}) const;

  layers::Embedding src_embedding_;
  std::vector<std::unique_ptr<layers::Gru>> enc_gru_, dec_gru_;
  std::vector<std::unique_ptr<layers::Lstm>> enc_lstm_, dec_lstm_;
  layers::Embedding tgt_embedding_;
  layers::LuongAttention attention_;
  layers::Linear output_;  // W_s, b_s
};

}  // namespace nmt::models

#endif  // NMT_MODELS_LUONG_H_
