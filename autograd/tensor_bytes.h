// The bytes of an f32 Tensor as files store them: little-endian, row-major, no padding.
// Shared by the protobuf codec (tensor_codec.h) and the .npz reader and writer (npz.h),
// so both validate shapes and sizes the same way.
//
//   absl::StatusOr<std::string> bytes = nmt::TensorToBytes(w);
//   absl::StatusOr<nmt::Tensor> back = nmt::TensorFromBytes(w.shape(), *bytes);
//
// Only little-endian hosts are supported (checked at compile time), so the conversion
// is a memcpy; a big-endian port would byte-swap here and nowhere else.
#ifndef NMT_AUTOGRAD_TENSOR_BYTES_H_
#define NMT_AUTOGRAD_TENSOR_BYTES_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "autograd/tensor.h"

namespace nmt {

// NumElements(shape), or InvalidArgument for a negative dimension or a product that
// overflows int64. Use this on shapes that come from files, where NumElements would
// silently wrap and a later allocation or memcpy would go wrong.
absl::StatusOr<int64_t> CheckedNumElements(const Shape& shape);

// FailedPrecondition unless `tensor` is defined, f32 and on the CPU: the only tensors
// whose values can be read here today.
absl::Status CheckHostF32(const Tensor& tensor);

// The values of a host f32 tensor as little-endian bytes (4 per element).
absl::StatusOr<std::string> TensorToBytes(const Tensor& tensor);

// A fresh f32 tensor of `shape` holding `bytes`; InvalidArgument if the shape is bad
// or the byte count is not 4 * NumElements(shape).
absl::StatusOr<Tensor> TensorFromBytes(const Shape& shape, absl::string_view bytes);

}  // namespace nmt

#endif  // NMT_AUTOGRAD_TENSOR_BYTES_H_
