// The data-parallel step against the one-process step. Two ranks are replayed in one
// process: rank 0's contribution is recorded, then rank 1's communicator adds it to
// its own, which is exactly the sum MPI would hand both ranks.
#include "trainers/train_step.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <vector>

#include "datasets/special_ids.h"
#include "gtest/gtest.h"
#include "models/registry.h"
#include "ops/test_context.h"
#include "trainers/sgd.h"

namespace nmt::trainers {
namespace {

// Rank `rank` of 2. Rank 0 records what it contributes and gets it back unchanged;
// rank 1 gets its own plus rank 0's recording, call by call.
class ReplayCommunicator final : public Communicator {
 public:
  ReplayCommunicator(int rank, std::vector<std::vector<float>>* recorded) : rank_(rank), recorded_(recorded) {}
  int rank() const override { return rank_; }
  int size() const override { return 2; }
  absl::Status AllReduceSum(absl::Span<float> data) override {
    if (rank_ == 0) {
      recorded_->emplace_back(data.begin(), data.end());
      return absl::OkStatus();
    }
    if (call_ >= recorded_->size()) return absl::InternalError("rank 0 made fewer calls");
    const std::vector<float>& other = (*recorded_)[call_++];
    if (other.size() != data.size()) return absl::InternalError("ranks disagree on the length");
    for (size_t i = 0; i < data.size(); ++i) data[i] = other[i] + data[i];
    return absl::OkStatus();
  }
  absl::Status AllReduceSum(absl::Span<double>) override { return absl::UnimplementedError("unused"); }
  absl::Status Broadcast(absl::Span<std::byte>, int) override { return absl::UnimplementedError("unused"); }
  absl::Status Barrier() override { return absl::OkStatus(); }
  [[noreturn]] void Abort(int code) override { std::exit(code); }

