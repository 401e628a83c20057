#include "models/rnnencdec.h"

#include "ops/elementwise.h"
#include "ops/shape.h"

namespace nmt::models {

RnnEncDec::RnnEncDec(const ModelConfig& config)
    : Seq2Seq(config),
      src_embedding_(config.src_vocab(), config.m(), "src_embedding"),
      enc_(GruOptionsFor(config, config.m(), 0)),
      summary_(config.n(), config.n(), {.weight = "V", .bias = "b_V"}),
      init_(config.n(), config.n(), {.weight = "V_prime", .bias = "b_V_prime"}) {
  RegisterModule("", &src_embedding_);
  RegisterModule("enc", &enc_);
  RegisterModule("", &summary_);
  RegisterModule("", &init_);
  AddDecoder(config.n());
}

void RnnEncDec::EncodeInto(absl::Span<const int32_t> src, const Tensor& src_mask, EncoderOutput& enc) {
  const int64_t b = src_mask.dim(0), t = src_mask.dim(1), n = config().n();
  Var h = enc_.Run(src_embedding_.Forward(src, {b, t}), src_mask, /*reverse=*/false);
  // Padding carried each sentence's last real state to the last position.
  Var c = Tanh(summary_.Forward(Reshape(Slice(h, 1, t - 1, 1), {b, n})));
  enc.s0 = Tanh(init_.Forward(c));
  enc.context = Reshape(c, {b, 1, n});
  enc.context_proj = dec().ProjectContext(enc.dec_weights, enc.context);
}

Var RnnEncDec::DecoderInputs(Var y_prev, const EncoderOutput& enc) {
  return Add(dec().ProjectInputs(enc.dec_weights, y_prev), enc.context_proj);
}

Seq2Seq::StepContext RnnEncDec::ContextAt(Var, const EncoderOutput& enc) {
  return {Reshape(enc.context, {enc.context.dim(0), enc.context.dim(2)}), Var()};
}

}  // namespace nmt::models
