// RNNsearch (Bahdanau, Cho & Bengio 2014, Appendix A.2): a bidirectional GRU
// encoder whose annotations h_j = [h→_j; h←_j] an additive alignment model reads
// at every decoder step; s_0 = tanh(W_s h←_1 + b_s).
//
//   ModelConfig config;  config.set_kind(ModelConfig::RNNSEARCH); ... sizes ...
//   RnnSearch model(config);
//   model.InitializeFromConfig();
//
// Parameters (the reference's names): src_embedding, enc_fwd.*, enc_bwd.*, W_s,
// b_s, attention.{W_a,U_a,b_a,v_a}, tgt_embedding, dec.* (with C_z, C_r, C),
// readout.{U_o,V_o,C_o,b_o,W_o,b_y}.
#ifndef NMT_MODELS_RNNSEARCH_H_
#define NMT_MODELS_RNNSEARCH_H_

#include <memory>

#include "absl/status/statusor.h"
#include "models/bahdanau.h"
#include "models/layers/attention.h"
#include "models/layers/embedding.h"
#include "models/layers/gru.h"
#include "models/layers/linear.h"

namespace nmt::models {

class RnnSearch : public BahdanauModel {
 public:
  explicit RnnSearch(const ModelConfig& config);
  // The registry's factory: InvalidArgument unless every size is positive.
  static absl::StatusOr<std::unique_ptr<Model>> Create(const ModelConfig& config);

  double ForwardFlops(int64_t batch, int64_t src_len, int64_t tgt_len) const override;

 protected:
  void EncodeInto(absl::Span<const int32_t> src, const Tensor& src_mask, Regularizer& reg,
                  BahdanauState& state) override;
  Var DecoderInputs(Var y_prev, const BahdanauState& state) override;
  StepContext ContextAt(Var s_prev, const BahdanauState& state) override;
  bool fixed_context() const override { return false; }

 private:
  layers::Embedding src_embedding_;
  layers::Gru enc_fwd_;
  layers::Gru enc_bwd_;
  layers::Linear init_;  // W_s, b_s
  layers::AdditiveAttention attention_;
};

}  // namespace nmt::models

#endif  // NMT_MODELS_RNNSEARCH_H_
