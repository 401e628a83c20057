// parity: compares our model with a PyTorch reference dump (torch_rnnsearch.py
// dump-grads, any sizes, float32 or float64) and prints the worst relative error
// per tensor, then `max_rel_err=<value>`. Exits 1 above --tolerance.
//
//   bazel run //tools:parity -- --golden=/abs/path/tiny_rnnsearch.npz
//   bazel run //tools:parity -- --golden=/abs/path/tiny_rnnsearch.npz --device=cuda
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "base/flags.h"
#include "models/golden.h"
#include "tools/device_flag.h"

ABSL_FLAG(std::string, golden, "", "a dump-grads .npz file (absolute path: bazel run changes directory)");
ABSL_FLAG(double, tolerance, 1e-3, "largest acceptable relative error");
ABSL_FLAG(int, threads, 1, "CPU threads");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Compares our model with a PyTorch reference dump; exits 1 above --tolerance.\n  parity "
      "--golden=/abs/path/tiny_rnnsearch.npz [--device=cuda]");
  nmt::ParseFlagsOrExit(argc, argv);
  const std::string path = absl::GetFlag(FLAGS_golden);
  if (path.empty()) {
    std::fprintf(stderr, "parity: --golden=FILE is required\n");
    return 2;
  }
  int exit_code = 0;
  std::unique_ptr<nmt::DeviceContext> context =
      nmt::tools::DeviceContextFromFlag(absl::GetFlag(FLAGS_threads), exit_code);
  if (context == nullptr) return exit_code;
  absl::StatusOr<nmt::models::ParityReport> report = nmt::models::CompareWithGolden(path, *context);
  if (!report.ok()) {
    std::fprintf(stderr, "parity: %s\n", report.status().ToString().c_str());
    return 2;
  }
  std::printf("model=%s\n", report->model.c_str());
  for (const nmt::models::TensorError& e : report->errors) std::printf("%-32s %.3e\n", e.name.c_str(), e.rel_err);
  const double worst = report->max_rel_err();
  std::printf("max_rel_err=%.3e\n", worst);
  return worst <= absl::GetFlag(FLAGS_tolerance) ? 0 : 1;
}
