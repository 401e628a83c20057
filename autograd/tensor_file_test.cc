#include "autograd/tensor_file.h"

#include <zlib.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "autograd/named_tensor_testing.h"
#include "base/atomic_file.h"
#include "gtest/gtest.h"

namespace nmt {
namespace {

std::string TestPath(absl::string_view name) { return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name); }

NamedTensorList SampleTensors() {
  return {{"encoder.embedding.E", Tensor::FromVector({3, 2}, {1, 2, 3, 4, 5, 6})},
          {"decoder.attention.v_a", Tensor::FromVector({4}, {-1, 0.5f, 0.25f, 8})},
          {"decoder.init.b", Tensor::Scalar(7)}};
}

// Writes SampleTensors() and returns the file's bytes.
std::string WriteSample(const std::string& path) {
  EXPECT_TRUE(WriteNamedTensors(path, SampleTensors()).ok());
  return *ReadFileToString(path);
}

void ExpectContains(const absl::Status& status, absl::string_view text) {
  EXPECT_NE(status.message().find(text), absl::string_view::npos) << "\"" << text << "\" not in: " << status;
}

TEST(NamedTensorFile, RoundTripKeepsNamesOrderShapesAndValues) {
  const std::string path = TestPath("roundtrip.tensors");
  ASSERT_TRUE(WriteNamedTensors(path, SampleTensors()).ok());
  const absl::StatusOr<NamedTensorList> read = ReadNamedTensors(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ExpectSameNamedTensors(*read, SampleTensors());
}

TEST(NamedTensorFile, HeaderHasMagicVersionAndSize) {
  const std::string file = WriteSample(TestPath("header.tensors"));
  ASSERT_GT(file.size(), 24u);
  EXPECT_EQ(file.substr(0, 8), "NMTTNSR\n");
  EXPECT_EQ(file.substr(8, 4), std::string("\x01\x00\x00\x00", 4));
  EXPECT_EQ(static_cast<unsigned char>(file[16]) + 256 * static_cast<unsigned char>(file[17]), file.size() - 24);
}

TEST(NamedTensorFile, EmptyListRoundTrips) {
  const std::string path = TestPath("empty.tensors");
  ASSERT_TRUE(WriteNamedTensors(path, {}).ok());
  const absl::StatusOr<NamedTensorList> read = ReadNamedTensors(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->empty());
}

TEST(NamedTensorFile, WriteRejectsRepeatedNamesAndLeavesNoFile) {
  const std::string path = TestPath("repeated.tensors");
  const absl::Status status = WriteNamedTensors(path, {{"w", Tensor::Scalar(1)}, {"w", Tensor::Scalar(2)}});
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_TRUE(absl::IsNotFound(ReadFileToString(path).status()));
}

TEST(NamedTensorFile, MissingFileIsNotFound) {
  const absl::Status status = ReadNamedTensors(TestPath("absent.tensors")).status();
  EXPECT_TRUE(absl::IsNotFound(status)) << status;
  ExpectContains(status, "absent.tensors");
}

TEST(NamedTensorFile, EveryFlippedPayloadByteIsDetected) {
  const std::string path = TestPath("flipped.tensors");
  const std::string file = WriteSample(path);
  for (size_t i = 24; i < file.size(); ++i) {
    std::string damaged = file;
    damaged[i] ^= 0x10;
    ASSERT_TRUE(WriteFileAtomically(path, damaged).ok());
    const absl::Status status = ReadNamedTensors(path).status();
    ASSERT_TRUE(absl::IsDataLoss(status)) << "byte " << i << ": " << status;
    ExpectContains(status, "checksum mismatch");
  }
}

TEST(NamedTensorFile, EveryTruncationIsDetected) {
  const std::string path = TestPath("truncated.tensors");
  const std::string file = WriteSample(path);
  for (size_t size = 0; size < file.size(); ++size) {
    ASSERT_TRUE(WriteFileAtomically(path, file.substr(0, size)).ok());
    const absl::Status status = ReadNamedTensors(path).status();
    ASSERT_TRUE(absl::IsDataLoss(status)) << "size " << size << ": " << status;
    ExpectContains(status, "truncated");
  }
}

TEST(NamedTensorFile, TrailingBytesAreDetected) {
  const std::string path = TestPath("trailing.tensors");
  ASSERT_TRUE(WriteFileAtomically(path, WriteSample(path) + "x").ok());
  const absl::Status status = ReadNamedTensors(path).status();
  EXPECT_TRUE(absl::IsDataLoss(status)) << status;
  ExpectContains(status, "1 more");
}

TEST(NamedTensorFile, BadMagicAndNewerVersionAreRejected) {
  const std::string path = TestPath("header_damage.tensors");
  const std::string file = WriteSample(path);
  std::string bad_magic = file;
  bad_magic[0] = 'X';
  ASSERT_TRUE(WriteFileAtomically(path, bad_magic).ok());
  absl::Status status = ReadNamedTensors(path).status();
  EXPECT_TRUE(absl::IsDataLoss(status)) << status;
  ExpectContains(status, "bad magic");

  std::string newer = file;
  newer[8] = 2;
  ASSERT_TRUE(WriteFileAtomically(path, newer).ok());
  status = ReadNamedTensors(path).status();
  EXPECT_TRUE(absl::IsUnimplemented(status)) << status;
  ExpectContains(status, "version 2");
}

// A payload that passes the checksum but is not a NamedTensors message (a writer bug,
// not disk damage) must still be refused.
TEST(NamedTensorFile, ProtobufParseFailureIsDataLoss) {
  const std::string payload = "\xff\xff\xff";  // an invalid tag
  std::string file("NMTTNSR\n\x01\x00\x00\x00", 12);
  const uint32_t crc = crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), payload.size());
  for (int i = 0; i < 4; ++i) file.push_back(static_cast<char>(crc >> (8 * i)));
  file += std::string("\x03\x00\x00\x00\x00\x00\x00\x00", 8) + payload;
  const std::string path = TestPath("unparsable.tensors");
  ASSERT_TRUE(WriteFileAtomically(path, file).ok());
  const absl::Status status = ReadNamedTensors(path).status();
  EXPECT_TRUE(absl::IsDataLoss(status)) << status;
  ExpectContains(status, "protobuf parse failure");
}

