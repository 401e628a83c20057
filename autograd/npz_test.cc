#include "autograd/npz.h"

#include <zip.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/atomic_file.h"
#include "gtest/gtest.h"

namespace nmt {
namespace {

// Made by numpy; see testdata/make_numpy_fixture.py.
constexpr char kNumpyFixture[] = "autograd/testdata/numpy_fixture.npz";

std::string TestPath(absl::string_view name) { return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name); }

void ExpectError(const absl::Status& status, absl::StatusCode code, absl::string_view text) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_NE(status.message().find(text), absl::string_view::npos) << "\"" << text << "\" not in: " << status;
}

// The raw members of a zip, in order, read with libzip directly.
std::vector<std::pair<std::string, std::string>> ZipMembers(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> members;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, nullptr);
  if (archive == nullptr) return members;
  for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
    zip_stat_t stat;
    zip_stat_index(archive, i, 0, &stat);
    EXPECT_EQ(stat.comp_method, ZIP_CM_STORE) << stat.name;
    std::string bytes(stat.size, '\0');
    zip_file_t* file = zip_fopen_index(archive, i, 0);
    EXPECT_EQ(zip_fread(file, bytes.data(), bytes.size()), static_cast<zip_int64_t>(bytes.size()));
    zip_fclose(file);
    members.emplace_back(stat.name, std::move(bytes));
  }
  zip_discard(archive);
  return members;
}

// Writes a zip of the given members as they are, for damaged .npy contents.
void WriteZip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& members) {
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, nullptr);
  ASSERT_NE(archive, nullptr);
  for (const auto& [name, bytes] : members) {
    zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
    ASSERT_GE(zip_file_add(archive, name.c_str(), source, 0), 0);
  }
  ASSERT_EQ(zip_close(archive), 0);
}

// A version 1.0 .npy with the given header dict and data.
std::string Npy(absl::string_view header, absl::string_view data, char major = 1) {
  std::string out("\x93NUMPY", 6);
  out.push_back(major);
  out.push_back(0);
  const size_t length_bytes = major == 1 ? 2 : 4;
  for (size_t i = 0; i < length_bytes; ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  return absl::StrCat(out, header, data);
}

TEST(NpzFile, ReadsNumpyFixtureExactly) {
  const absl::StatusOr<NpzFile> npz = NpzFile::Read(kNumpyFixture);
  ASSERT_TRUE(npz.ok()) << npz.status();
  ASSERT_EQ(npz->arrays().size(), 8u);
  EXPECT_EQ(npz->arrays()[1].name, "param/dec.C");

  const absl::StatusOr<Tensor> f4 = npz->GetTensor("f4");
  ASSERT_TRUE(f4.ok()) << f4.status();
  EXPECT_EQ(f4->shape(), (Shape{2, 3}));
  EXPECT_EQ(f4->ToVector(), (std::vector<float>{1.5f, -2.25f, 0.0f, 3.0e-8f, 65504.0f, -1.0e10f}));

  const absl::StatusOr<const NpyArray*> c = npz->Find("param/dec.C");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->dtype, NpyDType::kF64);
  EXPECT_EQ(*npz->GetDoubles("param/dec.C"), (std::vector<double>{0.1, -0.2, 1.0 / 3.0, 1.0e-300, 2.5, -7.0}));
  const absl::StatusOr<Tensor> c32 = npz->GetTensor("param/dec.C");  // rounded to f32
  ASSERT_TRUE(c32.ok()) << c32.status();
  EXPECT_EQ(c32->shape(), (Shape{3, 2}));
  EXPECT_EQ(c32->ToVector(), (std::vector<float>{0.1f, -0.2f, 1.0f / 3.0f, 0.0f, 2.5f, -7.0f}));

  EXPECT_EQ(*npz->GetInt64s("batch/src"), (std::vector<int64_t>{5, 9, 2, 0, 7, int64_t{1} << 40, 0, 0}));
  EXPECT_EQ(*npz->GetInt64s("i4"), (std::vector<int64_t>{-1, 2147483647, 0}));
  EXPECT_EQ(*npz->GetBools("batch/src_mask"), (std::vector<bool>{true, true, true, false, true, true, false, false}));

  const absl::StatusOr<const NpyArray*> loss = npz->Find("loss");
  ASSERT_TRUE(loss.ok());
  EXPECT_TRUE((*loss)->shape.empty());
  EXPECT_EQ(*npz->GetDoubles("loss"), std::vector<double>{3.141592653589793});
  EXPECT_EQ(npz->GetTensor("loss")->rank(), 0);
}

