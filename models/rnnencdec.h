// RNNencdec (Cho et al. 2014), the baseline of the paper's Section 4: one GRU
// encoder summarised in c = tanh(V h_{T_x} + b_V) at each sentence's last real
// token, s_0 = tanh(V' c + b_V'), and the RNNsearch decoder fed c at every step.
// Since c is fixed, [C_z; C_r; C] c joins the precomputed decoder inputs and
// C_o c is computed once per sentence.
//
//   RnnEncDec model(config);   // config.kind() == ModelConfig::RNNENCDEC
//
// Parameters: src_embedding, enc.*, V, b_V, V_prime, b_V_prime, tgt_embedding,
// dec.* (with C_z, C_r, C), readout.*.
#ifndef NMT_MODELS_RNNENCDEC_H_
#define NMT_MODELS_RNNENCDEC_H_

#include <memory>

#include "absl/status/statusor.h"
#include "models/bahdanau.h"
#include "models/layers/embedding.h"
#include "models/layers/gru.h"
#include "models/layers/linear.h"

namespace nmt::models {

class RnnEncDec : public BahdanauModel {
 public:
  explicit RnnEncDec(const ModelConfig& config);
  // The registry's factory: InvalidArgument unless every size is positive.
  static absl::StatusOr<std::unique_ptr<Model>> Create(const ModelConfig& config);

  double ForwardFlops(int64_t batch, int64_t src_len, int64_t tgt_len) const override;

 protected:
  void EncodeInto(absl::Span<const int32_t> src, const Tensor& src_mask, Regularizer& reg,
                  BahdanauState& state) override;
  Var DecoderInputs(Var y_prev, const BahdanauState& state) override;
  StepContext ContextAt(Var s_prev, const BahdanauState& state) override;
  bool fixed_context() const override { return true; }

 private:
  layers::Embedding src_embedding_;
  layers::Gru enc_;
  layers::Linear summary_;  // V, b_V
  layers::Linear init_;     // V_prime, b_V_prime
};

}  // namespace nmt::models

#endif  // NMT_MODELS_RNNENCDEC_H_