TEST(LoadNamedTensorsInto, FillsExistingTensorsInPlace) {
  const std::string path = TestPath("load.tensors");
  WriteSample(path);
  Tensor e = Tensor::Zeros({3, 2}), v = Tensor::Zeros({4}), b = Tensor::Zeros({});
  const Tensor e_view = e;  // a parameter's storage must be filled, not replaced
  const absl::Status status =
      LoadNamedTensorsInto(path, {{"encoder.embedding.E", &e}, {"decoder.attention.v_a", &v}, {"decoder.init.b", &b}});
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(e_view.ToVector(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(v.ToVector(), (std::vector<float>{-1, 0.5f, 0.25f, 8}));
  EXPECT_EQ(b.item(), 7.0f);
}

TEST(LoadNamedTensorsInto, ReportsEveryMissingUnexpectedAndMisshapenNameAtOnce) {
  const std::string path = TestPath("mismatch.tensors");
  WriteSample(path);
  Tensor e = Tensor::Full({2, 3}, -1), b = Tensor::Full({}, -1), w = Tensor::Zeros({5}), u = Tensor::Zeros({1});
  const absl::Status status = LoadNamedTensorsInto(
      path, {{"encoder.embedding.E", &e}, {"decoder.init.b", &b}, {"decoder.output.W_o", &w}, {"decoder.gru.U", &u}});
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  ExpectContains(status, path);
  ExpectContains(status, "2 missing: decoder.gru.U, decoder.output.W_o");
  ExpectContains(status, "1 unexpected: decoder.attention.v_a");
  ExpectContains(status, "1 misshapen: encoder.embedding.E (file [3, 2], expected [2, 3])");
  // All or nothing: even the tensor that matched was left alone.
  EXPECT_EQ(b.item(), -1.0f);
  EXPECT_EQ(e.ToVector(), std::vector<float>(6, -1));
}

TEST(LoadNamedTensorsInto, ReportsEachKindOfMismatchAlone) {
  const std::string path = TestPath("one_kind.tensors");
  ASSERT_TRUE(WriteNamedTensors(path, {{"a", Tensor::Scalar(1)}, {"b", Tensor::Zeros({2})}}).ok());
  Tensor a = Tensor::Zeros({}), b = Tensor::Zeros({2}), b3 = Tensor::Zeros({3}), c = Tensor::Zeros({});
  EXPECT_TRUE(LoadNamedTensorsInto(path, {{"a", &a}, {"b", &b}}).ok());
  const absl::Status missing = LoadNamedTensorsInto(path, {{"a", &a}, {"b", &b}, {"c", &c}});
  ExpectContains(missing, "1 missing: c");
  EXPECT_EQ(missing.message().find("unexpected"), absl::string_view::npos) << missing;
  ExpectContains(LoadNamedTensorsInto(path, {{"a", &a}}), "1 unexpected: b");
  ExpectContains(LoadNamedTensorsInto(path, {{"a", &a}, {"b", &b3}}), "1 misshapen: b (file [2], expected [3])");
}

TEST(AssignNamedTensors, RejectsTargetsThatCannotHoldValues) {
  Tensor half = Tensor::Empty({1}, DType::kBF16);
  const absl::Status status = AssignNamedTensors({{"h", Tensor::Scalar(1)}}, {{"h", &half}});
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  ExpectContains(status, "target \"h\"");
  EXPECT_TRUE(absl::IsFailedPrecondition(AssignNamedTensors({}, {{"null", nullptr}})));
}

}  // namespace
}  // namespace nmt
