// Named-tensor files: a list of (name, Tensor) written atomically, read back checked,
// and loaded strictly into existing tensors (parameters).
//
//   nmt::NamedTensorList params = {{"decoder.output.W_o", w_o}, {"decoder.output.b_y", b_y}};
//   absl::Status s = nmt::WriteNamedTensors("runs/final.tensors", params);
//   ...
//   s = nmt::LoadNamedTensorsInto("runs/final.tensors",
//                                 {{"decoder.output.W_o", &w_o}, {"decoder.output.b_y", &b_y}});
//
// File layout (all integers little-endian):
//   bytes  0..7   magic "NMTTNSR\n"
//   bytes  8..11  format version (1)
//   bytes 12..15  CRC-32 (zlib) of the payload
//   bytes 16..23  payload size in bytes
//   bytes 24..    payload: a serialised nmt.NamedTensors (tensor.proto)
// Protobuf alone would accept many damaged files (a truncated message often still
// parses, and a flipped bit in tensor data is just another float), so the header
// turns truncation, trailing junk and bit flips into DataLoss errors instead of
// silently wrong weights. Payloads are limited to protobuf's 2 GiB message size.
#ifndef NMT_AUTOGRAD_TENSOR_FILE_H_
#define NMT_AUTOGRAD_TENSOR_FILE_H_

#include <string>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "autograd/tensor.h"
#include "autograd/tensor_codec.h"

namespace nmt {

// Where each expected tensor goes: name -> an existing host f32 tensor whose shape is
// the expected one. Sorted, so that error messages list names in a stable order.
using TensorTargets = absl::btree_map<std::string, Tensor*>;

// Writes `tensors` in their order with WriteFileAtomically.
absl::Status WriteNamedTensors(const std::string& path, const NamedTensorList& tensors);

// The tensors of a file, in file order. NotFound for a missing file; DataLoss for a
// bad magic, truncation, trailing bytes, a checksum mismatch or a protobuf parse
// failure; Unimplemented for a newer format version; InvalidArgument for bad tensors.
absl::StatusOr<NamedTensorList> ReadNamedTensors(const std::string& path);

// Copies each source tensor into the target of the same name, all or nothing: if any
// target is missing from `source`, any source name has no target, or any shape
// differs, nothing is copied and one InvalidArgument error lists every such name.
absl::Status AssignNamedTensors(const NamedTensorList& source, const TensorTargets& targets);

// ReadNamedTensors, then AssignNamedTensors; errors are prefixed with the path.
absl::Status LoadNamedTensorsInto(const std::string& path, const TensorTargets& targets);

}  // namespace nmt

#endif  // NMT_AUTOGRAD_TENSOR_FILE_H_
