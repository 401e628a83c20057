#include "ops/kernels/cuda/broadcast_plan.h"

#include "base/check.h"

namespace nmt::cuda {
namespace {

void CheckRank(const char* op, const Shape& shape) {
  NMT_CHECK(shape.size() <= kMaxRank) << op << ": rank " << shape.size() << " above the CUDA kernels' " << kMaxRank;
}

}  // namespace

Shape BroadcastStrides(const Shape& in, const Shape& out) {
  const int rank = static_cast<int>(out.size()), offset = rank - static_cast<int>(in.size());
  Shape strides(rank, 0);
  int64_t stride = 1;
  for (int d = static_cast<int>(in.size()) - 1; d >= 0; --d) {
    strides[offset + d] = in[d] == 1 ? 0 : stride;
    stride *= in[d];
  }
  return strides;
}

BroadcastIndex IndexOver(const char* op, const Shape& out, const Shape& a, const Shape& b) {
  CheckRank(op, out);
  BroadcastIndex index;
  index.rank = static_cast<int>(out.size());
  const Shape sa = BroadcastStrides(a, out), sb = BroadcastStrides(b, out);
  for (int d = 0; d < index.rank; ++d) {
    index.dims[d] = out[d];
    index.stride_a[d] = sa[d];
    index.stride_b[d] = sb[d];
  }
  return index;
}

BroadcastIndex PermuteIndex(const Shape& x, absl::Span<const int> perm) {
  CheckRank("Transpose", x);
  const int rank = static_cast<int>(x.size());
  NMT_CHECK(static_cast<int>(perm.size()) == rank) << "Transpose: " << perm.size() << " axes for rank " << rank;
  Shape x_strides(rank, 1);
  for (int i = rank - 2; i >= 0; --i) x_strides[i] = x_strides[i + 1] * x[i + 1];
  BroadcastIndex index;
  index.rank = rank;
  for (int i = 0; i < rank; ++i) {
    index.dims[i] = x[perm[i]];
    index.stride_a[i] = x_strides[perm[i]];  // x read in y's index order
  }
  return index;
}

ReducePlan PlanReduction(const char* op, const Shape& out, const Shape& target, const Shape& a, const Shape& b) {
  CheckRank(op, out);
  const int rank = static_cast<int>(out.size());
  NMT_CHECK(target.size() <= out.size()) << op << ": " << ShapeString(target) << " from " << ShapeString(out);
  Shape padded(rank - target.size(), 1);
  padded.insert(padded.end(), target.begin(), target.end());
  const Shape so = BroadcastStrides(out, out), sa = BroadcastStrides(a, out), sb = BroadcastStrides(b, out);
  ReducePlan plan;
  auto add = [&](int d) {
    plan.dims[plan.rank] = out[d];
    plan.stride_out[plan.rank] = so[d];
    plan.stride_a[plan.rank] = sa[d];
    plan.stride_b[plan.rank] = sb[d];
    ++plan.rank;
  };
  // Dims of size 1 contribute nothing; the target's kept dims (in order) come first, so
  // that the reordered index t·R + r has t = the target's own row-major index.
  for (int d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;
    NMT_CHECK(padded[d] == out[d] || padded[d] == 1)
        << op << ": " << ShapeString(target) << " does not broadcast to " << ShapeString(out);
    if (padded[d] == out[d]) {
      add(d);
      plan.target_size *= out[d];
    }
  }
  plan.kept = plan.rank;
  int last_reduced = -1, first_kept = rank;
  for (int d = 0; d < rank; ++d) {
    if (out[d] != 1 && padded[d] == 1) {
      add(d);
      plan.reduced_size *= out[d];
      last_reduced = d;
    } else if (out[d] != 1 && first_kept == rank) {
      first_kept = d;
    }
  }
  plan.leading = last_reduced < first_kept;
  return plan;
}

bool ReduceWithWarps(const ReducePlan& plan) {
  const bool inner_summed = plan.rank > plan.kept && plan.stride_out[plan.rank - 1] == 1;
  return inner_summed && plan.reduced_size >= 32;
}

}  // namespace nmt::cuda
