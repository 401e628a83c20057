// Compares the parameters of two checkpoints within a floating-point tolerance, for runs
// that should agree up to rounding but not bit for bit, e.g. one process against
// several with the same global batches (the gradient is summed in another order).
// Prints one line per parameter and a summary; exits 1 when a parameter is missing,
// misshapen, or further apart than --max_relative.
//
//   bazel run //tools:compare_checkpoints -- --a=one/checkpoint.ckpt --b=two/checkpoint.ckpt --max_relative=1e-5
//
// The relative error is normwise over the whole model: max |a_i − b_i| / max |a_i| over
// every element of every parameter (the infinity norm of the difference against the
// model's scale). Element-wise or per-parameter ratios are no measure here: parameters
// that start at 0 and receive almost no gradient (RNNsearch's attention bias b_a stays
// near 1e-11 for the first steps, since v_a starts at 0) hold nothing but rounding, and
// their ratios are O(1) whatever the runs do. Each parameter's line gives its own
// max |a − b| and its own scale, for a look.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "autograd/tensor_codec.h"
#include "base/flags.h"
#include "tools/user_path.h"
#include "trainers/checkpoint.h"

ABSL_FLAG(std::string, a, "", "the first checkpoint");
ABSL_FLAG(std::string, b, "", "the second checkpoint");
ABSL_FLAG(double, max_relative, 1e-5, "largest relative error allowed (max |a-b| / max |a| over all parameters)");
ABSL_FLAG(bool, quiet, false, "print only the summary line");

namespace {

int Run() {
  absl::StatusOr<nmt::trainers::Checkpoint> a =
      nmt::trainers::ReadCheckpointFile(nmt::tools::ResolveUserPath(absl::GetFlag(FLAGS_a)));
  absl::StatusOr<nmt::trainers::Checkpoint> b =
      nmt::trainers::ReadCheckpointFile(nmt::tools::ResolveUserPath(absl::GetFlag(FLAGS_b)));
  for (const auto* read : {&a, &b}) {
    if (!read->ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(read->status().message()).c_str());
      return nmt::kExitDataError;
    }
  }
  absl::flat_hash_map<std::string, const nmt::NamedTensor*> in_b;
  for (const auto& named : b->parameters().tensors()) in_b[named.name()] = &named;
  const double tolerance = absl::GetFlag(FLAGS_max_relative);
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  double model_scale = 0, worst_absolute = 0;
  int problems = 0;
  for (const auto& named : a->parameters().tensors()) {
    const auto it = in_b.find(named.name());
    absl::StatusOr<nmt::Tensor> x = nmt::TensorFromProto(named.tensor());
    absl::StatusOr<nmt::Tensor> y =
        it == in_b.end() ? absl::NotFoundError("missing") : nmt::TensorFromProto(it->second->tensor());
    if (!x.ok() || !y.ok() || x->shape() != y->shape()) {
      std::printf("  %-28s only in one checkpoint, unreadable, or of another shape\n", named.name().c_str());
      ++problems;
      continue;
    }
    in_b.erase(it);
    double scale = 0, diff = 0;
    for (int64_t i = 0; i < x->size(); ++i) {
      const double u = x->data()[i], v = y->data()[i];
      scale = std::max(scale, std::abs(u));
      diff = std::max(diff, std::abs(u - v));
    }
    model_scale = std::max(model_scale, scale);
    worst_absolute = std::max(worst_absolute, diff);
    if (!quiet) std::printf("  %-28s max |a-b| %-10.3g max |a| %.3g\n", named.name().c_str(), diff, scale);
  }
  for (const auto& [name, unused] : in_b) {
    std::printf("  %-28s only in %s\n", name.c_str(), absl::GetFlag(FLAGS_b).c_str());
    ++problems;
  }
  const double relative = model_scale > 0 ? worst_absolute / model_scale : (worst_absolute > 0 ? INFINITY : 0);
  if (relative > tolerance) ++problems;
  std::printf("max relative error %.3g (max |a-b| %.3g / max |a| %.3g; tolerance %.3g): %s\n", relative, worst_absolute,
              model_scale, tolerance, problems == 0 ? "within tolerance" : "DIFFERENT");
  return problems == 0 ? 0 : nmt::kExitDataError;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Compares the parameters of two checkpoints within a tolerance; exits 1 beyond it.\n  compare_checkpoints "
      "--a=A.ckpt --b=B.ckpt [--max_relative=X]");
  nmt::ParseFlagsOrExit(argc, argv);
  return Run();
}
