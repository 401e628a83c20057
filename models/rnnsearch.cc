#include "models/rnnsearch.h"

#include "models/layers/birnn.h"
#include "ops/elementwise.h"
#include "ops/shape.h"

namespace nmt::models {

RnnSearch::RnnSearch(const ModelConfig& config)
    : Seq2Seq(config),
      src_embedding_(config.src_vocab(), config.m(), "src_embedding"),
      enc_fwd_(GruOptionsFor(config, config.m(), 0)),
      enc_bwd_(GruOptionsFor(config, config.m(), 0)),
      init_(config.n(), config.n(), {.weight = "W_s", .bias = "b_s"}),
      attention_(config.n(), 2 * config.n(), config.n_align()) {
  RegisterModule("", &src_embedding_);
  RegisterModule("enc_fwd", &enc_fwd_);
  RegisterModule("enc_bwd", &enc_bwd_);
  RegisterModule("", &init_);
  RegisterModule("attention", &attention_);
  AddDecoder(2 * config.n());
}

void RnnSearch::EncodeInto(absl::Span<const int32_t> src, const Tensor& src_mask, EncoderOutput& enc) {
  const int64_t b = src_mask.dim(0), t = src_mask.dim(1), n = config().n();
  Var x = src_embedding_.Forward(src, {b, t});
  layers::BiRnnStates states = layers::RunBidirectional(enc_fwd_, enc_bwd_, x, src_mask);
  enc.annotations = states.annotations;
  enc.keys = attention_.Keys(states.annotations);                                  // once per sentence
  enc.s0 = Tanh(init_.Forward(Reshape(Slice(states.backward, 1, 0, 1), {b, n})));  // s_0 = tanh(W_s h←_1 + b_s)
}

Var RnnSearch::DecoderInputs(Var y_prev, const EncoderOutput& enc) {
  return dec().ProjectInputs(enc.dec_weights, y_prev);
}

Seq2Seq::StepContext RnnSearch::ContextAt(Var s_prev, const EncoderOutput& enc) {
  layers::AttentionOutput a = attention_.Attend(s_prev, enc.annotations, enc.keys, enc.src_mask);
  return {a.context, a.alpha};
}

}  // namespace nmt::models
