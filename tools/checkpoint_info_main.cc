// Prints what a checkpoint holds: format, model, progress, every parameter with its
// shape and norm, and one digest line over the parameters and optimizer slots, so
// two checkpoints can be compared bit for bit (the exact-resume test does).
//
//   bazel run //tools:checkpoint_info -- --checkpoint=runs/default/checkpoint.ckpt
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "autograd/tensor_codec.h"
#include "base/flags.h"
#include "base/fnv1a.h"
#include "tools/user_path.h"
#include "trainers/checkpoint.h"

ABSL_FLAG(std::string, checkpoint, "", "checkpoint file (checkpoint.ckpt or best.ckpt of a run)");
ABSL_FLAG(bool, digest_only, false, "print only the digest line");

namespace {

int Run() {
  const std::string path = nmt::tools::ResolveUserPath(absl::GetFlag(FLAGS_checkpoint));
  absl::StatusOr<nmt::trainers::Checkpoint> read = nmt::trainers::ReadCheckpointFile(path);
  if (!read.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(read.status().message()).c_str());
    return 1;
  }
  const nmt::trainers::Checkpoint& checkpoint = *read;
  // FNV-1a over the raw bytes, stable across runs and builds. The start value is not
  // kFnv1a64OffsetBasis but that number short of its last decimal digit, as the first
  // digests were taken; kept so that digests stay comparable with earlier ones.
  uint64_t digest = 1469598103934665603ULL;
  const bool verbose = !absl::GetFlag(FLAGS_digest_only);
  if (verbose) {
    const nmt::trainers::TrainingProgress& p = checkpoint.progress();
    std::printf("format %u, model %s, step %lld, epoch %lld, %lld target tokens seen, %lld skipped steps\n",
                checkpoint.format_version(), checkpoint.model_kind().c_str(), static_cast<long long>(p.step()),
                static_cast<long long>(p.epoch()), static_cast<long long>(p.target_tokens_seen()),
                static_cast<long long>(p.skipped_steps()));
    // Keep-best, patience and the learning-rate schedule's state (trainers/lr_schedule.h).
    std::printf(
        "best dev %s %s, %d validations without improvement; lr plateau scale %g, %d stalled validations\n",
        p.dev_metric().empty() ? "score" : p.dev_metric().c_str(),
        p.has_best_dev_score()
            ? absl::StrFormat("%g at step %lld", p.best_dev_score(), static_cast<long long>(p.best_dev_step())).c_str()
            : "none yet",
        p.validations_without_improvement(), p.has_lr_plateau_scale() ? p.lr_plateau_scale() : 1.0,
        p.lr_stalled_validations());
  }
  for (const auto& named : checkpoint.parameters().tensors()) {
    digest = nmt::Fnv1a64(named.tensor().data(), nmt::Fnv1a64(named.name(), digest));
    if (!verbose) continue;
    absl::StatusOr<nmt::Tensor> t = nmt::TensorFromProto(named.tensor());
    double norm = 0;
    if (t.ok()) {
      for (float v : t->values()) norm += static_cast<double>(v) * v;
    }
    std::printf("  %-28s %-14s norm %.6g\n", named.name().c_str(), t.ok() ? t->ShapeString().c_str() : "?",
                std::sqrt(norm));
  }
  for (const auto& slot : checkpoint.optimizer().slots().tensors()) {
    digest = nmt::Fnv1a64(slot.tensor().data(), nmt::Fnv1a64(slot.name(), digest));
  }
  digest = nmt::Fnv1a64(checkpoint.data_position(), digest);
  std::printf("digest %016llx (parameters, optimizer slots, data position)\n", static_cast<unsigned long long>(digest));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Prints what a checkpoint holds: format, model, progress, parameters, a digest.\n  checkpoint_info "
      "--checkpoint=RUN/checkpoint.ckpt [--digest_only]");
  nmt::ParseFlagsOrExit(argc, argv);
  return Run();
}
