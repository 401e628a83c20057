#include "autograd/tensor_bytes.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace nmt {
namespace {

TEST(TensorBytes, RoundTripsValuesAndShape) {
  const Tensor x = Tensor::FromVector({2, 3}, {1.5f, -2.0f, 0.0f, 3.25f, 1e-30f, -7.0f});
  const absl::StatusOr<std::string> bytes = TensorToBytes(x);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  ASSERT_EQ(bytes->size(), 24u);
  const absl::StatusOr<Tensor> back = TensorFromBytes(x.shape(), *bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->shape(), x.shape());
  EXPECT_EQ(back->ToVector(), x.ToVector());
  EXPECT_FALSE(back->SharesStorageWith(x));
}

TEST(TensorBytes, BytesAreLittleEndianF32) {
  const absl::StatusOr<std::string> bytes = TensorToBytes(Tensor::Scalar(1.0f));  // 0x3f800000
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, std::string("\x00\x00\x80\x3f", 4));
}

TEST(TensorBytes, ScalarAndEmptyShapes) {
  const absl::StatusOr<Tensor> scalar = TensorFromBytes({}, std::string("\x00\x00\x80\x3f", 4));
  ASSERT_TRUE(scalar.ok()) << scalar.status();
  EXPECT_EQ(scalar->rank(), 0);
  EXPECT_EQ(scalar->item(), 1.0f);
  const absl::StatusOr<Tensor> empty = TensorFromBytes({0, 5}, "");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->size(), 0);
}

TEST(TensorBytes, WrongByteCountIsAnError) {
  const absl::StatusOr<Tensor> short_data = TensorFromBytes({2, 2}, std::string(12, '\0'));
  EXPECT_TRUE(absl::IsInvalidArgument(short_data.status())) << short_data.status();
  EXPECT_NE(short_data.status().message().find("[2, 2]"), std::string::npos);
  EXPECT_FALSE(TensorFromBytes({1}, std::string(5, '\0')).ok());
}

TEST(CheckedNumElements, RejectsNegativeAndOverflowingShapes) {
  EXPECT_EQ(*CheckedNumElements({}), 1);
  EXPECT_EQ(*CheckedNumElements({3, 0, 4}), 0);
  EXPECT_EQ(*CheckedNumElements({3, 4}), 12);
  EXPECT_FALSE(CheckedNumElements({2, -3}).ok());
  const int64_t big = std::numeric_limits<int64_t>::max() / 2 + 1;
  EXPECT_FALSE(CheckedNumElements({big, 2}).ok());
  // A huge shape must not pass the byte-count check by wrapping around.
  EXPECT_FALSE(TensorFromBytes({int64_t{1} << 62, 4}, "").ok());
}

TEST(CheckHostF32, RejectsUndefinedAndOtherDtypes) {
  EXPECT_TRUE(absl::IsFailedPrecondition(CheckHostF32(Tensor())));
  EXPECT_TRUE(absl::IsFailedPrecondition(CheckHostF32(Tensor::Empty({2}, DType::kBF16))));
  EXPECT_FALSE(TensorToBytes(Tensor::Empty({2}, DType::kF16)).ok());
  EXPECT_TRUE(CheckHostF32(Tensor::Zeros({2})).ok());
}

}  // namespace
}  // namespace nmt
