#include "autograd/npz.h"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "autograd/tensor_bytes.h"
#include "base/atomic_file.h"

namespace nmt {
namespace {

constexpr absl::string_view kNpyMagic("\x93NUMPY", 6);
constexpr absl::string_view kNpySuffix = ".npy";
// numpy pads headers so that the data starts on a 64-byte boundary.
constexpr size_t kNpyAlignment = 64;
// A fixed member time (1980-01-01, the DOS epoch) makes output files reproducible.
constexpr time_t kZipTime = 315532800;

constexpr NpyDType kAllDTypes[] = {NpyDType::kF32, NpyDType::kF64, NpyDType::kI32, NpyDType::kI64, NpyDType::kBool};

uint64_t LittleEndian(absl::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// Reads the element at `index` of little-endian data; the host is little-endian
// (tensor_bytes.cc checks), so this is an unaligned load.
template <typename T>
T Element(const std::string& data, int64_t index) {
  T value;
  std::memcpy(&value, data.data() + index * sizeof(T), sizeof(T));
  return value;
}

// Every element as Out, each stored as Narrow if `narrow`, else as Wide: one accessor
// serves both widths of a kind (<f4/<f8, <i4/<i8).
template <typename Out, typename Narrow, typename Wide>
std::vector<Out> Widen(const NpyArray& array, bool narrow) {
  std::vector<Out> values(NumElements(array.shape));
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = narrow ? Element<Narrow>(array.data, i) : Element<Wide>(array.data, i);
  }
  return values;
}

// InvalidArgument unless `array.data` holds exactly the elements its shape and dtype
// call for; the To* accessors rely on it, since NpyArray is a plain struct.
absl::Status CheckData(const NpyArray& array) {
  absl::StatusOr<int64_t> n = CheckedNumElements(array.shape);
  if (!n.ok()) return n.status();
  const uint64_t item = NpyDTypeSize(array.dtype);
  // Divide rather than multiply: n * item can overflow for a hostile shape.
  if (array.data.size() % item == 0 && array.data.size() / item == static_cast<uint64_t>(*n)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("array \"", array.name, "\": shape ", ShapeString(array.shape), " of ",
                                                 NpyDTypeName(array.dtype), " needs ", *n, " * ", item, " bytes, got ",
                                                 array.data.size()));
}

absl::Status WrongDType(const NpyArray& array, absl::string_view wanted) {
  return absl::InvalidArgumentError(
      absl::StrCat("array \"", array.name, "\" has dtype ", NpyDTypeName(array.dtype), "; expected ", wanted));
}

// A recursive-descent reader of the header dict numpy writes, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// It accepts Python literal syntax for exactly these three keys, in any order.
class HeaderParser {
 public:
  explicit HeaderParser(absl::string_view text) : rest_(text) {}

