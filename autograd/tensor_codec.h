// Conversion between Tensor and TensorProto, and between an ordered list of named
// tensors and NamedTensors (tensor.proto). Checkpoints embed NamedTensors; the
// stand-alone file format is in tensor_file.h.
//
//   nmt::NamedTensorList params = {{"decoder.output.W_o", w}, {"decoder.output.b_y", b}};
//   absl::StatusOr<nmt::NamedTensors> proto = nmt::NamedTensorsToProto(params);
//   absl::StatusOr<nmt::NamedTensorList> back = nmt::NamedTensorsFromProto(*proto);
//
// Only host f32 tensors convert today: Tensor exposes no raw bytes for bf16/f16, so
// those dtypes give Unimplemented rather than a guess. Everything read from a proto
// is validated (dtype set, shape sane, byte count right) because it comes from a file.
#ifndef NMT_AUTOGRAD_TENSOR_CODEC_H_
#define NMT_AUTOGRAD_TENSOR_CODEC_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "autograd/tensor.h"
#include "autograd/tensor.pb.h"

namespace nmt {

// Tensors with their names, in a meaningful order (registration order for parameters).
using NamedTensorList = std::vector<std::pair<std::string, Tensor>>;

// FailedPrecondition for an undefined or non-host tensor, Unimplemented for bf16/f16.
absl::StatusOr<TensorProto> TensorToProto(const Tensor& tensor);
// A fresh tensor. InvalidArgument for a missing dtype, a bad shape or a wrong byte count.
absl::StatusOr<Tensor> TensorFromProto(const TensorProto& proto);

// Keeps the list's order. InvalidArgument for an empty or repeated name; errors from
// one tensor are prefixed with its name.
absl::StatusOr<NamedTensors> NamedTensorsToProto(const NamedTensorList& tensors);
absl::StatusOr<NamedTensorList> NamedTensorsFromProto(const NamedTensors& proto);

}  // namespace nmt

#endif  // NMT_AUTOGRAD_TENSOR_CODEC_H_
