// Fuzzes the named-tensor file reader (ReadNamedTensors) and AssignNamedTensors behind it.
//
// Byte 0, bit 0 clear: the rest is the whole file. Set: the rest is the payload, framed
// here with a correct header (magic, version 1, CRC-32, size), so that mutations reach
// the protobuf parse and the tensor checks behind the checksum, which would otherwise
// refuse nearly every changed byte. A file either fails with a Status or reads as
// tensors that write and read back the same.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "autograd/tensor.h"
#include "autograd/tensor_codec.h"
#include "autograd/tensor_file.h"
#include "base/check.h"
#include "base/crc32.h"
#include "base/fuzz_testing.h"
#include "google/protobuf/stubs/logging.h"

namespace nmt {
namespace {

void PutLittleEndian(uint64_t value, int bytes, std::string& out) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// tensor_file.h's layout around `payload`.
std::string Frame(absl::string_view payload) {
  std::string file("NMTTNSR\n", 8);
  PutLittleEndian(1, 4, file);
  PutLittleEndian(Crc32(payload), 4, file);
  PutLittleEndian(payload.size(), 8, file);
  file.append(payload.data(), payload.size());
  return file;
}

bool SameValues(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace
}  // namespace nmt

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // protobuf logs every string field with invalid UTF-8 at ERROR level; a fuzzer makes millions.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nmt;
  if (size < 1) return 0;
  const absl::string_view rest = FuzzBytes(data + 1, size - 1);
  const std::string& path = WriteFuzzInputFile("tensors", (data[0] & 1) != 0 ? Frame(rest) : std::string(rest));
  absl::StatusOr<NamedTensorList> tensors = ReadNamedTensors(path);
  if (!tensors.ok()) return 0;

  const std::string& copy = WriteFuzzInputFile("tensors.copy", "");
  NMT_CHECK(WriteNamedTensors(copy, *tensors).ok());
  absl::StatusOr<NamedTensorList> again = ReadNamedTensors(copy);
  NMT_CHECK(again.ok()) << again.status();
  NMT_CHECK(again->size() == tensors->size());
  for (size_t i = 0; i < tensors->size(); ++i) {
    NMT_CHECK((*again)[i].first == (*tensors)[i].first);
    NMT_CHECK(SameValues((*again)[i].second, (*tensors)[i].second)) << (*tensors)[i].first;
  }

  // Loading into parameters: all or nothing, and only into the right shapes.
  Tensor w = Tensor::Zeros({2, 3}), b = Tensor::Zeros({3});
  const absl::Status assigned = AssignNamedTensors(*tensors, {{"w", &w}, {"b", &b}});
  if (assigned.ok()) {
    NMT_CHECK(tensors->size() == 2);
    for (const auto& [name, tensor] : *tensors) NMT_CHECK(SameValues(tensor, name == "w" ? w : b)) << name;
  } else {
    NMT_CHECK(SameValues(w, Tensor::Zeros({2, 3})) && SameValues(b, Tensor::Zeros({3})));
  }
  return 0;
}
