#include "models/rnnsearch.h"

#include "models/layers/birnn.h"
#include "ops/elementwise.h"
#include "ops/shape.h"

namespace nmt::models {

RnnSearch::RnnSearch(const ModelConfig& config)
    : BahdanauModel(config),
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

absl::StatusOr<std::unique_ptr<Model>> RnnSearch::Create(const ModelConfig& config) {
  if (absl::Status s = CheckSizesPositive(config, {"src_vocab", "tgt_vocab", "m", "n", "n_align", "l"}); !s.ok()) {
    return s;
  }
  return std::make_unique<RnnSearch>(config);
}

// The reference's forward_flops (its README, "bench JSON fields").
double RnnSearch::ForwardFlops(int64_t batch, int64_t src_len, int64_t tgt_len) const {
  const ModelConfig& c = config();
  const double m = c.m(), n = c.n(), na = c.n_align(), l = c.l(), vocab = c.tgt_vocab();
  const double b = batch, tx = src_len, ty = tgt_len;
  const double gru_input = 2 * m * 3 * n, gru_recurrent = 2 * 3 * n * n;
  const double readout = 2 * (n + m) * 2 * l + 2 * l * vocab;
  const double encoder = b * tx * (2 * (gru_input + gru_recurrent) + 2 * 2 * n * na);
  const double initial = b * 2 * n * n;
  const double attention = 2 * n * na + 2 * tx * na + 2 * tx * 2 * n;
  const double per_target = gru_input + attention + 2 * 2 * n * 2 * l + readout;
  const double per_step = gru_recurrent + 2 * 2 * n * 3 * n;
  return encoder + initial + b * ty * per_target + b * (ty - 1) * per_step;
}

void RnnSearch::EncodeInto(absl::Span<const int32_t> src, const Tensor& src_mask, Regularizer& reg,
                           BahdanauState& state) {
  const int64_t b = src_mask.dim(0), t = src_mask.dim(1), n = config().n();
  Var x = reg.SourceEmbeddings(src_embedding_.Forward(src, {b, t}));
  layers::BiRnnStates states =
      layers::RunBidirectional(enc_fwd_, enc_bwd_, x, src_mask, reg.RecurrentMask(0, b, n), reg.RecurrentMask(1, b, n));
  state.annotations = states.annotations;
  state.keys = attention_.Keys(states.annotations);                                 // once per sentence
  state.s = Tanh(init_.Forward(Reshape(Slice(states.backward, 1, 0, 1), {b, n})));  // s_0 = tanh(W_s h←_1 + b_s)
}

Var RnnSearch::DecoderInputs(Var y_prev, const BahdanauState& state) {
  return dec().ProjectInputs(state.dec_weights, y_prev);
}

BahdanauModel::StepContext RnnSearch::ContextAt(Var s_prev, const BahdanauState& state) {
  layers::AttentionOutput a = attention_.Attend(s_prev, state.annotations, state.keys, state.src_mask);
  return {a.context, a.alpha};
}

}  // namespace nmt::models