TEST(NpzFile, ReadsNpyVersions2And3) {
  const absl::StatusOr<NpzFile> npz = NpzFile::Read(kNumpyFixture);
  ASSERT_TRUE(npz.ok()) << npz.status();
  const absl::StatusOr<Tensor> v2 = npz->GetTensor("v2");
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->shape(), (Shape{2, 3}));
  EXPECT_EQ(v2->ToVector(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(*npz->GetDoubles("v3"), (std::vector<double>{-0.5, 0.25}));
}

TEST(FormatNpy, MatchesNumpyByteForByte) {
  // Every version 1.0 member of the numpy fixture, re-formatted from what we parsed.
  for (const auto& [member, bytes] : ZipMembers(kNumpyFixture)) {
    if (bytes[6] != 1) continue;
    const absl::StatusOr<NpyArray> array = ParseNpy(member.substr(0, member.size() - 4), bytes);
    ASSERT_TRUE(array.ok()) << array.status();
    EXPECT_EQ(FormatNpy(*array), bytes) << member;
  }
}

TEST(WriteNpz, RoundTripsEveryDtypeInOrder) {
  const std::string path = TestPath("roundtrip.npz");
  std::vector<NpyArray> arrays = {
      *NpyArray::FromTensor("grad/dec.C", Tensor::FromVector({2, 2}, {1, -2, 3.5f, 1e-20f})),
      *NpyArray::FromInt64s("batch/tgt", {2, 3}, {1, 2, 3, 4, 0, -5}),
      *NpyArray::FromTensor("loss", Tensor::Scalar(0.75f)),
      {"mask", {3}, NpyDType::kBool, std::string("\x01\x00\x01", 3)},
      {"empty", {0, 4}, NpyDType::kF64, ""},
  };
  ASSERT_TRUE(WriteNpz(path, arrays).ok());
  const absl::StatusOr<NpzFile> npz = NpzFile::Read(path);
  ASSERT_TRUE(npz.ok()) << npz.status();
  ASSERT_EQ(npz->arrays().size(), arrays.size());
  for (size_t i = 0; i < arrays.size(); ++i) {
    EXPECT_EQ(npz->arrays()[i].name, arrays[i].name);
    EXPECT_EQ(npz->arrays()[i].shape, arrays[i].shape);
    EXPECT_EQ(npz->arrays()[i].dtype, arrays[i].dtype);
    EXPECT_EQ(npz->arrays()[i].data, arrays[i].data);
  }
  EXPECT_EQ(npz->GetTensor("grad/dec.C")->ToVector(), (std::vector<float>{1, -2, 3.5f, 1e-20f}));
  EXPECT_EQ(*npz->GetInt64s("batch/tgt"), (std::vector<int64_t>{1, 2, 3, 4, 0, -5}));
  EXPECT_EQ(*npz->GetBools("mask"), (std::vector<bool>{true, false, true}));
}

TEST(WriteNpz, StoresUncompressedNpyMembersReproducibly) {
  const std::string path = TestPath("stored.npz");
  const std::vector<NpyArray> arrays = {*NpyArray::FromTensor("w", Tensor::FromVector({3}, {1, 2, 3}))};
  ASSERT_TRUE(WriteNpz(path, arrays).ok());
  const std::string first = *ReadFileToString(path);
  const auto members = ZipMembers(path);  // also checks ZIP_CM_STORE
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].first, "w.npy");
  EXPECT_EQ(members[0].second, FormatNpy(arrays[0]));
  EXPECT_EQ((members[0].second.size() - 12) % 64, 0u);  // data starts 64-byte aligned
  ASSERT_TRUE(WriteNpz(path, arrays).ok());
  EXPECT_EQ(*ReadFileToString(path), first);
}