  absl::Status Parse(std::string& descr, bool& fortran_order, Shape& shape) {
    absl::flat_hash_set<std::string> seen;
    if (!Consume('{')) return Error("expected '{'");
    while (!Consume('}')) {
      std::string key;
      if (!ParseString(key)) return Error("expected a quoted key");
      if (!Consume(':')) return Error("expected ':'");
      bool ok = false;
      if (key == "descr") {
        ok = ParseString(descr);
      } else if (key == "fortran_order") {
        ok = ParseBool(fortran_order);
      } else if (key == "shape") {
        ok = ParseTuple(shape);
      } else {
        return Error(absl::StrCat("unknown key '", key, "'"));
      }
      if (!ok) return Error(absl::StrCat("bad value for '", key, "'"));
      seen.insert(key);
      if (!Consume(',') && !Peek('}')) return Error("expected ',' or '}'");
    }
    if (!absl::StripAsciiWhitespace(rest_).empty()) return Error("text after '}'");
    for (const char* key : {"descr", "fortran_order", "shape"}) {
      if (!seen.contains(key)) return Error(absl::StrCat("no '", key, "'"));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("bad .npy header: ", what, " at \"", rest_.substr(0, 20), "\""));
  }
  bool Peek(char c) {
    rest_ = absl::StripLeadingAsciiWhitespace(rest_);
    return !rest_.empty() && rest_.front() == c;
  }
  bool Consume(char c) {
    if (!Peek(c)) return false;
    rest_.remove_prefix(1);
    return true;
  }
  bool ParseString(std::string& out) {
    if (!Peek('\'') && !Peek('"')) return false;
    const char quote = rest_.front();
    const size_t end = rest_.find(quote, 1);
    if (end == absl::string_view::npos) return false;
    out = std::string(rest_.substr(1, end - 1));
    rest_.remove_prefix(end + 1);
    return true;
  }
  bool ParseBool(bool& out) {
    rest_ = absl::StripLeadingAsciiWhitespace(rest_);
    for (const auto& [word, value] : {std::pair<absl::string_view, bool>{"True", true}, {"False", false}}) {
      if (absl::ConsumePrefix(&rest_, word)) {
        out = value;
        return true;
      }
    }
    return false;
  }
  // "()", "(3,)", "(2, 3)"; Python 2's numpy wrote longs as "3L".
  bool ParseTuple(Shape& out) {
    out.clear();
    if (!Consume('(')) return false;
    while (!Consume(')')) {
      rest_ = absl::StripLeadingAsciiWhitespace(rest_);
      size_t digits = 0;
      while (digits < rest_.size() && absl::ascii_isdigit(rest_[digits])) ++digits;
      int64_t dim;
      if (digits == 0 || !absl::SimpleAtoi(rest_.substr(0, digits), &dim)) return false;
      rest_.remove_prefix(digits);
      absl::ConsumePrefix(&rest_, "L");
      out.push_back(dim);
      if (!Consume(',') && !Peek(')')) return false;
    }
    return true;
  }

