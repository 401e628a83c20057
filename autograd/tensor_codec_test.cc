#include "autograd/tensor_codec.h"

#include <string>

#include "gtest/gtest.h"

namespace nmt {
namespace {

TEST(TensorToProto, StoresShapeDtypeAndLittleEndianBytes) {
  const absl::StatusOr<TensorProto> proto = TensorToProto(Tensor::FromVector({1, 2}, {1.0f, -2.0f}));
  ASSERT_TRUE(proto.ok()) << proto.status();
  EXPECT_EQ(std::vector<int64_t>(proto->shape().begin(), proto->shape().end()), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(proto->dtype(), TensorProto::F32);
  EXPECT_EQ(proto->data(), std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8));
}

TEST(TensorFromProto, RoundTripsScalarsAndMatrices) {
  for (const Tensor& x : {Tensor::Scalar(3.5f), Tensor::FromVector({2, 3}, {1, 2, 3, 4, 5, 6})}) {
    const absl::StatusOr<Tensor> back = TensorFromProto(*TensorToProto(x));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->shape(), x.shape());
    EXPECT_EQ(back->ToVector(), x.ToVector());
  }
}

TEST(TensorFromProto, RejectsUnsetDtypeBadShapeAndWrongSize) {
  TensorProto proto = *TensorToProto(Tensor::FromVector({2}, {1, 2}));
  TensorProto unset = proto;
  unset.set_dtype(TensorProto::DTYPE_UNSPECIFIED);
  EXPECT_TRUE(absl::IsInvalidArgument(TensorFromProto(unset).status()));
  TensorProto half = proto;
  half.set_dtype(TensorProto::BF16);
  EXPECT_TRUE(absl::IsUnimplemented(TensorFromProto(half).status()));
  TensorProto negative = proto;
  negative.set_shape(0, -2);
  EXPECT_TRUE(absl::IsInvalidArgument(TensorFromProto(negative).status()));
  TensorProto short_data = proto;
  short_data.mutable_data()->pop_back();
  EXPECT_TRUE(absl::IsInvalidArgument(TensorFromProto(short_data).status()));
}

TEST(TensorToProto, RejectsUndefinedAndHalfTensors) {
  EXPECT_TRUE(absl::IsFailedPrecondition(TensorToProto(Tensor()).status()));
  EXPECT_TRUE(absl::IsUnimplemented(TensorToProto(Tensor::Empty({2}, DType::kBF16)).status()));
}

TEST(NamedTensors, RoundTripKeepsOrder) {
  const NamedTensorList tensors = {{"z.last_alphabetically", Tensor::Scalar(1)},
                                   {"a.first_alphabetically", Tensor::FromVector({2}, {2, 3})},
                                   {"m", Tensor::Zeros({0, 4})}};
  const absl::StatusOr<NamedTensors> proto = NamedTensorsToProto(tensors);
  ASSERT_TRUE(proto.ok()) << proto.status();
  const absl::StatusOr<NamedTensorList> back = NamedTensorsFromProto(*proto);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_EQ((*back)[i].first, tensors[i].first);
    EXPECT_EQ((*back)[i].second.shape(), tensors[i].second.shape());
    EXPECT_EQ((*back)[i].second.ToVector(), tensors[i].second.ToVector());
  }
}

TEST(NamedTensors, RejectsRepeatedOrEmptyNames) {
  const NamedTensorList repeated = {{"w", Tensor::Scalar(1)}, {"w", Tensor::Scalar(2)}};
  EXPECT_TRUE(absl::IsInvalidArgument(NamedTensorsToProto(repeated).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(NamedTensorsToProto({{"", Tensor::Scalar(1)}}).status()));

  NamedTensors proto = *NamedTensorsToProto({{"w", Tensor::Scalar(1)}});
  *proto.add_tensors() = proto.tensors(0);
  const absl::Status status = NamedTensorsFromProto(proto).status();
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_NE(status.message().find("\"w\""), std::string::npos) << status;
}

TEST(NamedTensors, ErrorsNameTheTensor) {
  NamedTensors proto = *NamedTensorsToProto({{"decoder.gru.U", Tensor::FromVector({2}, {1, 2})}});
  proto.mutable_tensors(0)->mutable_tensor()->mutable_data()->resize(3);
  const absl::Status status = NamedTensorsFromProto(proto).status();
  EXPECT_NE(status.message().find("decoder.gru.U"), std::string::npos) << status;
  EXPECT_TRUE(absl::IsFailedPrecondition(NamedTensorsToProto({{"undefined", Tensor()}}).status()));
}

}  // namespace
}  // namespace nmt