TEST(WriteNpz, RejectsBadArrays) {
  const std::string path = TestPath("bad_arrays.npz");
  const NpyArray w = *NpyArray::FromTensor("w", Tensor::Scalar(1));
  ExpectError(WriteNpz(path, {w, w}), absl::StatusCode::kInvalidArgument, "repeated array name \"w\"");
  ExpectError(WriteNpz(path, {{"short", {2}, NpyDType::kF32, "abc"}}), absl::StatusCode::kInvalidArgument,
              "array \"short\"");
  EXPECT_TRUE(absl::IsNotFound(ReadFileToString(path).status()));
  ExpectError(NpyArray::FromInt64s("ids", {2, 2}, {1, 2, 3}).status(), absl::StatusCode::kInvalidArgument,
              "needs 4 values, got 3");
  EXPECT_TRUE(absl::IsFailedPrecondition(NpyArray::FromTensor("h", Tensor::Empty({1}, DType::kBF16)).status()));
}

TEST(NpzFile, MissingKeyAndWrongDtypeNameTheArray) {
  const absl::StatusOr<NpzFile> npz = NpzFile::Read(kNumpyFixture);
  ASSERT_TRUE(npz.ok()) << npz.status();
  EXPECT_FALSE(npz->contains("param/absent"));
  ExpectError(npz->GetTensor("param/absent").status(), absl::StatusCode::kNotFound, "no array \"param/absent\"");
  ExpectError(npz->GetInt64s("f4").status(), absl::StatusCode::kInvalidArgument,
              "array \"f4\" has dtype <f4; expected <i4 or <i8");
  ExpectError(npz->GetTensor("batch/src").status(), absl::StatusCode::kInvalidArgument, "has dtype <i8");
  ExpectError(npz->GetBools("loss").status(), absl::StatusCode::kInvalidArgument, "expected |b1");
  ExpectError(npz->GetDoubles("batch/src_mask").status(), absl::StatusCode::kInvalidArgument, "expected <f4 or <f8");
}

TEST(NpzFile, MissingFileIsNotFound) {
  ExpectError(NpzFile::Read(TestPath("absent.npz")).status(), absl::StatusCode::kNotFound, "absent.npz");
}

TEST(NpzFile, NotAZipIsDataLoss) {
  const std::string path = TestPath("text.npz");
  ASSERT_TRUE(WriteFileAtomically(path, "this is not a zip archive at all").ok());
  ExpectError(NpzFile::Read(path).status(), absl::StatusCode::kDataLoss, "Not a zip archive");
}

TEST(NpzFile, TruncatedFileIsDataLoss) {
  const std::string path = TestPath("truncated.npz");
  const std::string whole = *ReadFileToString(kNumpyFixture);
  for (size_t size : {size_t{0}, size_t{30}, whole.size() / 2, whole.size() - 1}) {
    ASSERT_TRUE(WriteFileAtomically(path, whole.substr(0, size)).ok());
    const absl::Status status = NpzFile::Read(path).status();
    EXPECT_TRUE(absl::IsDataLoss(status)) << "size " << size << ": " << status;
  }
}

TEST(NpzFile, FlippedDataByteFailsTheCrc) {
  const std::string path = TestPath("flipped.npz");
  ASSERT_TRUE(WriteNpz(path, {*NpyArray::FromInt64s("ids", {1}, {0x0102030405060708})}).ok());
  std::string bytes = *ReadFileToString(path);
  const size_t at = bytes.find("\x08\x07\x06\x05\x04\x03\x02\x01");
  ASSERT_NE(at, std::string::npos);
  bytes[at] ^= 0x01;
  ASSERT_TRUE(WriteFileAtomically(path, bytes).ok());
  ExpectError(NpzFile::Read(path).status(), absl::StatusCode::kDataLoss, "CRC error");
}

