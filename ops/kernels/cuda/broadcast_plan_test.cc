// The CUDA kernels' index arithmetic, run on the host: the plans of broadcast_plan.h
// through launch.h's BroadcastOffsets and PlanOffsets, the same inline functions the
// device kernels call, against offsets computed the naive way. Needs no GPU.
#include "ops/kernels/cuda/broadcast_plan.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace nmt::cuda {
namespace {

// The coordinates of row-major element o of `shape`.
std::vector<int64_t> Coordinates(const Shape& shape, int64_t o) {
  std::vector<int64_t> c(shape.size());
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    c[d] = o % shape[d];
    o /= shape[d];
  }
  return c;
}

// The row-major offset in `in` of the element that broadcasts to coordinates c of the
// output (trailing dims aligned, size-1 dims stretched).
int64_t NaiveOffset(const Shape& in, const std::vector<int64_t>& c) {
  const size_t lead = c.size() - in.size();
  int64_t offset = 0;
  for (size_t d = 0; d < in.size(); ++d) offset = offset * in[d] + (in[d] == 1 ? 0 : c[lead + d]);
  return offset;
}

const std::vector<std::pair<Shape, Shape>>& BroadcastPairs() {
  static const auto* pairs = new std::vector<std::pair<Shape, Shape>>{
      {{3, 5}, {3, 5}},
      {{3, 5}, {5}},
      {{5}, {3, 5}},
      {{2, 1, 4}, {3, 1}},
      {{1}, {4, 3}},
      {{7, 1}, {1, 9}},
      {{33, 70}, {33, 1}},
      {{}, {2, 3}},
      {{1, 1}, {1, 1}},
      {{2, 3, 4, 5}, {3, 1, 5}},
      {{40, 1, 3}, {1, 50, 3}},
      {{1, 2, 1, 3, 1, 2, 1, 2}, {2, 1, 2, 1, 2, 1}},
  };
  return *pairs;
}

Shape Broadcast(const Shape& a, const Shape& b) {
  Shape y(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < y.size(); ++i) {
    const int64_t da = i + a.size() >= y.size() ? a[i + a.size() - y.size()] : 1;
    const int64_t db = i + b.size() >= y.size() ? b[i + b.size() - y.size()] : 1;
    y[i] = std::max(da, db);
  }
  return y;
}

TEST(BroadcastPlan, IndexOverGivesEveryOperandOffset) {
  for (const auto& [a, b] : BroadcastPairs()) {
    const Shape y = Broadcast(a, b);
    const BroadcastIndex index = IndexOver("Add", y, a, b);
    for (int64_t o = 0; o < NumElements(y); ++o) {
      int64_t ia, ib;
      BroadcastOffsets(index, o, &ia, &ib);
      const std::vector<int64_t> c = Coordinates(y, o);
      ASSERT_EQ(ia, NaiveOffset(a, c)) << ShapeString(a) << " in " << ShapeString(y) << " at " << o;
      ASSERT_EQ(ib, NaiveOffset(b, c)) << ShapeString(b) << " in " << ShapeString(y) << " at " << o;
    }
  }
}

// Every output element is reached exactly once, from the target element it reduces
// onto, with the right a and b offsets.
void ExpectPlanCovers(const Shape& out, const Shape& target, const Shape& a, const Shape& b) {
  const std::string what = ShapeString(out) + " onto " + ShapeString(target);
  const ReducePlan plan = PlanReduction("Test", out, target, a, b);
  ASSERT_EQ(plan.target_size, NumElements(target)) << what;
  ASSERT_EQ(plan.target_size * plan.reduced_size, NumElements(out)) << what;
  std::vector<int> hits(NumElements(out), 0);
  for (int64_t t = 0; t < plan.target_size; ++t) {
    for (int64_t r = 0; r < plan.reduced_size; ++r) {
      int64_t o, ia, ib;
      PlanOffsets(plan, t, r, &o, &ia, &ib);
      ASSERT_GE(o, 0) << what;
      ASSERT_LT(o, NumElements(out)) << what;
      ++hits[o];
      const std::vector<int64_t> c = Coordinates(out, o);
      ASSERT_EQ(NaiveOffset(target, c), t) << what << ": output " << o;
      ASSERT_EQ(NaiveOffset(a, c), ia) << what << ": output " << o;
      ASSERT_EQ(NaiveOffset(b, c), ib) << what << ": output " << o;
      if (plan.leading) ASSERT_EQ(o, r * plan.target_size + t) << what << ": a leading reduction";
    }
  }
  for (int64_t o = 0; o < NumElements(out); ++o) ASSERT_EQ(hits[o], 1) << what << ": output " << o;
}

