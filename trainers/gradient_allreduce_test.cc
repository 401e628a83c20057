#include "trainers/gradient_allreduce.h"

#include <cstdlib>
#include <utility>
#include <vector>

#include "autograd/tape.h"
#include "gtest/gtest.h"

namespace nmt::trainers {
namespace {

// `size` ranks that all hold the same data: a sum is `size` times each value. Records
// the length of every call.
class EchoCommunicator final : public Communicator {
 public:
  explicit EchoCommunicator(int size) : size_(size) {}
  int rank() const override { return 0; }
  int size() const override { return size_; }
  absl::Status AllReduceSum(absl::Span<float> data) override {
    if (fail_) return absl::InternalError("MPI_Allreduce failed");
    lengths.push_back(static_cast<int64_t>(data.size()));
    for (float& v : data) v *= static_cast<float>(size_);
    return absl::OkStatus();
  }
  absl::Status AllReduceSum(absl::Span<double> data) override {
    for (double& v : data) v *= size_;
    return absl::OkStatus();
  }
  absl::Status Broadcast(absl::Span<std::byte>, int) override { return absl::OkStatus(); }
  absl::Status Barrier() override { return absl::OkStatus(); }
  [[noreturn]] void Abort(int code) override { std::exit(code); }

  std::vector<int64_t> lengths;
  bool fail_ = false;

 private:
  int size_;
};

struct Params {
  Parameter a{Tensor::Zeros({5})}, b{Tensor::Zeros({7})}, c{Tensor::Zeros({3})};
  NamedParameters named() { return {{"a", &a}, {"b", &b}, {"c", &c}}; }
  Params() {
    int k = 1;
    for (Parameter* p : {&a, &b, &c}) {
      for (float& g : p->grad().values()) g = static_cast<float>(k++);
    }
  }
};

TEST(GradientAllReducer, SumsScaledGradsInBucketsAndTheScalarsAtTheEnd) {
  Params p;
  EchoCommunicator comm(2);
  GradientAllReducer reducer(comm, /*bucket_floats=*/6);
  std::vector<float> scalars = {1.5f};
  ASSERT_TRUE(reducer.AllReduce(p.named(), 0.25f, absl::MakeSpan(scalars)).ok());
  // 15 floats of grads and 1 scalar in buckets of 6: a is cut nowhere, b across two calls.
  EXPECT_EQ(comm.lengths, (std::vector<int64_t>{6, 6, 4}));
  EXPECT_EQ(reducer.calls(), 3);
  int k = 1;
  for (Parameter* param : {&p.a, &p.b, &p.c}) {
    for (float g : param->grad().values()) EXPECT_EQ(g, 2 * 0.25f * static_cast<float>(k++));
  }
  EXPECT_EQ(scalars[0], 3.0f);
}

TEST(GradientAllReducer, OneCallWhenEverythingFitsAndNoneForNothing) {
  Params p;
  EchoCommunicator comm(3);
  GradientAllReducer reducer(comm);
  ASSERT_TRUE(reducer.AllReduce(p.named(), 1.0f, {}).ok());
  EXPECT_EQ(comm.lengths, (std::vector<int64_t>{15}));
  EXPECT_EQ(p.c.grad().values()[2], 3 * 15.0f);
  ASSERT_TRUE(reducer.AllReduce({}, 1.0f, {}).ok());
  EXPECT_EQ(reducer.calls(), 1);
}

TEST(GradientAllReducer, ScalarsThatDoNotFitTheLastBucketGetOneOfTheirOwn) {
  Params p;
  EchoCommunicator comm(2);
  GradientAllReducer reducer(comm, /*bucket_floats=*/5);
  std::vector<float> scalars = {1.0f, 2.0f};
  ASSERT_TRUE(reducer.AllReduce(p.named(), 1.0f, absl::MakeSpan(scalars)).ok());
  EXPECT_EQ(comm.lengths, (std::vector<int64_t>{5, 5, 5, 2}));
  EXPECT_EQ(scalars, (std::vector<float>{2.0f, 4.0f}));
}

TEST(GradientAllReducer, SkipsUndefinedGradsAndReturnsTheCommunicatorsError) {
  Params p;
  const Tensor undefined;
  p.b.grad() = undefined;
  EchoCommunicator comm(2);
  GradientAllReducer reducer(comm);
  ASSERT_TRUE(reducer.AllReduce(p.named(), 1.0f, {}).ok());
  EXPECT_EQ(comm.lengths, (std::vector<int64_t>{8}));
  comm.fail_ = true;
  const absl::Status s = reducer.AllReduce(p.named(), 1.0f, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "MPI_Allreduce failed");
}

}  // namespace
}  // namespace nmt::trainers
