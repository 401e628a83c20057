#include "models/model.h"

#include <vector>

#include "base/check.h"
#include "google/protobuf/descriptor.h"
#include "ops/backend.h"
#include "ops/shape.h"

namespace nmt::models {

void Model::InitializeFromConfig() {
  if (config_.init() == ModelConfig::INIT_NORMAL) {
    InitializeNormal(config_.seed(), config_.init_stddev());
  } else {
    Initialize(config_.seed());
  }
}

Tensor SourceMask(const datasets::Batch& batch) {
  return CurrentTape("SourceMask").context().FromVector({batch.batch_size, batch.source_length}, batch.source_mask);
}

Tensor TargetMask(const datasets::Batch& batch) {
  return CurrentTape("TargetMask").context().FromVector({batch.batch_size, batch.target_length}, batch.target_mask);
}

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

}  // namespace nmt::models