  absl::string_view rest_;
};

absl::StatusOr<NpyDType> ParseDescr(absl::string_view descr) {
  for (NpyDType dtype : kAllDTypes) {
    if (descr == NpyDTypeName(dtype)) return dtype;
  }
  const std::string supported = absl::StrJoin(
      kAllDTypes, ", ", [](std::string* out, NpyDType dtype) { absl::StrAppend(out, NpyDTypeName(dtype)); });
  return absl::InvalidArgumentError(absl::StrCat("unsupported dtype '", descr, "' (supported: ", supported, ")"));
}

std::string ShapeTuple(const Shape& shape) {
  if (shape.size() == 1) return absl::StrCat("(", shape[0], ",)");
  return absl::StrCat("(", absl::StrJoin(shape, ", "), ")");
}

std::string ZipErrorString(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

struct ZipDiscard {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileClose {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};
using ZipArchive = std::unique_ptr<zip_t, ZipDiscard>;

// The bytes of member `index`, read to the end so that libzip verifies its CRC-32. The
// size in the zip's directory is only a claim: a 222-byte file can say 2^62 bytes (found
// by a hand-made input for //autograd:npz_fuzzer), so the buffer grows with the bytes
// that actually arrive, and a member that is longer or shorter than its claim is corrupt.
absl::StatusOr<std::string> ReadMember(zip_t* archive, zip_uint64_t index, const zip_stat_t& stat) {
  std::unique_ptr<zip_file_t, ZipFileClose> file(zip_fopen_index(archive, index, 0));
  if (file == nullptr) return absl::DataLossError(zip_strerror(archive));
  constexpr zip_uint64_t kChunk = 1 << 16;
  std::string bytes;
  bytes.reserve(std::min<zip_uint64_t>(stat.size, zip_uint64_t{1} << 26) + kChunk);  // a claim, so at most 64 MiB
  while (true) {
    const size_t got = bytes.size();
    bytes.resize(got + kChunk);
    const zip_int64_t n = zip_fread(file.get(), &bytes[got], kChunk);
    if (n < 0) return absl::DataLossError(zip_error_strerror(zip_file_get_error(file.get())));
    bytes.resize(got + static_cast<size_t>(n));
    if (n == 0) break;
    if (bytes.size() > stat.size) {
      return absl::DataLossError(
          absl::StrCat("member is longer than the ", stat.size, " bytes its directory entry says"));
    }
  }
  if (bytes.size() != stat.size) {
    return absl::DataLossError(
        absl::StrCat("member has ", bytes.size(), " bytes, its directory entry says ", stat.size));
  }
  return bytes;
}

// Builds the zip in memory (so the file itself can be written atomically).
absl::StatusOr<std::string> ZipStored(const std::vector<std::pair<std::string, std::string>>& members) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (buffer == nullptr) return absl::InternalError(zip_error_strerror(&error));
  const auto free_buffer = [](zip_source_t* source) { zip_source_free(source); };
  std::unique_ptr<zip_source_t, decltype(free_buffer)> owned_buffer(buffer, free_buffer);

  ZipArchive archive(zip_open_from_source(buffer, ZIP_TRUNCATE, &error));
  if (archive == nullptr) return absl::InternalError(zip_error_strerror(&error));
  zip_source_keep(buffer);  // the archive now holds a reference; keep ours to read the result
  for (const auto& [name, bytes] : members) {
    // The bytes live in `members` until zip_close, so libzip need not copy them.
    zip_source_t* source = zip_source_buffer(archive.get(), bytes.data(), bytes.size(), 0);
    const zip_int64_t index =
        source == nullptr ? -1 : zip_file_add(archive.get(), name.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      if (source != nullptr) zip_source_free(source);
      return absl::InternalError(absl::StrCat("adding ", name, ": ", zip_strerror(archive.get())));
    }
    if (zip_set_file_compression(archive.get(), index, ZIP_CM_STORE, 0) != 0 ||
        zip_file_set_mtime(archive.get(), index, kZipTime, 0) != 0) {
      return absl::InternalError(absl::StrCat(name, ": ", zip_strerror(archive.get())));
    }
  }
  if (zip_close(archive.get()) != 0) return absl::InternalError(zip_strerror(archive.get()));
  archive.release();  // zip_close freed it

  zip_stat_t stat;
  if (zip_source_stat(buffer, &stat) != 0 || zip_source_open(buffer) != 0) {
    return absl::InternalError(zip_error_strerror(zip_source_error(buffer)));
  }
  std::string zip(stat.size, '\0');
  const zip_int64_t n = zip_source_read(buffer, zip.data(), zip.size());
  zip_source_close(buffer);
  if (n != static_cast<zip_int64_t>(zip.size())) return absl::InternalError("reading the in-memory zip back");
  return zip;
}

}  // namespace

const char* NpyDTypeName(NpyDType dtype) {
  switch (dtype) {
    case NpyDType::kF32:
      return "<f4";
    case NpyDType::kF64:
      return "<f8";
    case NpyDType::kI32:
      return "<i4";
    case NpyDType::kI64:
      return "<i8";
    case NpyDType::kBool:
      return "|b1";
  }
  return "?";
}

int64_t NpyDTypeSize(NpyDType dtype) {
  switch (dtype) {
    case NpyDType::kF32:
      return 4;
    case NpyDType::kF64:
      return 8;
    case NpyDType::kI32:
      return 4;
    case NpyDType::kI64:
      return 8;
    case NpyDType::kBool:
      return 1;
  }
  return 0;
}

absl::StatusOr<NpyArray> NpyArray::FromTensor(std::string name, const Tensor& tensor) {
  absl::StatusOr<std::string> bytes = TensorToBytes(tensor);
  if (!bytes.ok()) return bytes.status();
  return NpyArray{std::move(name), tensor.shape(), NpyDType::kF32, *std::move(bytes)};
}

absl::StatusOr<NpyArray> NpyArray::FromInt64s(std::string name, const Shape& shape, absl::Span<const int64_t> values) {
  absl::StatusOr<int64_t> n = CheckedNumElements(shape);
  if (!n.ok()) return n.status();
  if (static_cast<size_t>(*n) != values.size()) {
    return absl::InvalidArgumentError(absl::StrCat("array \"", name, "\": shape ", ShapeString(shape), " needs ", *n,
                                                   " values, got ", values.size()));
  }
  std::string data(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int64_t));
  return NpyArray{std::move(name), shape, NpyDType::kI64, std::move(data)};
}

absl::StatusOr<Tensor> NpyArray::ToTensor() const {
  if (absl::Status s = CheckData(*this); !s.ok()) return s;
  if (dtype == NpyDType::kF32) return TensorFromBytes(shape, data);
  if (dtype != NpyDType::kF64) return WrongDType(*this, "<f4 or <f8 for a Tensor");
  Tensor tensor = Tensor::Empty(shape);
  float* out = tensor.data();
  for (int64_t i = 0; i < tensor.size(); ++i) out[i] = static_cast<float>(Element<double>(data, i));
  return tensor;
}

absl::StatusOr<std::vector<double>> NpyArray::ToDoubles() const {
  if (absl::Status s = CheckData(*this); !s.ok()) return s;
  if (dtype != NpyDType::kF32 && dtype != NpyDType::kF64) return WrongDType(*this, "<f4 or <f8");
  return Widen<double, float, double>(*this, dtype == NpyDType::kF32);
}

absl::StatusOr<std::vector<int64_t>> NpyArray::ToInt64s() const {
  if (absl::Status s = CheckData(*this); !s.ok()) return s;
  if (dtype != NpyDType::kI32 && dtype != NpyDType::kI64) return WrongDType(*this, "<i4 or <i8");
  return Widen<int64_t, int32_t, int64_t>(*this, dtype == NpyDType::kI32);
}

absl::StatusOr<std::vector<bool>> NpyArray::ToBools() const {
  if (absl::Status s = CheckData(*this); !s.ok()) return s;
  if (dtype != NpyDType::kBool) return WrongDType(*this, "|b1");
  std::vector<bool> values(data.size());
  for (size_t i = 0; i < values.size(); ++i) values[i] = data[i] != 0;
  return values;
}

absl::StatusOr<NpyArray> ParseNpy(absl::string_view name, absl::string_view bytes) {
  const auto error = [&name](absl::StatusCode code, absl::string_view what) {
    return absl::Status(code, absl::StrCat("member \"", name, kNpySuffix, "\": ", what));
  };
  if (!absl::StartsWith(bytes, kNpyMagic)) return error(absl::StatusCode::kInvalidArgument, "bad .npy magic");
  if (bytes.size() < 10) return error(absl::StatusCode::kDataLoss, "truncated .npy preamble");
  const int major = static_cast<unsigned char>(bytes[6]), minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0) {
    return error(absl::StatusCode::kInvalidArgument,
                 absl::StrCat("unsupported .npy version ", major, ".", minor, " (supported: 1.0, 2.0, 3.0)"));
  }
  // Version 1.0 has a 2-byte header length; 2.0 and 3.0 (UTF-8 header) a 4-byte one.
  const size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) return error(absl::StatusCode::kDataLoss, "truncated .npy preamble");
  const uint64_t header_length = LittleEndian(bytes.substr(8, length_bytes));
  const size_t header_start = 8 + length_bytes;
  if (bytes.size() - header_start < header_length) return error(absl::StatusCode::kDataLoss, "truncated .npy header");

  NpyArray array;
  array.name = std::string(name);
  std::string descr;
  bool fortran_order = false;
  if (absl::Status s = HeaderParser(bytes.substr(header_start, header_length)).Parse(descr, fortran_order, array.shape);
      !s.ok()) {
    return error(s.code(), s.message());
  }
  absl::StatusOr<NpyDType> dtype = ParseDescr(descr);
  if (!dtype.ok()) return error(dtype.status().code(), dtype.status().message());
  array.dtype = *dtype;
  if (fortran_order) {
    return error(absl::StatusCode::kInvalidArgument, "fortran_order True is not supported; save in C order");
  }
  absl::StatusOr<int64_t> n = CheckedNumElements(array.shape);
  if (!n.ok()) return error(n.status().code(), n.status().message());
  array.data = std::string(bytes.substr(header_start + header_length));
  if (absl::Status s = CheckData(array); !s.ok()) {
    const bool short_data = array.data.size() / NpyDTypeSize(array.dtype) < static_cast<uint64_t>(*n);
    return error(short_data ? absl::StatusCode::kDataLoss : s.code(),
                 absl::StrCat(short_data ? "truncated: " : "", s.message()));
  }
  return array;
}

