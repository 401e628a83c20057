#include "autograd/tensor_bytes.h"

#include <cstring>
#include <limits>

#include "absl/base/config.h"
#include "absl/strings/str_cat.h"

namespace nmt {

#ifndef ABSL_IS_LITTLE_ENDIAN
#error "tensor files are little-endian; add a byte swap to TensorToBytes/TensorFromBytes"
#endif

absl::StatusOr<int64_t> CheckedNumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return absl::InvalidArgumentError(absl::StrCat("negative dimension in shape ", ShapeString(shape)));
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) {
      return absl::InvalidArgumentError(absl::StrCat("shape ", ShapeString(shape), " has too many elements"));
    }
    n *= d;
  }
  return n;
}

absl::Status CheckHostF32(const Tensor& tensor) {
  if (!tensor.defined()) return absl::FailedPreconditionError("tensor is undefined");
  if (tensor.dtype() != DType::kF32) {
    return absl::FailedPreconditionError(
        absl::StrCat("tensor has dtype ", DTypeName(tensor.dtype()), "; only f32 is supported"));
  }
  if (tensor.device() != Device::kCPU) {
    return absl::FailedPreconditionError(
        absl::StrCat("tensor is on ", DeviceName(tensor.device()), "; copy it to the CPU first"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> TensorToBytes(const Tensor& tensor) {
  if (absl::Status s = CheckHostF32(tensor); !s.ok()) return s;
  return std::string(reinterpret_cast<const char*>(tensor.data()), tensor.size() * sizeof(float));
}

absl::StatusOr<Tensor> TensorFromBytes(const Shape& shape, absl::string_view bytes) {
  absl::StatusOr<int64_t> n = CheckedNumElements(shape);
  if (!n.ok()) return n.status();
  // Divide rather than multiply: 4 * n can overflow for a hostile shape.
  if (bytes.size() % sizeof(float) != 0 || static_cast<uint64_t>(*n) != bytes.size() / sizeof(float)) {
    return absl::InvalidArgumentError(absl::StrCat("shape ", ShapeString(shape), " needs ", *n, " f32 values (", *n,
                                                   " * 4 bytes) but there are ", bytes.size(), " bytes"));
  }
  Tensor tensor = Tensor::Empty(shape);
  if (!bytes.empty()) std::memcpy(tensor.data(), bytes.data(), bytes.size());
  return tensor;
}

}  // namespace nmt
