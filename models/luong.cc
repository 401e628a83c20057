#include "models/luong.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/check.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/softmax.h"

namespace nmt::models {
namespace {

layers::LuongScore ScoreOf(const ModelConfig& config) {
  switch (config.attention_score()) {
    case ModelConfig::SCORE_DOT:
      return layers::LuongScore::kDot;
    case ModelConfig::SCORE_CONCAT:
      return layers::LuongScore::kConcat;
    default:
      return layers::LuongScore::kGeneral;
  }
}

int64_t Depth(const ModelConfig& config) { return config.layers() > 0 ? config.layers() : 1; }

}  // namespace

std::unique_ptr<DecoderState> LuongState::Select(absl::Span<const int> rows) const {
  auto out = std::make_unique<LuongState>();
  for (const Var& s : layers) out->layers.push_back(SelectRows(s, rows));
  out->feed = SelectRows(feed, rows);
  out->gru_w = gru_w;
  out->lstm_w = lstm_w;
  out->source = source.Select(rows);
  out->src_mask = SelectSourceRows(src_mask, source, out->source, rows);
  out->annotations = SelectSourceRows(annotations, source, out->source, rows);
  out->keys = SelectSourceRows(keys, source, out->source, rows);
  return out;
}

std::vector<Var*> LuongState::Vars() {
  std::vector<Var*> vars = {&feed, &annotations, &keys};
  for (Var& s : layers) vars.push_back(&s);
  for (layers::GruWeights& w : gru_w) AppendVars(w, vars);
  for (layers::LstmWeights& w : lstm_w) AppendVars(w, vars);
  return vars;
}

Luong::Luong(const ModelConfig& config)
    : Model(config),
      src_embedding_(config.src_vocab(), config.m(), "src_embedding"),
      tgt_embedding_(config.tgt_vocab(), config.m(), "tgt_embedding"),
      attention_(ScoreOf(config), config.n(), config.n_align()),
      output_(config.n(), config.tgt_vocab(), {.weight = "W_s", .bias = "b_s"}) {
  const int64_t m = config.m(), n = config.n(), depth = Depth(config);
  RegisterModule("", &src_embedding_);
  for (int64_t k = 0; k < depth; ++k) {
    const int64_t in = k == 0 ? m : n;
    if (lstm()) {
      enc_lstm_.push_back(std::make_unique<layers::Lstm>(layers::LstmOptions{.input_size = in, .hidden_size = n}));
      RegisterModule(absl::StrCat("enc", k + 1), enc_lstm_.back().get());
    } else {
      enc_gru_.push_back(std::make_unique<layers::Gru>(GruOptionsFor(config, in, 0)));
      RegisterModule(absl::StrCat("enc", k + 1), enc_gru_.back().get());
    }
  }
  RegisterModule("", &tgt_embedding_);
  for (int64_t k = 0; k < depth; ++k) {
    const int64_t in = k == 0 ? m : n, fed = k == 0 && input_feeding() ? n : 0;
    if (lstm()) {
      dec_lstm_.push_back(
          std::make_unique<layers::Lstm>(layers::LstmOptions{.input_size = in, .hidden_size = n, .context_size = fed}));
      RegisterModule(absl::StrCat("dec", k + 1), dec_lstm_.back().get());
    } else {
      dec_gru_.push_back(std::make_unique<layers::Gru>(GruOptionsFor(config, in, fed)));
      RegisterModule(absl::StrCat("dec", k + 1), dec_gru_.back().get());
    }
  }
  RegisterModule("attention", &attention_);
  RegisterModule("output", &output_);
}

absl::StatusOr<std::unique_ptr<Model>> Luong::Create(const ModelConfig& config) {
  std::vector<const char*> sizes = {"src_vocab", "tgt_vocab", "m", "n"};
  if (config.attention_score() == ModelConfig::SCORE_CONCAT) sizes.push_back("n_align");
  if (absl::Status s = CheckSizesPositive(config, sizes); !s.ok()) return s;
  if (config.layers() < 0) return absl::InvalidArgumentError("model config: layers must not be negative");
  return std::make_unique<Luong>(config);
}

LuongState Luong::EncodeState(absl::Span<const int32_t> src, const Tensor& src_mask, Regularizer& reg) {
  NMT_CHECK(src_mask.rank() == 2 && static_cast<int64_t>(src.size()) == src_mask.size())
      << "Luong::Encode: " << src.size() << " ids for mask " << src_mask.ShapeString();
  const int64_t b = src_mask.dim(0), t = src_mask.dim(1), n = config().n();
  LuongState state;
  state.src_mask = src_mask;
  state.source = SourceRows(b);
  Var x = reg.SourceEmbeddings(src_embedding_.Forward(src, {b, t}));
  // Padding carried each sentence's last real state to the last position.
  auto last = [&](Var states) { return Reshape(Slice(states, 1, t - 1, 1), {b, states.dim(2)}); };
  for (int64_t k = 0; k < depth(); ++k) {
    if (lstm()) {
      Var states = enc_lstm_[k]->RunStates(x, src_mask, /*reverse=*/false, reg.RecurrentMask(k, b, n));  // (B, T, 2n)
      state.layers.push_back(last(states));
      x = enc_lstm_[k]->Hidden(states);
      state.lstm_w.push_back(dec_lstm_[k]->Stack());
    } else {
      x = enc_gru_[k]->Run(x, src_mask, /*reverse=*/false, reg.RecurrentMask(k, b, n));
      state.layers.push_back(last(x));
      state.gru_w.push_back(dec_gru_[k]->Stack());
    }
  }
  NMT_CHECK(x.dim(2) == n) << "Luong::Encode: annotations " << x.ShapeString();
  state.annotations = x;
  state.keys = attention_.Keys(x);  // once per sentence
  return state;
}

std::unique_ptr<DecoderState> Luong::Encode(absl::Span<const int32_t> src, const Tensor& src_mask) {
  Regularizer none(config(), ForwardOptions());  // decoding drops nothing
  return std::make_unique<LuongState>(EncodeState(src, src_mask, none));
}

Var Luong::ProjectInputs(const LuongState& state, int64_t k, Var x) const {
  return lstm() ? dec_lstm_[k]->ProjectInputs(state.lstm_w[k], x) : dec_gru_[k]->ProjectInputs(state.gru_w[k], x);
}

Luong::DecoderOutput Luong::DecoderStep(LuongState& state, Var x_proj, absl::Span<const Tensor* const> dropout) const {
  Var h;
  for (int64_t k = 0; k < depth(); ++k) {
    const Tensor* recurrent_mask = dropout.empty() ? nullptr : dropout[k];
    Var x = k == 0 ? x_proj : ProjectInputs(state, k, h);
    if (k == 0 && state.feed.defined()) {  // input feeding: W_f h̃_{t−1} (h̃_0 = 0 adds nothing)
      x = Add(x, lstm() ? dec_lstm_[0]->ProjectContext(state.lstm_w[0], state.feed)
                        : dec_gru_[0]->ProjectContext(state.gru_w[0], state.feed));
    }
    if (lstm()) {
      state.layers[k] = dec_lstm_[k]->Step(state.lstm_w[k], x, state.layers[k], nullptr, recurrent_mask);
      h = dec_lstm_[k]->Hidden(state.layers[k]);
    } else {
      state.layers[k] = dec_gru_[k]->Step(state.gru_w[k], x, state.layers[k], nullptr, recurrent_mask);
      h = state.layers[k];
    }
  }
  layers::LuongAttentionOutput a = attention_.Attend(h, state.annotations, state.keys, state.src_mask);
  if (input_feeding()) state.feed = a.attentional;
  return {a.attentional, a.alpha};
}

ForwardResult Luong::Forward(const datasets::Batch& batch, const ForwardOptions& options) {
  NMT_CHECK(batch.target_length > 0 && batch.batch_size > 0) << "Luong::Forward: a batch without targets";
  const int64_t b = batch.batch_size, t = batch.target_length, n = config().n();
  Regularizer reg(config(), options);
  LuongState state = EncodeState(batch.source_ids, SourceMask(batch), reg);
  ForwardResult out;
  out.intermediates = {{"annotations", state.annotations}};
  Var y_prev = reg.TargetEmbeddings(EmbedPrevious(tgt_embedding_, batch));
  std::vector<const Tensor*> dec_dropout;
  for (int64_t k = 0; k < depth(); ++k) dec_dropout.push_back(reg.RecurrentMask(depth() + k, b, n));
  if (dec_dropout.front() == nullptr) dec_dropout.clear();
  Var inputs = Transpose(ProjectInputs(state, 0, y_prev), {1, 0, 2});  // (T_y, B, G·n): one block per step
  std::vector<Var> attentional, alphas;
  for (int64_t i = 0; i < t; ++i) {
    DecoderOutput step = DecoderStep(state, Reshape(Slice(inputs, 0, i, 1), {b, inputs.dim(2)}), dec_dropout);
    attentional.push_back(Reshape(step.attentional, {b, 1, n}));
    alphas.push_back(Reshape(step.alpha, {b, 1, step.alpha.dim(1)}));
  }
  // W_s over all steps at once, from h̃ dropped (the fed h̃ is not).
  out.logits = output_.Forward(Reshape(reg.Hidden(Concat(attentional, 1), 0), {b * t, n}));
  Var nll =
      SoftmaxCrossEntropy(out.logits, batch.target_ids, TargetMask(batch).Reshaped({b * t}), reg.label_smoothing());
  out.loss = Scale(Sum(nll), 1.0f / static_cast<float>(b));
  out.nll = Sum(Reshape(nll, {b, t}), 1);
  out.alpha = Concat(alphas, 1);
  return out;
}

StepResult Luong::Step(const DecoderState& previous_state, absl::Span<const int32_t> previous) {
  const auto* old = dynamic_cast<const LuongState*>(&previous_state);
  NMT_CHECK(old != nullptr) << "Luong::Step: a state of another model";
  const int64_t b = old->rows();
  NMT_CHECK(previous.empty() || static_cast<int64_t>(previous.size()) == b)
      << "Luong::Step: " << previous.size() << " previous words for " << b << " rows";
  Var y_prev =
      previous.empty() ? ZeroConstant("Luong::Step", {b, config().m()}) : tgt_embedding_.Forward(previous, {b});
  auto next = std::make_unique<LuongState>(*old);
  DecoderOutput step = DecoderStep(*next, ProjectInputs(*next, 0, y_prev));
  StepResult out;
  out.log_probs = LogSoftmax(output_.Forward(step.attentional), -1).value();
  out.alpha = step.alpha.value();
  out.state = std::move(next);
  return out;
}

// 2 per multiply-add of every matrix product, as the reference counts RNNsearch.
double Luong::ForwardFlops(int64_t batch, int64_t src_len, int64_t tgt_len) const {
  const ModelConfig& c = config();
  const double m = c.m(), n = c.n(), na = c.n_align(), vocab = c.tgt_vocab(), depth = Depth(c);
  const double gates = lstm() ? 4 : 3, b = batch, tx = src_len, ty = tgt_len;
  const double layers = 2 * m * gates * n + (depth - 1) * 2 * n * gates * n + depth * 2 * gates * n * n;
  double keys = 0, score = 2 * tx * n;
  if (c.attention_score() == ModelConfig::SCORE_GENERAL) keys = 2 * n * n;
  if (c.attention_score() == ModelConfig::SCORE_CONCAT) keys = 2 * n * na, score = 2 * n * na + 2 * tx * na;
  const double feed = input_feeding() ? 2 * n * gates * n : 0;
  const double per_target = layers + feed + score + 2 * tx * n + 2 * 2 * n * n + 2 * n * vocab;
  return b * tx * (layers + keys) + b * ty * per_target;
}

}  // namespace nmt::models
