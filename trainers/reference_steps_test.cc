// Two full training steps against the PyTorch reference's dump (adadelta/ and adam/
// in the tiny goldens): from the stored weights, on the stored batch, each step is
// forward, backward, global-norm clipping at 1 and the optimizer's update. The loss
// before each step and every parameter after it must match to 1e-4 relative.
#include <algorithm>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "autograd/npz.h"
#include "gtest/gtest.h"
#include "models/golden.h"
#include "ops/test_context.h"
#include "trainers/clip.h"
#include "trainers/optimizer_checkpoint.h"

namespace nmt::trainers {
namespace {

class ReferenceSteps : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(ReferenceSteps, ParametersMatchAfterOneAndTwoSteps) {
  const auto& [file, optimizer_name] = GetParam();
  absl::StatusOr<NpzFile> npz = NpzFile::Read("models/testdata/" + file);
  ASSERT_TRUE(npz.ok()) << npz.status();
  absl::StatusOr<models::GoldenModel> golden = models::LoadGoldenModel(*npz);
  ASSERT_TRUE(golden.ok()) << golden.status();
  models::Model& model = *golden->model;

  // The reference's hyper-parameters are stored next to its results; ours must be the same.
  OptimizerConfig config;
  if (optimizer_name == "adadelta") {
    config.mutable_adadelta();
    for (const char* key : {"lr", "rho", "eps"}) ASSERT_TRUE(npz->contains("adadelta/" + std::string(key)));
    EXPECT_EQ(npz->GetDoubles("adadelta/rho")->at(0), 0.95);
    EXPECT_EQ(npz->GetDoubles("adadelta/eps")->at(0), 1e-6);
    EXPECT_EQ(npz->GetDoubles("adadelta/lr")->at(0), 1.0);
  } else {
    config.mutable_adam();
    EXPECT_EQ(npz->GetDoubles("adam/lr")->at(0), 1e-3);
    EXPECT_EQ(npz->GetDoubles("adam/eps")->at(0), 1e-8);
  }
  absl::StatusOr<std::unique_ptr<Optimizer>> optimizer = MakeOptimizer(config, model.NamedParameters());
  ASSERT_TRUE(optimizer.ok()) << optimizer.status();
  absl::StatusOr<std::vector<double>> losses = npz->GetDoubles(optimizer_name + "/losses");
  ASSERT_TRUE(losses.ok()) << losses.status();

  Tape tape(TestContext());
  for (int step = 1; step <= 2; ++step) {
    {
      TapeScope scope(tape);
      (*optimizer)->ZeroGrad();
      models::ForwardResult out = model.Forward(golden->batch);
      EXPECT_NEAR(out.loss.value().item(), (*losses)[step - 1], 1e-4 * std::abs((*losses)[step - 1]))
          << "loss before step " << step;
      Backward(out.loss);
      tape.Reset();
    }
    ClipGradNorm(TestContext(), model.NamedParameters(), 1.0);
    (*optimizer)->Step(TestContext());
    for (const auto& [name, p] : model.NamedParameters()) {
      const std::string key = optimizer_name + "/step" + std::to_string(step) + "/" + name;
      absl::StatusOr<std::vector<double>> expected = npz->GetDoubles(key);
      ASSERT_TRUE(expected.ok()) << expected.status();
      EXPECT_LE(models::RelErr(p->value().values(), *expected), 1e-4) << key;
    }
  }
}

// Every golden in models/testdata that stores optimizer steps, whichever model it holds.
std::vector<std::string> GoldensWithSteps() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator("models/testdata")) {
    if (entry.path().extension() != ".npz") continue;
    absl::StatusOr<NpzFile> npz = NpzFile::Read(entry.path().string());
    if (!npz.ok() || npz->contains("adadelta/losses")) files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(EveryGoldenBothOptimizers, ReferenceSteps,
                         ::testing::Combine(::testing::ValuesIn(GoldensWithSteps()),
                                            ::testing::Values("adadelta", "adam")));

}  // namespace
}  // namespace nmt::trainers
