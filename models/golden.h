// Golden parity with the PyTorch reference (../shared/reference): loads a file in
// its `dump-grads` format, runs our model on the stored weights and batch, and
// measures each stored tensor's error (llm.c's test_gpt2 idea).
//
//   absl::StatusOr<ParityReport> report = CompareWithGolden("tiny_rnnsearch.npz", context);
//   for (const TensorError& e : report->errors) std::cout << e.name << " " << e.rel_err;
//
// The config comes from the file's config/NAME scalars, one per ModelConfig field
// (config/kind among them in our own fixtures); a file without config/kind (the
// reference's dumps) is taken to hold the registered model whose parameter names and
// shapes are exactly the file's. Per tensor the error is
// max |ours − theirs| / max |theirs| (absolute when theirs is all zero); decoded id
// sequences count 1 per sentence that differs.
#ifndef NMT_MODELS_GOLDEN_H_
#define NMT_MODELS_GOLDEN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "autograd/npz.h"
#include "autograd/tape.h"
#include "datasets/batch.h"
#include "models/model.h"

namespace nmt::models {

struct TensorError {
  std::string name;  // the golden's key: loss, fwd/..., grad/..., decode/...
  double rel_err = 0.0;
};

struct ParityReport {
  std::string model;  // the registry's name of the model
  std::vector<TensorError> errors;
  double max_rel_err() const;
};

// The model a golden describes, with its stored parameters, and its batch: for
// checks that go beyond one step (trainers/reference_steps_test.cc).
struct GoldenModel {
  std::unique_ptr<Model> model;
  datasets::Batch batch;
};
absl::StatusOr<GoldenModel> LoadGoldenModel(const NpzFile& npz);

// Per tensor max |ours − theirs| / max |theirs| (absolute when theirs is all zero).
double RelErr(absl::Span<const float> ours, absl::Span<const double> theirs);

// NotFound/DataLoss/InvalidArgument from reading the file, or InvalidArgument when its
// parameters do not match the model its config describes (every mismatch listed).
absl::StatusOr<ParityReport> CompareWithGolden(const std::string& path, DeviceContext& context);

}  // namespace nmt::models

#endif  // NMT_MODELS_GOLDEN_H_