TEST(NpzFile, TruncatedMemberIsDataLoss) {
  const std::string path = TestPath("short_member.npz");
  WriteZip(path,
           {{"w.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }\n", std::string(12, '\0'))}});
  ExpectError(NpzFile::Read(path).status(), absl::StatusCode::kDataLoss, "member \"w.npy\": truncated");
  WriteZip(path, {{"w.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }\n", "").substr(0, 20)}});
  ExpectError(NpzFile::Read(path).status(), absl::StatusCode::kDataLoss, "truncated .npy header");
}

// A 222-byte file whose member claims 2^62 bytes (testdata/make_huge_member_size.py):
// Read used to allocate the claim before reading, and died of std::bad_alloc.
TEST(NpzFile, MemberSizeInTheDirectoryIsNotTrustedForAllocation) {
  const absl::Status status = NpzFile::Read("autograd/testdata/huge_member_size.npz").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_NE(status.message().find("member \"loss.npy\""), absl::string_view::npos) << status;
}

TEST(NpzFile, BadNpyMagicAndNonNpyMembersAreRejected) {
  const std::string path = TestPath("bad_magic.npz");
  WriteZip(path, {{"w.npy", "PK not an npy file"}});
  ExpectError(NpzFile::Read(path).status(), absl::StatusCode::kInvalidArgument, "member \"w.npy\": bad .npy magic");
  WriteZip(path, {{"notes.txt", "hello"}});
  ExpectError(NpzFile::Read(path).status(), absl::StatusCode::kInvalidArgument, "\"notes.txt\" is not a .npy file");
}

TEST(ParseNpy, RejectsUnsupportedVersionsOrderAndDtypes) {
  const std::string f4_header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n";
  ExpectError(ParseNpy("v", Npy(f4_header, "abcd", 4)).status(), absl::StatusCode::kInvalidArgument,
              "unsupported .npy version 4.0");
  ExpectError(ParseNpy("fortran", Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", std::string(16, 0)))
                  .status(),
              absl::StatusCode::kInvalidArgument, "fortran_order True is not supported");
  ExpectError(ParseNpy("big", Npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "abcd")).status(),
              absl::StatusCode::kInvalidArgument, "unsupported dtype '>f4' (supported: <f4, <f8, <i4, <i8, |b1)");
  ExpectError(ParseNpy("c8", Npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "abcdefgh")).status(),
              absl::StatusCode::kInvalidArgument, "unsupported dtype '<c8'");
  ExpectError(ParseNpy("long", Npy(f4_header, "abcdefgh")).status(), absl::StatusCode::kInvalidArgument,
              "needs 1 * 4 bytes, got 8");
}

TEST(ParseNpy, RejectsMalformedHeaders) {
  for (const char* header : {"{'descr': '<f4', 'fortran_order': False}",  // no shape
                             "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
                             "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}",
                             "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
                             "{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}", "['descr', '<f4']"}) {
    ExpectError(ParseNpy("h", Npy(header, "abcd")).status(), absl::StatusCode::kInvalidArgument, "bad .npy header");
  }
}

TEST(ParseNpy, AcceptsAnyKeyOrderDoubleQuotesAndPython2Longs) {
  const absl::StatusOr<NpyArray> array =
      ParseNpy("p", Npy("{\"shape\": (2L, 1L), \"fortran_order\": False, \"descr\": \"<i4\"}  \n", std::string(8, 0)));
  ASSERT_TRUE(array.ok()) << array.status();
  EXPECT_EQ(array->shape, (Shape{2, 1}));
  EXPECT_EQ(*array->ToInt64s(), (std::vector<int64_t>{0, 0}));
}

}  // namespace
}  // namespace nmt
