// numpy .npz files: reading the PyTorch reference's `dump-grads` output (parameters,
// gradients, id batches, masks, scalars) and writing arrays numpy can load.
//
//   absl::StatusOr<nmt::NpzFile> npz = nmt::NpzFile::Read("tiny_rnnsearch.npz");
//   absl::StatusOr<nmt::Tensor> w = npz->GetTensor("param/dec.C");         // f8 -> f32
//   absl::StatusOr<std::vector<int64_t>> src = npz->GetInt64s("batch/src");
//   absl::StatusOr<std::vector<bool>> mask = npz->GetBools("batch/src_mask");
//   absl::StatusOr<std::vector<double>> loss = npz->GetDoubles("loss");    // shape ()
//
//   absl::Status s = nmt::WriteNpz("out.npz", {*nmt::NpyArray::FromTensor("grad/W", g)});
//
// An .npz is a zip of .npy members (https://numpy.org/doc/stable/reference/generated/
// numpy.lib.format.html). The zip side is libzip's, which also checks each member's
// CRC-32; the .npy side (a magic, a version, a Python-dict header, raw data) is here.
// Supported: .npy versions 1.0, 2.0 and 3.0, C order, little-endian dtypes <f4, <f8,
// <i4, <i8 and |b1, any shape including scalars (). Anything else is a clear error,
// never a guess. Writing uses ZIP_STORED members, as numpy.savez does.
#ifndef NMT_AUTOGRAD_NPZ_H_
#define NMT_AUTOGRAD_NPZ_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "autograd/tensor.h"

namespace nmt {

enum class NpyDType { kF32, kF64, kI32, kI64, kBool };

// numpy's spelling: "<f4", "<f8", "<i4", "<i8", "|b1".
const char* NpyDTypeName(NpyDType dtype);
// Bytes per element.
int64_t NpyDTypeSize(NpyDType dtype);

// One array. Values stay in the file's little-endian bytes; the To* accessors convert
// and give InvalidArgument naming the array when its dtype does not fit.
struct NpyArray {
  std::string name;  // the member name without ".npy", e.g. "param/dec.C"
  Shape shape;
  NpyDType dtype = NpyDType::kF32;
  std::string data;  // NumElements(shape) * NpyDTypeSize(dtype) bytes

  // An <f4 array of a host f32 tensor.
  static absl::StatusOr<NpyArray> FromTensor(std::string name, const Tensor& tensor);
  // An <i8 array, e.g. a batch of ids; `values` must have NumElements(shape) entries.
  static absl::StatusOr<NpyArray> FromInt64s(std::string name, const Shape& shape, absl::Span<const int64_t> values);

  // <f4 or <f8 as an f32 tensor of the same shape (f8 rounds to nearest).
  absl::StatusOr<Tensor> ToTensor() const;
  // <f4 or <f8, exactly: for golden values compared with a tolerance.
  absl::StatusOr<std::vector<double>> ToDoubles() const;
  // <i4 or <i8, e.g. ids.
  absl::StatusOr<std::vector<int64_t>> ToInt64s() const;
  // |b1, e.g. masks.
  absl::StatusOr<std::vector<bool>> ToBools() const;
};

// Parses one .npy member's bytes; `name` only labels errors and the result.
absl::StatusOr<NpyArray> ParseNpy(absl::string_view name, absl::string_view bytes);
// The .npy bytes of `array` (version 1.0, or 2.0 for a header over 64 KiB).
std::string FormatNpy(const NpyArray& array);

// Every array of an .npz file, in member order, looked up by name.
class NpzFile {
 public:
  // NotFound for a missing file; DataLoss for a file that is not a zip, a member that
  // fails its CRC or is shorter than its .npy header says; InvalidArgument for an
  // unsupported .npy (bad magic, version, dtype, fortran_order True). Errors name the
  // path and the member.
  static absl::StatusOr<NpzFile> Read(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<NpyArray>& arrays() const { return arrays_; }
  bool contains(absl::string_view name) const { return index_.contains(name); }

  // NotFound naming the key and the file.
  absl::StatusOr<const NpyArray*> Find(absl::string_view name) const;
  // Find, then the NpyArray accessor of the same name.
  absl::StatusOr<Tensor> GetTensor(absl::string_view name) const;
  absl::StatusOr<std::vector<double>> GetDoubles(absl::string_view name) const;
  absl::StatusOr<std::vector<int64_t>> GetInt64s(absl::string_view name) const;
  absl::StatusOr<std::vector<bool>> GetBools(absl::string_view name) const;

 private:
  template <typename T>
  absl::StatusOr<T> Get(absl::string_view name, absl::StatusOr<T> (NpyArray::*convert)() const) const;

  std::string path_;
  std::vector<NpyArray> arrays_;
  absl::flat_hash_map<std::string, size_t> index_;  // name -> position in arrays_
};

// Writes `arrays` as ZIP_STORED members "<name>.npy", in order, via WriteFileAtomically.
// InvalidArgument for an empty or repeated name or data of the wrong size.
absl::Status WriteNpz(const std::string& path, absl::Span<const NpyArray> arrays);

}  // namespace nmt

#endif  // NMT_AUTOGRAD_NPZ_H_
