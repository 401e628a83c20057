#include "autograd/tensor_file.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "autograd/tensor_bytes.h"
#include "base/atomic_file.h"
#include "base/crc32.h"

namespace nmt {
namespace {

constexpr absl::string_view kMagic("NMTTNSR\n", 8);
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 24;

void PutLittleEndian(uint64_t value, int bytes, std::string& out) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t GetLittleEndian(absl::string_view in, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

// The payload of a file after checking its header and checksum.
absl::StatusOr<absl::string_view> Unframe(absl::string_view file) {
  if (file.size() < kHeaderSize) {
    return absl::DataLossError(
        absl::StrCat("truncated: ", file.size(), " bytes is shorter than the ", kHeaderSize, "-byte header"));
  }
  if (file.substr(0, kMagic.size()) != kMagic) return absl::DataLossError("not a named-tensor file (bad magic)");
  const uint32_t version = static_cast<uint32_t>(GetLittleEndian(file.substr(8), 4));
  if (version != kVersion) {
    return absl::UnimplementedError(absl::StrCat("format version ", version, "; this build reads version ", kVersion));
  }
  const uint32_t crc = static_cast<uint32_t>(GetLittleEndian(file.substr(12), 4));
  const uint64_t size = GetLittleEndian(file.substr(16), 8);
  const absl::string_view payload = file.substr(kHeaderSize);
  if (payload.size() < size) {
    return absl::DataLossError(
        absl::StrCat("truncated: header says ", size, " payload bytes, file has ", payload.size()));
  }
  if (payload.size() > size) {
    return absl::DataLossError(
        absl::StrCat("header says ", size, " payload bytes, file has ", payload.size() - size, " more"));
  }
  if (const uint32_t actual = Crc32(payload); actual != crc) {
    return absl::DataLossError(
        absl::StrFormat("checksum mismatch (stored %08x, computed %08x): file is corrupt", crc, actual));
  }
  return payload;
}

absl::Status WithPath(const absl::Status& status, const std::string& path) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
}

}  // namespace

absl::Status WriteNamedTensors(const std::string& path, const NamedTensorList& tensors) {
  absl::StatusOr<NamedTensors> proto = NamedTensorsToProto(tensors);
  if (!proto.ok()) return WithPath(proto.status(), path);
  std::string payload;
  if (!proto->SerializeToString(&payload)) {
    return absl::ResourceExhaustedError(absl::StrCat(path, ": cannot serialise (over protobuf's 2 GiB limit?)"));
  }
  std::string file(kMagic);
  PutLittleEndian(kVersion, 4, file);
  PutLittleEndian(Crc32(payload), 4, file);
  PutLittleEndian(payload.size(), 8, file);
  file += payload;
  return WriteFileAtomically(path, file);
}

absl::StatusOr<NamedTensorList> ReadNamedTensors(const std::string& path) {
  absl::StatusOr<std::string> file = ReadFileToString(path);
  if (!file.ok()) return file.status();
  absl::StatusOr<absl::string_view> payload = Unframe(*file);
  if (!payload.ok()) return WithPath(payload.status(), path);
  NamedTensors proto;
  if (!proto.ParseFromArray(payload->data(), static_cast<int>(payload->size()))) {
    return absl::DataLossError(absl::StrCat(path, ": protobuf parse failure of nmt.NamedTensors"));
  }
  absl::StatusOr<NamedTensorList> tensors = NamedTensorsFromProto(proto);
  if (!tensors.ok()) return WithPath(tensors.status(), path);
  return tensors;
}

absl::Status AssignNamedTensors(const NamedTensorList& source, const TensorTargets& targets) {
  for (const auto& [name, target] : targets) {
    const absl::Status s = target == nullptr ? absl::FailedPreconditionError("null target") : CheckHostF32(*target);
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("target \"", name, "\": ", s.message()));
  }
  std::vector<std::string> unexpected, misshapen;
  absl::btree_map<std::string, const Tensor*> found;
  for (const auto& [name, tensor] : source) {
    const auto target = targets.find(name);
    if (target == targets.end()) {
      unexpected.push_back(name);
      continue;
    }
    found[name] = &tensor;
    if (tensor.shape() != target->second->shape()) {
      misshapen.push_back(
          absl::StrCat(name, " (file ", tensor.ShapeString(), ", expected ", target->second->ShapeString(), ")"));
    }
  }
  std::vector<std::string> missing;
  for (const auto& [name, target] : targets) {
    if (!found.contains(name)) missing.push_back(name);
  }
  if (!missing.empty() || !unexpected.empty() || !misshapen.empty()) {
    std::vector<std::string> parts;
    if (!missing.empty()) parts.push_back(absl::StrCat(missing.size(), " missing: ", absl::StrJoin(missing, ", ")));
    if (!unexpected.empty()) {
      parts.push_back(absl::StrCat(unexpected.size(), " unexpected: ", absl::StrJoin(unexpected, ", ")));
    }
    if (!misshapen.empty()) {
      parts.push_back(absl::StrCat(misshapen.size(), " misshapen: ", absl::StrJoin(misshapen, ", ")));
    }
    return absl::InvalidArgumentError(absl::StrCat("named tensors do not match: ", absl::StrJoin(parts, "; ")));
  }
  for (const auto& [name, tensor] : found) targets.at(name)->CopyFrom(*tensor);
  return absl::OkStatus();
}

absl::Status LoadNamedTensorsInto(const std::string& path, const TensorTargets& targets) {
  absl::StatusOr<NamedTensorList> tensors = ReadNamedTensors(path);
  if (!tensors.ok()) return tensors.status();
  return WithPath(AssignNamedTensors(*tensors, targets), path);
}

}  // namespace nmt
