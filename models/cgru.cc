#include "models/cgru.h"

#include <cmath>
#include <vector>

#include "base/check.h"
#include "models/layers/birnn.h"
#include "models/layers/pooling.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/softmax.h"

namespace nmt::models {

std::unique_ptr<DecoderState> CGruState::Select(absl::Span<const int> rows) const {
  auto out = std::make_unique<CGruState>();
  out->s = SelectRows(s, rows);
  out->dec_w = dec_w;
  out->source = source.Select(rows);
  out->src_mask = SelectSourceRows(src_mask, source, out->source, rows);
  out->annotations = SelectSourceRows(annotations, source, out->source, rows);
  out->keys = SelectSourceRows(keys, source, out->source, rows);
  return out;
}

std::vector<Var*> CGruState::Vars() {
  std::vector<Var*> vars = {&s, &annotations, &keys};
  AppendVars(dec_w.gru1, vars);
  AppendVars(dec_w.gru2, vars);
  return vars;
}

CGru::CGru(const ModelConfig& config)
    : Model(config),
      src_embedding_(config.src_vocab(), config.m(), "src_embedding"),
      enc_fwd_(GruOptionsFor(config, config.m(), 0)),
      enc_bwd_(GruOptionsFor(config, config.m(), 0)),
      init_(2 * config.n(), config.n(), {.weight = "W_init", .bias = "b_init"}),
      tgt_embedding_(config.tgt_vocab(), config.m(), "tgt_embedding"),
      dec_(GruOptionsFor(config, config.m(), 0), 2 * config.n(), config.n_align()),
      readout_(config.n(), config.m(), 2 * config.n(), config.m(), config.tgt_vocab()) {
  RegisterModule("", &src_embedding_);
  RegisterModule("enc_fwd", &enc_fwd_);
  RegisterModule("enc_bwd", &enc_bwd_);
  RegisterModule("init", &init_);
  RegisterModule("", &tgt_embedding_);
  RegisterModule("dec", &dec_);
  RegisterModule("readout", &readout_);
}

absl::StatusOr<std::unique_ptr<Model>> CGru::Create(const ModelConfig& config) {
  if (absl::Status s = CheckSizesPositive(config, {"src_vocab", "tgt_vocab", "m", "n", "n_align"}); !s.ok()) return s;
  return std::make_unique<CGru>(config);
}

CGruState CGru::EncodeState(absl::Span<const int32_t> src, const Tensor& src_mask, Regularizer& reg) {
  NMT_CHECK(src_mask.rank() == 2 && static_cast<int64_t>(src.size()) == src_mask.size())
      << "CGru::Encode: " << src.size() << " ids for mask " << src_mask.ShapeString();
  const int64_t b = src_mask.dim(0), t = src_mask.dim(1);
  CGruState state;
  state.src_mask = src_mask;
  state.source = SourceRows(b);
  state.dec_w = dec_.Stack();
  const int64_t n = config().n();
  Var x = reg.SourceEmbeddings(src_embedding_.Forward(src, {b, t}));
  state.annotations =
      layers::RunBidirectional(enc_fwd_, enc_bwd_, x, src_mask, reg.RecurrentMask(0, b, n), reg.RecurrentMask(1, b, n))
          .annotations;
  state.keys = dec_.Keys(state.annotations);                                       // once per sentence
  state.s = Tanh(init_.Forward(layers::MaskedMean(state.annotations, src_mask)));  // s_0
  return state;
}

std::unique_ptr<DecoderState> CGru::Encode(absl::Span<const int32_t> src, const Tensor& src_mask) {
  Regularizer none(config(), ForwardOptions());  // decoding drops nothing
  return std::make_unique<CGruState>(EncodeState(src, src_mask, none));
}

ForwardResult CGru::Forward(const datasets::Batch& batch, const ForwardOptions& options) {
  NMT_CHECK(batch.target_length > 0 && batch.batch_size > 0) << "CGru::Forward: a batch without targets";
  const int64_t b = batch.batch_size, t = batch.target_length, n = config().n();
  Regularizer reg(config(), options);
  const CGruState enc = EncodeState(batch.source_ids, SourceMask(batch), reg);
  Var y_prev = reg.TargetEmbeddings(EmbedPrevious(tgt_embedding_, batch));
  const Tensor* gru1_dropout = reg.RecurrentMask(2, b, n);
  const Tensor* gru2_dropout = reg.RecurrentMask(3, b, n);
  Var inputs = Transpose(dec_.ProjectInputs(enc.dec_w, y_prev), {1, 0, 2});  // (T_y, B, 3n)
  Var s = enc.s;
  std::vector<Var> states, contexts, alphas;
  for (int64_t i = 0; i < t; ++i) {
    layers::ConditionalGruOutput step = dec_.Step(enc.dec_w, Reshape(Slice(inputs, 0, i, 1), {b, 3 * n}), s,
                                                  enc.annotations, enc.keys, enc.src_mask, gru1_dropout, gru2_dropout);
    s = step.state;
    states.push_back(Reshape(s, {b, 1, n}));
    contexts.push_back(Reshape(step.context, {b, 1, 2 * n}));
    alphas.push_back(Reshape(step.alpha, {b, 1, step.alpha.dim(1)}));
  }
  ForwardResult out;
  Var hidden = readout_.Hidden(reg.Hidden(Concat(states, 1), 0), y_prev, reg.Hidden(Concat(contexts, 1), 1));
  out.logits = readout_.Logits(Reshape(hidden, {b * t, hidden.dim(2)}));  // one product for all steps
  Var nll =
      SoftmaxCrossEntropy(out.logits, batch.target_ids, TargetMask(batch).Reshaped({b * t}), reg.label_smoothing());
  out.loss = Scale(Sum(nll), 1.0f / static_cast<float>(b));
  out.nll = Sum(Reshape(nll, {b, t}), 1);
  out.alpha = Concat(alphas, 1);
  out.intermediates = {{"s0", enc.s}, {"annotations", enc.annotations}};
  return out;
}

StepResult CGru::Step(const DecoderState& previous_state, absl::Span<const int32_t> previous) {
  const auto* state = dynamic_cast<const CGruState*>(&previous_state);
  NMT_CHECK(state != nullptr) << "CGru::Step: a state of another model";
  const int64_t b = state->rows();
  NMT_CHECK(previous.empty() || static_cast<int64_t>(previous.size()) == b)
      << "CGru::Step: " << previous.size() << " previous words for " << b << " rows";
  Var y_prev = previous.empty() ? ZeroConstant("CGru::Step", {b, config().m()}) : tgt_embedding_.Forward(previous, {b});
  layers::ConditionalGruOutput step = dec_.Step(state->dec_w, dec_.ProjectInputs(state->dec_w, y_prev), state->s,
                                                state->annotations, state->keys, state->src_mask);
  StepResult out;
  out.log_probs = LogSoftmax(readout_.Forward(step.state, y_prev, step.context), -1).value();
  out.alpha = step.alpha.value();
  auto next = std::make_unique<CGruState>(*state);
  next->s = step.state;
  out.state = std::move(next);
  return out;
}

void CGru::InitializeOutputPrior(absl::Span<const int64_t> target_counts) {
  if (config().has_output_prior() && !config().output_prior()) return;
  SetToLogUnigram(*FindParameter("readout.b_y"), target_counts, "CGru");
}

// Counted as the reference counts RNNsearch: 2 per multiply-add of every matrix product.
double CGru::ForwardFlops(int64_t batch, int64_t src_len, int64_t tgt_len) const {
  const ModelConfig& c = config();
  const double m = c.m(), n = c.n(), na = c.n_align(), vocab = c.tgt_vocab();
  const double b = batch, tx = src_len, ty = tgt_len;
  const double gru_recurrent = 2 * 3 * n * n;
  const double encoder = b * tx * (2 * (2 * m * 3 * n + gru_recurrent) + 2 * 2 * n * na);  // both directions, U_a h
  const double initial = b * 2 * 2 * n * n;                                                // W_init mean h
  const double attention = 2 * n * na + 2 * tx * na + 2 * tx * 2 * n;
  const double per_target = 2 * m * 3 * n + gru_recurrent               // GRU_1
                            + attention                                 //
                            + 2 * 2 * n * 3 * n + gru_recurrent         // GRU_2
                            + 2 * (n + m + 2 * n) * m + 2 * m * vocab;  // readout
  return encoder + initial + b * ty * per_target;
}

}  // namespace nmt::models
