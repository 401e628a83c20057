#include "trainers/optimizer_testing.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ops/test_context.h"
#include "trainers/clip.h"

namespace nmt::trainers {
namespace {

#include "trainers/testdata/optimizer_fixture.inc"

constexpr double kRelativeTolerance = 1e-6;

// Gradients for the steps of the bit-for-bit test: any values will do, as long as
// both runs see the same ones.
FixtureValues SyntheticGrads(const NamedParameters& parameters, int step) {
  FixtureValues grads;
  for (size_t p = 0; p < parameters.size(); ++p) {
    std::vector<float>& g = grads.emplace_back(parameters[p].second->value().size());
    for (size_t i = 0; i < g.size(); ++i) g[i] = std::sin(1.7f * static_cast<float>(i + 3 * p + 11 * step));
  }
  return grads;
}

bool SameBits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

const OptimizerFixture& PyTorchOptimizerFixture() { return kFixture; }

FixtureModel::FixtureModel() {
  const OptimizerFixture& fixture = PyTorchOptimizerFixture();
  for (size_t p = 0; p < fixture.names.size(); ++p) {
    storage.push_back(std::make_unique<Parameter>(Tensor::FromVector(fixture.shapes[p], fixture.initial[p])));
    parameters.emplace_back(fixture.names[p], storage.back().get());
  }
}

void SetGrads(const NamedParameters& parameters, const FixtureValues& grads) {
  ASSERT_EQ(parameters.size(), grads.size());
  for (size_t p = 0; p < parameters.size(); ++p) {
    Parameter& param = *parameters[p].second;
    param.grad() = Tensor::FromVector(param.shape(), grads[p]);
  }
}

void ExpectRelativelyNear(const Tensor& actual, const std::vector<float>& expected, double rel,
                          const std::string& what) {
  ASSERT_EQ(actual.size(), static_cast<int64_t>(expected.size())) << what;
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_LE(std::abs(static_cast<double>(actual.data()[i]) - expected[i]), rel * std::abs(expected[i]))
        << what << "[" << i << "]: got " << actual.data()[i] << ", PyTorch " << expected[i];
  }
}

void ExpectMatchesPyTorch(const OptimizerFactory& make, const std::vector<OptimizerFixture::Step>& expected) {
  const OptimizerFixture& fixture = PyTorchOptimizerFixture();
  FixtureModel model;
  std::unique_ptr<Optimizer> optimizer = make(model.parameters);
  for (size_t step = 0; step < expected.size(); ++step) {
    SetGrads(model.parameters, fixture.grads[step]);
    ClipGradNorm(TestContext(), model.parameters);
    optimizer->Step(TestContext());
    const OptimizerState state = optimizer->ExportState();
    const size_t kinds = expected[step].slots.size();
    ASSERT_EQ(state.slots.size(), kinds * model.parameters.size());
    for (size_t p = 0; p < model.parameters.size(); ++p) {
      const std::string& name = model.parameters[p].first;
      ExpectRelativelyNear(model.parameters[p].second->value(), expected[step].params[p], kRelativeTolerance,
                           absl::StrCat("step ", step + 1, " ", name));
      for (size_t k = 0; k < kinds; ++k) {
        const auto& [slot_name, slot] = state.slots[p * kinds + k];
        ExpectRelativelyNear(slot, expected[step].slots[k][p], kRelativeTolerance,
                             absl::StrCat("step ", step + 1, " ", slot_name));
      }
    }
  }
}

void ExpectResumesBitForBit(const OptimizerFactory& make) {
  FixtureModel original;
  std::unique_ptr<Optimizer> first = make(original.parameters);
  for (int step = 0; step < 2; ++step) {
    SetGrads(original.parameters, SyntheticGrads(original.parameters, step));
    first->Step(TestContext());
  }
  const OptimizerState saved = first->ExportState();

  FixtureModel resumed;
  for (size_t p = 0; p < resumed.parameters.size(); ++p) {
    resumed.parameters[p].second->value().CopyFrom(original.parameters[p].second->value());
  }
  std::unique_ptr<Optimizer> second = make(resumed.parameters);
  ASSERT_TRUE(second->ImportState(saved).ok());
  EXPECT_EQ(second->step_count(), 2);

  for (int step = 2; step < 4; ++step) {
    SetGrads(original.parameters, SyntheticGrads(original.parameters, step));
    SetGrads(resumed.parameters, SyntheticGrads(resumed.parameters, step));
    first->Step(TestContext());
    second->Step(TestContext());
  }
  for (size_t p = 0; p < original.parameters.size(); ++p) {
    EXPECT_TRUE(SameBits(original.parameters[p].second->value(), resumed.parameters[p].second->value()))
        << original.parameters[p].first;
  }
  const OptimizerState a = first->ExportState();
  const OptimizerState b = second->ExportState();
  EXPECT_EQ(a.step_count, b.step_count);
  ASSERT_EQ(a.slots.size(), b.slots.size());
  for (size_t s = 0; s < a.slots.size(); ++s) {
    EXPECT_EQ(a.slots[s].first, b.slots[s].first);
    EXPECT_TRUE(SameBits(a.slots[s].second, b.slots[s].second)) << a.slots[s].first;
  }
}

}  // namespace nmt::trainers
