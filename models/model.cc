#include "models/model.h"

#include <cmath>
#include <numeric>
#include <vector>

#include "base/check.h"
#include "base/random.h"
#include "google/protobuf/descriptor.h"
#include "ops/backend.h"
#include "ops/elementwise.h"
#include "ops/shape.h"

namespace nmt::models {

void Model::InitializeFromConfig() {
  if (config_.init() == ModelConfig::INIT_NORMAL) {
    InitializeNormal(config_.seed(), config_.init_stddev());
  } else {
    Initialize(config_.seed());
  }
}

namespace {

// The streams of masks of one pass, each its own seed (SiteSeed); recurrent layer k
// draws from kFirstRecurrentSite + k.
enum Site : uint64_t {
  kSourceWords = 1,
  kSourceElements = 2,
  kTargetWords = 3,
  kTargetElements = 4,
  kFirstHiddenSite = 16,
  kFirstRecurrentSite = 64,
};

}  // namespace

Regularizer::Regularizer(const ModelConfig& config, const ForwardOptions& options) : options_(options) {
  if (!options.training) return;
  dropout_ = config.dropout();
  dropout_rnn_ = config.dropout_rnn();
  dropout_src_ = config.dropout_src();
  dropout_tgt_ = config.dropout_tgt();
  for (float p : {dropout_, dropout_rnn_, dropout_src_, dropout_tgt_}) {
    NMT_CHECK(p >= 0.0f && p < 1.0f) << "Regularizer: a dropout rate outside [0, 1) in " << config.ShortDebugString();
  }
}

uint64_t Regularizer::SiteSeed(uint64_t site) const { return SplitMix64At(options_.seed, site); }

Var Regularizer::SourceEmbeddings(Var x) const {
  NMT_CHECK(x.rank() == 3) << "Regularizer::SourceEmbeddings: " << x.ShapeString() << " is not (B, T, m)";
  x = SharedDropout(x, {x.dim(0), x.dim(1), 1}, dropout_src_, SiteSeed(kSourceWords), options_.first_row);
  return Dropout(x, dropout_, SiteSeed(kSourceElements), options_.first_row);
}

Var Regularizer::TargetEmbeddings(Var y_prev) const {
  NMT_CHECK(y_prev.rank() == 3) << "Regularizer::TargetEmbeddings: " << y_prev.ShapeString() << " is not (B, T, m)";
  y_prev = SharedDropout(y_prev, {y_prev.dim(0), y_prev.dim(1), 1}, dropout_tgt_, SiteSeed(kTargetWords),
                         options_.first_row);
  return Dropout(y_prev, dropout_, SiteSeed(kTargetElements), options_.first_row);
}

Var Regularizer::Hidden(Var x, int site) const {
  constexpr int kHiddenSites = static_cast<int>(kFirstRecurrentSite - kFirstHiddenSite);
  NMT_CHECK(site >= 0 && site < kHiddenSites) << "Regularizer::Hidden: site " << site;
  return Dropout(x, dropout_, SiteSeed(kFirstHiddenSite + site), options_.first_row);
}

const Tensor* Regularizer::RecurrentMask(int layer, int64_t batch, int64_t n) {
  NMT_CHECK(layer >= 0) << "Regularizer::RecurrentMask: layer " << layer;
  if (dropout_rnn_ == 0.0f) return nullptr;
  DeviceContext& context = CurrentTape("Regularizer::RecurrentMask").context();
  recurrent_masks_.push_back(std::make_unique<Tensor>(
      DropoutMask(context, {batch, n}, dropout_rnn_, SiteSeed(kFirstRecurrentSite + layer), options_.first_row)));
  return recurrent_masks_.back().get();
}

Tensor SourceMask(const datasets::Batch& batch) {
  return CurrentTape("SourceMask").context().FromVector({batch.batch_size, batch.source_length}, batch.source_mask);
}

Tensor TargetMask(const datasets::Batch& batch) {
  return CurrentTape("TargetMask").context().FromVector({batch.batch_size, batch.target_length}, batch.target_mask);
}

void SetToLogUnigram(Parameter& bias, absl::Span<const int64_t> target_counts, const char* model) {
  NMT_CHECK(bias.value().size() == static_cast<int64_t>(target_counts.size()))
      << model << "::InitializeOutputPrior: " << target_counts.size() << " counts for an output bias of "
      << bias.value().size();
  double total = 0;
  for (int64_t c : target_counts) total += static_cast<double>(c) + 1.0;
  Tensor host = bias.value().ToHost();
  for (size_t k = 0; k < target_counts.size(); ++k) {
    host.data()[k] = static_cast<float>(std::log((static_cast<double>(target_counts[k]) + 1.0) / total));
  }
  if (!host.SharesStorageWith(bias.value())) bias.value().CopyFrom(host);
}

void AppendVars(layers::GruWeights& w, std::vector<Var*>& vars) {
  vars.insert(vars.end(), {&w.w, &w.b, &w.u_zr, &w.u, &w.c});
}

void AppendVars(layers::LstmWeights& w, std::vector<Var*>& vars) { vars.insert(vars.end(), {&w.w, &w.b, &w.u, &w.c}); }

Var ZeroConstant(const char* op, const Shape& shape) {
  Tape& tape = CurrentTape(op);
  return tape.Constant(tape.context().Zeros(shape));
}

layers::GruOptions GruOptionsFor(const ModelConfig& config, int64_t input_size, int64_t context_size) {
  return {.input_size = input_size,
          .hidden_size = config.n(),
          .context_size = context_size,
          .form = config.gru_variant() == ModelConfig::LINEAR_BEFORE_RESET ? GruForm::kLinearBeforeReset
                                                                           : GruForm::kResetBeforeU};
}

Var EmbedPrevious(const layers::Embedding& embedding, const datasets::Batch& batch) {
  const int64_t b = batch.batch_size, t = batch.target_length;
  Var zeros = ZeroConstant("EmbedPrevious", {b, 1, embedding.width()});
  if (t == 1) return zeros;
  std::vector<int32_t> previous;
  previous.reserve(b * (t - 1));
  for (int64_t i = 0; i < b; ++i) {
    previous.insert(previous.end(), batch.target_ids.begin() + i * t, batch.target_ids.begin() + i * t + t - 1);
  }
  return Concat({zeros, embedding.Forward(previous, {b, t - 1})}, 1);
}

absl::Status CheckSizesPositive(const ModelConfig& config, absl::Span<const char* const> fields) {
  const google::protobuf::Descriptor* descriptor = config.GetDescriptor();
  const google::protobuf::Reflection* reflection = config.GetReflection();
  for (const char* name : fields) {
    const google::protobuf::FieldDescriptor* field = descriptor->FindFieldByName(name);
    NMT_CHECK(field != nullptr && field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64)
        << "CheckSizesPositive: ModelConfig has no int64 field " << name;
    if (reflection->GetInt64(config, field) <= 0) {
      return absl::InvalidArgumentError("model config: sizes must be positive: " + config.ShortDebugString());
    }
  }
  return absl::OkStatus();
}

Tensor SelectRows(const Tensor& x, absl::Span<const int> rows) {
  NMT_CHECK(x.rank() >= 1) << "SelectRows: a scalar " << x.ShapeString();
  Shape shape = x.shape();
  shape[0] = rows.size();
  DeviceContext& context = CurrentTape("SelectRows").context();
  Tensor y = context.Allocate(shape);
  std::vector<int32_t> row_ids(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    NMT_CHECK(rows[i] >= 0 && rows[i] < x.dim(0)) << "SelectRows: row " << rows[i] << " of " << x.ShapeString();
    row_ids[i] = rows[i];
  }
  KernelsFor(context).gather_rows(context, x, context.FromInt32s({static_cast<int64_t>(rows.size())}, row_ids), y);
  return y;
}

Var SelectRows(Var x, absl::Span<const int> rows) {
  return x.defined() ? CurrentTape("SelectRows").Constant(SelectRows(x.value(), rows)) : Var();
}

SourceRows::SourceRows(int64_t sentences) : sentence_(sentences) { std::iota(sentence_.begin(), sentence_.end(), 0); }

SourceRows SourceRows::Select(absl::Span<const int> rows) const {
  SourceRows out;
  if (sentence_.empty()) return out;
  out.sentence_.reserve(rows.size());
  for (int row : rows) {
    NMT_CHECK(row >= 0 && row < static_cast<int>(sentence_.size()))
        << "SourceRows::Select: row " << row << " of " << sentence_.size();
    out.sentence_.push_back(sentence_[row]);
  }
  return out;
}

Var SelectSourceRows(Var x, const SourceRows& before, const SourceRows& after, absl::Span<const int> rows) {
  return before.SameAs(after) ? x : SelectRows(x, rows);
}

Tensor SelectSourceRows(const Tensor& x, const SourceRows& before, const SourceRows& after,
                        absl::Span<const int> rows) {
  return before.SameAs(after) ? x : SelectRows(x, rows);
}

}  // namespace nmt::models
