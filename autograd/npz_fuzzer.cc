// Fuzzes the numpy readers: ParseNpy (one .npy member) and NpzFile::Read (a zip of them),
// with every accessor on what they return.
//
// Byte 0, bit 0 clear: the rest is one .npy member; set: the rest is an .npz file. Either
// the input is refused with a Status or each array converts (or refuses to) consistently
// with its dtype and shape, and writes and reads back the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "autograd/npz.h"
#include "autograd/tensor.h"
#include "base/check.h"
#include "base/fuzz_testing.h"

namespace nmt {
namespace {

void CheckArray(const NpyArray& array) {
  const int64_t n = NumElements(array.shape);
  NMT_CHECK(static_cast<int64_t>(array.data.size()) == n * NpyDTypeSize(array.dtype));
  const bool floating = array.dtype == NpyDType::kF32 || array.dtype == NpyDType::kF64;
  const bool integer = array.dtype == NpyDType::kI32 || array.dtype == NpyDType::kI64;
  absl::StatusOr<Tensor> tensor = array.ToTensor();
  NMT_CHECK(tensor.ok() == floating) << tensor.status();
  if (tensor.ok()) NMT_CHECK(tensor->shape() == array.shape);
  absl::StatusOr<std::vector<double>> doubles = array.ToDoubles();
  NMT_CHECK(doubles.ok() == floating);
  if (doubles.ok()) NMT_CHECK(static_cast<int64_t>(doubles->size()) == n);
  absl::StatusOr<std::vector<int64_t>> ints = array.ToInt64s();
  NMT_CHECK(ints.ok() == integer);
  if (ints.ok()) NMT_CHECK(static_cast<int64_t>(ints->size()) == n);
  absl::StatusOr<std::vector<bool>> bools = array.ToBools();
  NMT_CHECK(bools.ok() == (array.dtype == NpyDType::kBool));
  if (bools.ok()) NMT_CHECK(static_cast<int64_t>(bools->size()) == n);

  absl::StatusOr<NpyArray> again = ParseNpy(array.name, FormatNpy(array));
  NMT_CHECK(again.ok()) << again.status();
  NMT_CHECK(again->shape == array.shape && again->dtype == array.dtype && again->data == array.data);
}

}  // namespace
}  // namespace nmt

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nmt;
  if (size < 1) return 0;
  const absl::string_view rest = FuzzBytes(data + 1, size - 1);
  if ((data[0] & 1) == 0) {
    absl::StatusOr<NpyArray> array = ParseNpy("member", rest);
    if (array.ok()) CheckArray(*array);
    return 0;
  }
  const std::string& path = WriteFuzzInputFile("arrays.npz", rest);
  absl::StatusOr<NpzFile> npz = NpzFile::Read(path);
  if (!npz.ok()) return 0;
  for (const NpyArray& array : npz->arrays()) {
    CheckArray(array);
    NMT_CHECK(npz->contains(array.name));
    (void)npz->GetTensor(array.name);
    (void)npz->GetInt64s(array.name);
  }
  NMT_CHECK(!npz->Find("no such array").ok());
  // Names are unique in a zip that libzip accepts, so what was read writes back.
  const std::string& copy = WriteFuzzInputFile("copy.npz", "");
  const absl::Status written = WriteNpz(copy, npz->arrays());
  if (written.ok()) {
    absl::StatusOr<NpzFile> again = NpzFile::Read(copy);
    NMT_CHECK(again.ok()) << again.status();
    NMT_CHECK(again->arrays().size() == npz->arrays().size());
  }
  return 0;
}