std::string FormatNpy(const NpyArray& array) {
  std::string header = absl::StrCat("{'descr': '", NpyDTypeName(array.dtype),
                                    "', 'fortran_order': False, 'shape': ", ShapeTuple(array.shape), ", }");
  // Version 1.0 stores the header length in 2 bytes; 2.0 in 4, for huge shapes.
  const bool wide = header.size() + kNpyAlignment > 0xffff;
  const size_t length_bytes = wide ? 4 : 2;
  const size_t preamble = kNpyMagic.size() + 2 + length_bytes;
  header.append(kNpyAlignment - 1 - (preamble + header.size()) % kNpyAlignment, ' ');
  header.push_back('\n');  // numpy ends the header with a newline

  std::string out(kNpyMagic);
  out.push_back(wide ? 2 : 1);
  out.push_back(0);
  for (size_t i = 0; i < length_bytes; ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  return absl::StrCat(out, header, array.data);
}

absl::StatusOr<NpzFile> NpzFile::Read(const std::string& path) {
  int code = 0;
  ZipArchive archive(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (archive == nullptr) {
    const std::string message = absl::StrCat(path, ": ", ZipErrorString(code));
    if (code == ZIP_ER_NOENT) return absl::NotFoundError(message);
    if (code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS) return absl::DataLossError(message);
    return absl::UnavailableError(message);
  }
  NpzFile npz;
  npz.path_ = path;
  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; i < entries; ++i) {
    zip_stat_t stat;
    if (zip_stat_index(archive.get(), i, 0, &stat) != 0) {
      return absl::DataLossError(absl::StrCat(path, ": ", zip_strerror(archive.get())));
    }
    absl::string_view member = stat.name;
    if (!absl::ConsumeSuffix(&member, kNpySuffix)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": member \"", stat.name, "\" is not a .npy file"));
    }
    absl::StatusOr<std::string> bytes = ReadMember(archive.get(), i, stat);
    if (!bytes.ok()) {
      return absl::Status(bytes.status().code(),
                          absl::StrCat(path, ": member \"", stat.name, "\": ", bytes.status().message()));
    }
    absl::StatusOr<NpyArray> array = ParseNpy(member, *bytes);
    if (!array.ok()) return absl::Status(array.status().code(), absl::StrCat(path, ": ", array.status().message()));
    npz.index_[array->name] = npz.arrays_.size();
    npz.arrays_.push_back(*std::move(array));
  }
  return npz;
}

