#include "models/rnnencdec.h"

#include "ops/elementwise.h"
#include "ops/shape.h"

namespace nmt::models {

RnnEncDec::RnnEncDec(const ModelConfig& config)
    : BahdanauModel(config),
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

absl::StatusOr<std::unique_ptr<Model>> RnnEncDec::Create(const ModelConfig& config) {
  if (absl::Status s = CheckSizesPositive(config, {"src_vocab", "tgt_vocab", "m", "n", "l"}); !s.ok()) return s;
  return std::make_unique<RnnEncDec>(config);
}

// The reference's forward_flops (its README, "bench JSON fields").
double RnnEncDec::ForwardFlops(int64_t batch, int64_t src_len, int64_t tgt_len) const {
  const ModelConfig& c = config();
  const double m = c.m(), n = c.n(), l = c.l(), vocab = c.tgt_vocab();
  const double b = batch, tx = src_len, ty = tgt_len;
  const double gru_input = 2 * m * 3 * n, gru_recurrent = 2 * 3 * n * n;
  const double readout = 2 * (n + m) * 2 * l + 2 * l * vocab;
  const double encoder = b * tx * (gru_input + gru_recurrent);
  const double per_sentence = 2 * (2 * n * n) + 2 * n * 3 * n + 2 * n * 2 * l;
  return encoder + b * per_sentence + b * ty * (gru_input + readout) + b * (ty - 1) * gru_recurrent;
}

void RnnEncDec::EncodeInto(absl::Span<const int32_t> src, const Tensor& src_mask, Regularizer& reg,
                           BahdanauState& state) {
  const int64_t b = src_mask.dim(0), t = src_mask.dim(1), n = config().n();
  Var h = enc_.Run(reg.SourceEmbeddings(src_embedding_.Forward(src, {b, t})), src_mask, /*reverse=*/false,
                   reg.RecurrentMask(0, b, n));
  // Padding carried each sentence's last real state to the last position.
  Var c = Tanh(summary_.Forward(Reshape(Slice(h, 1, t - 1, 1), {b, n})));
  state.s = Tanh(init_.Forward(c));
  state.context = Reshape(c, {b, 1, n});
  state.context_proj = dec().ProjectContext(state.dec_weights, state.context);
}

Var RnnEncDec::DecoderInputs(Var y_prev, const BahdanauState& state) {
  return Add(dec().ProjectInputs(state.dec_weights, y_prev), state.context_proj);
}

BahdanauModel::StepContext RnnEncDec::ContextAt(Var, const BahdanauState& state) {
  return {Reshape(state.context, {state.context.dim(0), state.context.dim(2)}), Var()};
}

}  // namespace nmt::models
