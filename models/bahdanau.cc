#include "models/bahdanau.h"

#include "base/check.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/softmax.h"

namespace nmt::models {

std::unique_ptr<DecoderState> BahdanauState::Select(absl::Span<const int> rows) const {
  auto out = std::make_unique<BahdanauState>();
  out->s = SelectRows(s, rows);
  out->dec_weights = dec_weights;
  out->source = source.Select(rows);
  out->src_mask = SelectSourceRows(src_mask, source, out->source, rows);
  out->annotations = SelectSourceRows(annotations, source, out->source, rows);
  out->keys = SelectSourceRows(keys, source, out->source, rows);
  out->context = SelectSourceRows(context, source, out->source, rows);
  out->context_proj = SelectSourceRows(context_proj, source, out->source, rows);
  return out;
}

std::vector<Var*> BahdanauState::Vars() {
  std::vector<Var*> vars = {&s, &annotations, &keys, &context, &context_proj};
  AppendVars(dec_weights, vars);
  return vars;
}

BahdanauModel::BahdanauModel(const ModelConfig& config) : Model(config) {
  NMT_CHECK(config.src_vocab() > 0 && config.tgt_vocab() > 0 && config.m() > 0 && config.n() > 0 && config.l() > 0)
      << "BahdanauModel: bad sizes in config " << config.ShortDebugString();
}

void BahdanauModel::AddDecoder(int64_t context_size) {
  const ModelConfig& c = config();
  tgt_embedding_ = std::make_unique<layers::Embedding>(c.tgt_vocab(), c.m(), "tgt_embedding");
  dec_ = std::make_unique<layers::Gru>(GruOptionsFor(c, c.m(), context_size));
  readout_ = std::make_unique<layers::DeepOutput>(c.n(), c.m(), context_size, c.l(), c.tgt_vocab());
  RegisterModule("", tgt_embedding_.get());
  RegisterModule("dec", dec_.get());
  RegisterModule("readout", readout_.get());
}

BahdanauState BahdanauModel::EncodeState(absl::Span<const int32_t> src, const Tensor& src_mask, Regularizer& reg) {
  NMT_CHECK(src_mask.rank() == 2 && static_cast<int64_t>(src.size()) == src_mask.size())
      << "BahdanauModel::Encode: " << src.size() << " ids for mask " << src_mask.ShapeString();
  BahdanauState state;
  state.src_mask = src_mask;
  state.source = SourceRows(src_mask.dim(0));
  state.dec_weights = dec_->Stack();
  EncodeInto(src, src_mask, reg, state);
  return state;
}

std::unique_ptr<DecoderState> BahdanauModel::Encode(absl::Span<const int32_t> src, const Tensor& src_mask) {
  Regularizer none(config(), ForwardOptions());  // decoding drops nothing
  return std::make_unique<BahdanauState>(EncodeState(src, src_mask, none));
}

ForwardResult BahdanauModel::Forward(const datasets::Batch& batch, const ForwardOptions& options) {
  NMT_CHECK(batch.target_length > 0 && batch.batch_size > 0) << "BahdanauModel::Forward: a batch without targets";
  const int64_t b = batch.batch_size, t = batch.target_length, n = config().n();
  Regularizer reg(config(), options);
  const BahdanauState enc = EncodeState(batch.source_ids, SourceMask(batch), reg);
  const layers::GruWeights& w = enc.dec_weights;
  Var y_prev = reg.TargetEmbeddings(EmbedPrevious(*tgt_embedding_, batch));
  const Tensor* dec_dropout = reg.RecurrentMask(2, b, n);
  Var inputs = Transpose(DecoderInputs(y_prev, enc), {1, 0, 2});  // (T_y, B, 3n): one block per step
  Var s = enc.s;
  std::vector<Var> states, contexts, alphas;
  for (int64_t i = 0; i < t; ++i) {
    StepContext ctx = ContextAt(s, enc);
    states.push_back(Reshape(s, {b, 1, n}));
    if (!fixed_context()) contexts.push_back(Reshape(ctx.context, {b, 1, ctx.context.dim(1)}));
    if (ctx.alpha.defined()) alphas.push_back(Reshape(ctx.alpha, {b, 1, ctx.alpha.dim(1)}));
    if (i + 1 < t) {  // p(y_i) reads s_{i−1}: the last state is never used
      Var x = Reshape(Slice(inputs, 0, i, 1), {b, 3 * n});
      if (!fixed_context()) x = Add(x, dec_->ProjectContext(w, ctx.context));
      s = dec_->Step(w, x, s, nullptr, dec_dropout);
    }
  }
  ForwardResult out;
  out.intermediates.emplace_back("s0", enc.s);
  Var hidden = readout_->Hidden(reg.Hidden(Concat(states, 1), 0), y_prev,
                                reg.Hidden(fixed_context() ? enc.context : Concat(contexts, 1), 1));
  // W_o over all target steps in one product, made 2-D before it so that the largest
  // tensor of the step, (B·T_y, K_y), is never reshaped (a reshape's backward copies).
  out.logits = readout_->Logits(Reshape(hidden, {b * t, hidden.dim(2)}));
  Var nll =
      SoftmaxCrossEntropy(out.logits, batch.target_ids, TargetMask(batch).Reshaped({b * t}), reg.label_smoothing());
  out.loss = Scale(Sum(nll), 1.0f / static_cast<float>(b));
  out.nll = Sum(Reshape(nll, {b, t}), 1);
  if (!alphas.empty()) {
    out.alpha = Concat(alphas, 1);
    out.intermediates.emplace_back("annotations", enc.annotations);
  }
  return out;
}

StepResult BahdanauModel::Step(const DecoderState& previous_state, absl::Span<const int32_t> previous) {
  const auto* state = dynamic_cast<const BahdanauState*>(&previous_state);
  NMT_CHECK(state != nullptr) << "BahdanauModel::Step: a state of another model";
  const int64_t b = state->rows(), n = config().n();
  NMT_CHECK(previous.empty() || static_cast<int64_t>(previous.size()) == b)
      << "BahdanauModel::Step: " << previous.size() << " previous words for " << b << " rows";
  // E y_{i−1}, with E y_0 = 0; a PAD id gives E's row 0 (search feeds it to finished rows only).
  Var y_prev = previous.empty() ? ZeroConstant("BahdanauModel::Step", {b, config().m()})
                                : tgt_embedding_->Forward(previous, {b});
  const layers::GruWeights& w = state->dec_weights;
  StepContext ctx = ContextAt(state->s, *state);
  Var c = fixed_context() ? Reshape(state->context, {b, state->context.dim(2)}) : ctx.context;
  StepResult out;
  out.log_probs = LogSoftmax(readout_->Forward(state->s, y_prev, c), -1).value();
  if (ctx.alpha.defined()) out.alpha = ctx.alpha.value();
  Var x = dec_->ProjectInputs(w, y_prev);
  x = Add(x, fixed_context() ? Reshape(state->context_proj, {b, 3 * n}) : dec_->ProjectContext(w, ctx.context));
  auto next = std::make_unique<BahdanauState>(*state);
  next->s = dec_->Step(w, x, state->s);
  out.state = std::move(next);
  return out;
}

void BahdanauModel::InitializeOutputPrior(absl::Span<const int64_t> target_counts) {
  if (config().has_output_prior() && !config().output_prior()) return;
  SetToLogUnigram(*FindParameter("readout.b_y"), target_counts, "BahdanauModel");
}

}  // namespace nmt::models
