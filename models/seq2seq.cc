#include "models/seq2seq.h"

#include <limits>

#include "base/check.h"
#include "datasets/special_ids.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/softmax.h"

namespace nmt::models {

layers::GruOptions GruOptionsFor(const ModelConfig& config, int64_t input_size, int64_t context_size) {
  return {.input_size = input_size,
          .hidden_size = config.n(),
          .context_size = context_size,
          .form = config.gru_variant() == ModelConfig::LINEAR_BEFORE_RESET ? GruForm::kLinearBeforeReset
                                                                           : GruForm::kResetBeforeU};
}

Tensor SourceMask(const datasets::Batch& batch) {
  return Tensor::FromVector({batch.batch_size, batch.source_length}, batch.source_mask);
}

Tensor TargetMask(const datasets::Batch& batch) {
  return Tensor::FromVector({batch.batch_size, batch.target_length}, batch.target_mask);
}

Seq2Seq::Seq2Seq(const ModelConfig& config) : config_(config) {
  NMT_CHECK(config.src_vocab() > 0 && config.tgt_vocab() > 0 && config.m() > 0 && config.n() > 0 && config.l() > 0)
      << "Seq2Seq: bad sizes in config " << config.ShortDebugString();
}

void Seq2Seq::InitializeFromConfig() {
  if (config_.init() == ModelConfig::INIT_NORMAL) {
    InitializeNormal(config_.seed(), config_.init_stddev());
  } else {
    Initialize(config_.seed());
  }
}

void Seq2Seq::AddDecoder(int64_t context_size) {
  const ModelConfig& c = config_;
  tgt_embedding_ = std::make_unique<layers::Embedding>(c.tgt_vocab(), c.m(), "tgt_embedding");
  dec_ = std::make_unique<layers::Gru>(GruOptionsFor(c, c.m(), context_size));
  readout_ = std::make_unique<layers::DeepOutput>(c.n(), c.m(), context_size, c.l(), c.tgt_vocab());
  RegisterModule("", tgt_embedding_.get());
  RegisterModule("dec", dec_.get());
  RegisterModule("readout", readout_.get());
}

EncoderOutput Seq2Seq::Encode(absl::Span<const int32_t> src, const Tensor& src_mask) {
  NMT_CHECK(src_mask.rank() == 2 && static_cast<int64_t>(src.size()) == src_mask.size())
      << "Seq2Seq::Encode: " << src.size() << " ids for mask " << src_mask.ShapeString();
  EncoderOutput enc;
  enc.batch_size = src_mask.dim(0);
  enc.src_mask = src_mask;
  enc.dec_weights = dec_->Stack();
  EncodeInto(src, src_mask, enc);
  return enc;
}

Var Seq2Seq::EmbedPrevious(const datasets::Batch& batch) const {
  const int64_t b = batch.batch_size, t = batch.target_length, m = config_.m();
  Var zeros = CurrentTape("EmbedPrevious").Constant(Tensor::Zeros({b, 1, m}));
  if (t == 1) return zeros;
  std::vector<int32_t> previous;
  previous.reserve(b * (t - 1));
  for (int64_t i = 0; i < b; ++i) {
    previous.insert(previous.end(), batch.target_ids.begin() + i * t, batch.target_ids.begin() + i * t + t - 1);
  }
  return Concat({zeros, tgt_embedding_->Forward(previous, {b, t - 1})}, 1);
}

Var Seq2Seq::EmbedTargets(absl::Span<const int32_t> ids) const {
  return tgt_embedding_->Forward(ids, {static_cast<int64_t>(ids.size())});
}

ForwardResult Seq2Seq::Forward(const datasets::Batch& batch) {
  NMT_CHECK(batch.target_length > 0 && batch.batch_size > 0) << "Seq2Seq::Forward: a batch without targets";
  const int64_t b = batch.batch_size, t = batch.target_length, n = config_.n();
  EncoderOutput enc = Encode(batch.source_ids, SourceMask(batch));
  const layers::GruWeights& w = enc.dec_weights;
  Var y_prev = EmbedPrevious(batch);
  Var inputs = Transpose(DecoderInputs(y_prev, enc), {1, 0, 2});  // (T_y, B, 3n): one block per step
  Var s = enc.s0;
  std::vector<Var> states, contexts, alphas;
  for (int64_t i = 0; i < t; ++i) {
    StepContext ctx = ContextAt(s, enc);
    states.push_back(Reshape(s, {b, 1, n}));
    if (!fixed_context()) contexts.push_back(Reshape(ctx.context, {b, 1, ctx.context.dim(1)}));
    if (ctx.alpha.defined()) alphas.push_back(Reshape(ctx.alpha, {b, 1, ctx.alpha.dim(1)}));
    if (i + 1 < t) {  // p(y_i) reads s_{i−1}: the last state is never used
      Var x = Reshape(Slice(inputs, 0, i, 1), {b, 3 * n});
      if (!fixed_context()) x = Add(x, dec_->ProjectContext(w, ctx.context));
      s = dec_->Step(w, x, s);
    }
  }
  ForwardResult out;
  out.s0 = enc.s0;
  Var hidden = readout_->Hidden(Concat(states, 1), y_prev, fixed_context() ? enc.context : Concat(contexts, 1));
  // W_o over all target steps in one product, made 2-D before it so that the largest
  // tensor of the step, (B·T_y, K_y), is never reshaped (a reshape's backward copies).
  out.logits = readout_->Logits(Reshape(hidden, {b * t, hidden.dim(2)}));
  Var nll = SoftmaxCrossEntropy(out.logits, batch.target_ids, TargetMask(batch).Reshaped({b * t}));
  out.loss = Scale(Sum(nll), 1.0f / static_cast<float>(b));
  out.nll = Sum(Reshape(nll, {b, t}), 1);
  if (!alphas.empty()) {
    out.alpha = Concat(alphas, 1);
    out.annotations = enc.annotations;
  }
  return out;
}

DecodeStepResult Seq2Seq::DecodeStep(Var s_prev, Var y_prev, const EncoderOutput& enc) {
  const int64_t b = s_prev.dim(0), n = config_.n();
  const layers::GruWeights& w = enc.dec_weights;
  StepContext ctx = ContextAt(s_prev, enc);
  Var c = fixed_context() ? Reshape(enc.context, {b, enc.context.dim(2)}) : ctx.context;
  DecodeStepResult out;
  out.log_probs = LogSoftmax(readout_->Forward(s_prev, y_prev, c), -1).value();
  const int64_t k = config_.tgt_vocab();
  for (int64_t i = 0; i < b; ++i)
    out.log_probs.data()[i * k + datasets::kPadId] = -std::numeric_limits<float>::infinity();
  Var x = dec_->ProjectInputs(w, y_prev);
  x = Add(x, fixed_context() ? Reshape(enc.context_proj, {b, 3 * n}) : dec_->ProjectContext(w, ctx.context));
  out.state = dec_->Step(w, x, s_prev);
  out.alpha = ctx.alpha;
  return out;
}

}  // namespace nmt::models