TEST(BroadcastPlan, ReductionOntoEitherOperandCoversEveryOutputOnce) {
  for (const auto& [a, b] : BroadcastPairs()) {
    const Shape y = Broadcast(a, b);
    ExpectPlanCovers(y, a, a, b);
    ExpectPlanCovers(y, b, a, b);
  }
}

TEST(BroadcastPlan, ReduceSumOntoKeptDims) {
  const Shape x = {4, 5, 67};
  for (const Shape& y : std::vector<Shape>{{1, 5, 1}, {4, 1, 67}, {1, 1, 1}, {4, 5, 1}, {1, 5, 67}, {4, 5, 67}}) {
    ExpectPlanCovers(x, y, x, x);
  }
}

TEST(BroadcastPlan, WarpsWhenTheInnermostDimIsSummed) {
  EXPECT_TRUE(ReduceWithWarps(PlanReduction("Test", {4, 5, 67}, {4, 5, 1}, {}, {})));
  EXPECT_FALSE(ReduceWithWarps(PlanReduction("Test", {4, 5, 7}, {4, 5, 1}, {}, {})));  // too little to sum
  EXPECT_FALSE(ReduceWithWarps(PlanReduction("Test", {4000, 620}, {620}, {}, {})));    // a bias gradient
  EXPECT_FALSE(ReduceWithWarps(PlanReduction("Test", {4, 5}, {4, 5}, {}, {})));        // nothing summed
}

TEST(BroadcastPlan, LeadingReductionsAreRecognised) {
  EXPECT_TRUE(PlanReduction("Test", {4000, 620}, {620}, {}, {}).leading);  // a bias gradient
  EXPECT_TRUE(PlanReduction("Test", {4, 5, 67}, {1, 5, 67}, {}, {}).leading);
  EXPECT_TRUE(PlanReduction("Test", {4, 1, 5}, {1, 1, 5}, {}, {}).leading);
  EXPECT_TRUE(PlanReduction("Test", {4, 5}, {1, 1}, {}, {}).leading);  // everything summed
  EXPECT_TRUE(PlanReduction("Test", {4, 5}, {4, 5}, {}, {}).leading);  // nothing summed
  EXPECT_FALSE(PlanReduction("Test", {4, 5, 67}, {4, 1, 67}, {}, {}).leading);
  EXPECT_FALSE(PlanReduction("Test", {4, 5, 67}, {1, 5, 1}, {}, {}).leading);
}

TEST(BroadcastPlan, PermuteReadsXInYsOrder) {
  const Shape x = {2, 3, 5, 7};
  for (const std::vector<int>& perm : std::vector<std::vector<int>>{{3, 0, 2, 1}, {1, 0, 2, 3}, {0, 1, 2, 3}}) {
    const BroadcastIndex index = PermuteIndex(x, perm);
    Shape y;
    for (int p : perm) y.push_back(x[p]);
    for (int64_t o = 0; o < NumElements(y); ++o) {
      int64_t ix, unused;
      BroadcastOffsets(index, o, &ix, &unused);
      const std::vector<int64_t> cy = Coordinates(y, o);
      std::vector<int64_t> cx(x.size());
      for (size_t i = 0; i < perm.size(); ++i) cx[perm[i]] = cy[i];
      ASSERT_EQ(ix, NaiveOffset(x, cx)) << "output " << o;
    }
  }
}

TEST(BroadcastPlan, RefusesShapesThatDoNotBroadcast) {
  EXPECT_DEATH(PlanReduction("Add", {3, 5}, {4}, {3, 5}, {4}), "Add: \\[4\\] does not broadcast to \\[3, 5\\]");
  EXPECT_DEATH(IndexOver("Mul", Shape(9, 1), {}, {}), "Mul: rank 9 above the CUDA kernels' 8");
}

}  // namespace
}  // namespace nmt::cuda