 private:
  int rank_;
  std::vector<std::vector<float>>* recorded_;
  size_t call_ = 0;
};

models::ModelConfig TinyModel() {
  models::ModelConfig c;
  c.set_kind(models::DefaultModel().kind);
  c.set_src_vocab(20);
  c.set_tgt_vocab(20);
  c.set_m(8);
  c.set_n(12);
  c.set_n_align(8);
  c.set_l(6);
  c.set_seed(7);
  return c;
}

// Sentences of different lengths, so that the shards are padded differently.
datasets::Batch TinyBatch(int rows) {
  std::vector<datasets::Example> examples;
  for (int r = 0; r < rows; ++r) {
    datasets::Example e;
    for (int i = 0; i < 2 + (r * 3) % 5; ++i) e.source.push_back(datasets::kFirstWordId + (r + 5 * i) % 17);
    for (int i = 0; i < 1 + (r * 2) % 4; ++i) e.target.push_back(datasets::kFirstWordId + (3 * r + i) % 17);
    e.source.push_back(datasets::kEosId);
    e.target.push_back(datasets::kEosId);
    examples.push_back(e);
  }
  std::vector<int64_t> indices(rows);
  for (int r = 0; r < rows; ++r) indices[r] = r;
  return datasets::MakeBatch(examples, indices);
}

struct Replica {
  std::unique_ptr<models::Model> model = *models::MakeModel(TinyModel());
  Sgd optimizer{model->NamedParameters(), {.lr = 0.5}};
};

// max over every element of every parameter of |a − b| / (max |a| of that parameter).
double MaxRelativeDifference(Replica& a, Replica& b, bool grads) {
  const NamedParameters pa = a.model->NamedParameters(), pb = b.model->NamedParameters();
  double worst = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    const Tensor& x = grads ? pa[i].second->grad() : pa[i].second->value();
    const Tensor& y = grads ? pb[i].second->grad() : pb[i].second->value();
    double scale = 0, diff = 0;
    for (int64_t k = 0; k < x.size(); ++k) {
      scale = std::max(scale, std::abs(static_cast<double>(x.data()[k])));
      diff = std::max(diff, std::abs(static_cast<double>(x.data()[k]) - y.data()[k]));
    }
    if (scale > 0) worst = std::max(worst, diff / scale);
  }
  return worst;
}

// One step on `rows` rows: one process, then two replayed ranks. Returns rank 1's replica
// after its step, and the recorded contribution of rank 0.
struct Outcome {
  StepResult one, rank1;
  double grad_difference, value_difference;
  std::vector<std::vector<float>> rank0_contribution;
};

Outcome StepBothWays(int rows, double max_grad_norm) {
  DeviceContext& context = TestContext();
  Tape tape(context);
  const datasets::Batch batch = TinyBatch(rows);
  Outcome out;
  Replica single, rank0, rank1;
  out.one = TrainStep(*single.model, single.optimizer, tape, batch, max_grad_norm);
  ReplayCommunicator comm0(0, &out.rank0_contribution), comm1(1, &out.rank0_contribution);
  GradientAllReducer reducer0(comm0), reducer1(comm1);
  EXPECT_TRUE(TrainStep(*rank0.model, rank0.optimizer, tape, batch, max_grad_norm, reducer0).status.ok());
  out.rank1 = TrainStep(*rank1.model, rank1.optimizer, tape, batch, max_grad_norm, reducer1);
  EXPECT_TRUE(out.rank1.status.ok()) << out.rank1.status;
  out.grad_difference = MaxRelativeDifference(single, rank1, /*grads=*/true);
  out.value_difference = MaxRelativeDifference(single, rank1, /*grads=*/false);
  return out;
}

TEST(DataParallelTrainStep, TwoRanksSumToTheOneProcessGradient) {
  // 5 rows: rank 0 takes 2, rank 1 takes 3, each padded to its own longest sentence.
  const Outcome out = StepBothWays(5, /*max_grad_norm=*/0);
  ASSERT_TRUE(out.rank1.applied);
  EXPECT_NEAR(out.rank1.loss, out.one.loss, 1e-6 * std::abs(out.one.loss));
  EXPECT_NEAR(out.rank1.grad_norm, out.one.grad_norm, 1e-6 * out.one.grad_norm);
  // Float sums in another order: a few units in the last place.
  EXPECT_LT(out.grad_difference, 1e-5);
  EXPECT_LT(out.value_difference, 1e-6);
}

TEST(DataParallelTrainStep, ClipsTheSummedGradient) {
  // The norm is well over 0.05, so both clip by the norm of the whole batch's gradient.
  const Outcome out = StepBothWays(5, /*max_grad_norm=*/0.05);
  ASSERT_GT(out.one.grad_norm, 0.05);
  EXPECT_NEAR(out.rank1.grad_norm, out.one.grad_norm, 1e-6 * out.one.grad_norm);
  EXPECT_LT(out.grad_difference, 1e-5);
  EXPECT_LT(out.value_difference, 1e-6);
}

TEST(DataParallelTrainStep, AnEmptyShardContributesZeros) {
  // One row for two ranks: rank 0's shard is empty.
  const Outcome out = StepBothWays(1, /*max_grad_norm=*/1.0);
  ASSERT_FALSE(out.rank0_contribution.empty());
  for (const std::vector<float>& bucket : out.rank0_contribution) {
    EXPECT_TRUE(std::all_of(bucket.begin(), bucket.end(), [](float v) { return v == 0.0f; }));
  }
  // Rank 1 holds the whole batch with a share of 1, and 0 + x = x: the same bits.
  EXPECT_EQ(out.rank1.loss, out.one.loss);
  EXPECT_EQ(out.rank1.grad_norm, out.one.grad_norm);
  EXPECT_EQ(out.grad_difference, 0.0);
  EXPECT_EQ(out.value_difference, 0.0);
}

TEST(DataParallelTrainStep, OneRankIsThePlainStepBitForBit) {
  DeviceContext& context = TestContext();
  Tape tape(context);
  const datasets::Batch batch = TinyBatch(4);
  Replica a, b;
  GradientAllReducer reducer(OneProcess());
  for (int step = 0; step < 3; ++step) {
    const StepResult x = TrainStep(*a.model, a.optimizer, tape, batch, 1.0);
    const StepResult y = TrainStep(*b.model, b.optimizer, tape, batch, 1.0, reducer);
    EXPECT_EQ(x.loss, y.loss);
    EXPECT_EQ(x.grad_norm, y.grad_norm);
  }
  EXPECT_EQ(MaxRelativeDifference(a, b, /*grads=*/false), 0.0);
  EXPECT_EQ(reducer.calls(), 0);
}

TEST(DataParallelTrainStep, AFailedAllReduceAppliesNothing) {
  DeviceContext& context = TestContext();
  Tape tape(context);
  std::vector<std::vector<float>> nothing_recorded;
  ReplayCommunicator comm1(1, &nothing_recorded);  // rank 1 with no rank 0 to add: fails
  GradientAllReducer reducer(comm1);
  Replica fresh, stepped;
  const StepResult r = TrainStep(*stepped.model, stepped.optimizer, tape, TinyBatch(3), 1.0, reducer);
  EXPECT_FALSE(r.status.ok());
  EXPECT_FALSE(r.applied);
  EXPECT_EQ(stepped.optimizer.step_count(), 0);
  EXPECT_EQ(MaxRelativeDifference(fresh, stepped, /*grads=*/false), 0.0);
}

}  // namespace
}  // namespace nmt::trainers