absl::StatusOr<const NpyArray*> NpzFile::Find(absl::string_view name) const {
  const auto it = index_.find(name);
  if (it == index_.end()) return absl::NotFoundError(absl::StrCat(path_, ": no array \"", name, "\""));
  return &arrays_[it->second];
}

template <typename T>
absl::StatusOr<T> NpzFile::Get(absl::string_view name, absl::StatusOr<T> (NpyArray::*convert)() const) const {
  absl::StatusOr<const NpyArray*> array = Find(name);
  if (!array.ok()) return array.status();
  absl::StatusOr<T> value = ((**array).*convert)();
  if (!value.ok()) return absl::Status(value.status().code(), absl::StrCat(path_, ": ", value.status().message()));
  return value;
}

absl::StatusOr<Tensor> NpzFile::GetTensor(absl::string_view name) const { return Get(name, &NpyArray::ToTensor); }
absl::StatusOr<std::vector<double>> NpzFile::GetDoubles(absl::string_view name) const {
  return Get(name, &NpyArray::ToDoubles);
}
absl::StatusOr<std::vector<int64_t>> NpzFile::GetInt64s(absl::string_view name) const {
  return Get(name, &NpyArray::ToInt64s);
}
absl::StatusOr<std::vector<bool>> NpzFile::GetBools(absl::string_view name) const {
  return Get(name, &NpyArray::ToBools);
}

absl::Status WriteNpz(const std::string& path, absl::Span<const NpyArray> arrays) {
  std::vector<std::pair<std::string, std::string>> members;
  absl::flat_hash_set<std::string> seen;
  for (const NpyArray& array : arrays) {
    if (array.name.empty() || !seen.insert(array.name).second) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": empty or repeated array name \"", array.name, "\""));
    }
    if (absl::Status s = CheckData(array); !s.ok())
      return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
    members.emplace_back(absl::StrCat(array.name, kNpySuffix), FormatNpy(array));
  }
  absl::StatusOr<std::string> zip = ZipStored(members);
  if (!zip.ok()) return absl::Status(zip.status().code(), absl::StrCat(path, ": ", zip.status().message()));
  return WriteFileAtomically(path, *zip);
}

}  // namespace nmt
