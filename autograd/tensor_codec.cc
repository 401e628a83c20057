#include "autograd/tensor_codec.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "autograd/tensor_bytes.h"

namespace nmt {
namespace {

// Prefixes an error with the tensor's name, keeping its code.
absl::Status Annotate(const absl::Status& status, const std::string& name) {
  return absl::Status(status.code(), absl::StrCat("tensor \"", name, "\": ", status.message()));
}

// Each name once and never empty: the name is the only key a loader matches on.
absl::Status CheckName(const std::string& name, absl::flat_hash_set<std::string>& seen) {
  if (name.empty()) return absl::InvalidArgumentError("a tensor has an empty name");
  if (!seen.insert(name).second) return absl::InvalidArgumentError(absl::StrCat("tensor name \"", name, "\" repeats"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TensorProto> TensorToProto(const Tensor& tensor) {
  if (tensor.defined() && tensor.dtype() != DType::kF32) {
    return absl::UnimplementedError(absl::StrCat("cannot serialise dtype ", DTypeName(tensor.dtype()), " yet"));
  }
  absl::StatusOr<std::string> bytes = TensorToBytes(tensor);
  if (!bytes.ok()) return bytes.status();
  TensorProto proto;
  proto.mutable_shape()->Add(tensor.shape().begin(), tensor.shape().end());
  proto.set_dtype(TensorProto::F32);
  proto.set_data(*std::move(bytes));
  return proto;
}

absl::StatusOr<Tensor> TensorFromProto(const TensorProto& proto) {
  switch (proto.dtype()) {
    case TensorProto::F32:
      break;
    case TensorProto::BF16:
    case TensorProto::F16:
      return absl::UnimplementedError(
          absl::StrCat("cannot load dtype ", TensorProto::DType_Name(proto.dtype()), " yet"));
    default:
      return absl::InvalidArgumentError(absl::StrCat("bad or unset dtype ", proto.dtype()));
  }
  const Shape shape(proto.shape().begin(), proto.shape().end());
  return TensorFromBytes(shape, proto.data());
}

absl::StatusOr<NamedTensors> NamedTensorsToProto(const NamedTensorList& tensors) {
  NamedTensors proto;
  absl::flat_hash_set<std::string> seen;
  for (const auto& [name, tensor] : tensors) {
    if (absl::Status s = CheckName(name, seen); !s.ok()) return s;
    absl::StatusOr<TensorProto> converted = TensorToProto(tensor);
    if (!converted.ok()) return Annotate(converted.status(), name);
    NamedTensor* entry = proto.add_tensors();
    entry->set_name(name);
    *entry->mutable_tensor() = *std::move(converted);
  }
  return proto;
}

absl::StatusOr<NamedTensorList> NamedTensorsFromProto(const NamedTensors& proto) {
  NamedTensorList tensors;
  tensors.reserve(proto.tensors_size());
  absl::flat_hash_set<std::string> seen;
  for (const NamedTensor& entry : proto.tensors()) {
    if (absl::Status s = CheckName(entry.name(), seen); !s.ok()) return s;
    absl::StatusOr<Tensor> tensor = TensorFromProto(entry.tensor());
    if (!tensor.ok()) return Annotate(tensor.status(), entry.name());
    tensors.emplace_back(entry.name(), *std::move(tensor));
  }
  return tensors;
}

}  // namespace nmt
