// Test helpers shared by the optimizer and clipping tests (testonly): PyTorch's
// reference numbers and the two checks every update rule must pass.
//
//   TEST(Adadelta, MatchesPyTorch) {
//     ExpectMatchesPyTorch(MakeAdadelta, PyTorchOptimizerFixture().adadelta);
//   }
//   TEST(Adadelta, ResumesBitForBit) { ExpectResumesBitForBit(MakeAdadelta); }
//
// The fixture comes from testdata/make_optimizer_fixture.py (torch 1.13): three
// parameters, three steps of seeded gradients clipped to global norm 1, then
// Adadelta(lr 1, ρ 0.95, ε 1e-6) or Adam(lr 1e-3, β (0.9, 0.999), ε 1e-8).
#ifndef NMT_TRAINERS_OPTIMIZER_TESTING_H_
#define NMT_TRAINERS_OPTIMIZER_TESTING_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/tape.h"
#include "autograd/tensor.h"
#include "trainers/optimizer.h"

namespace nmt::trainers {

// Per-parameter values, in the fixture's parameter order.
using FixtureValues = std::vector<std::vector<float>>;

struct OptimizerFixture {
  struct Step {
    FixtureValues params;              // after the update
    std::vector<FixtureValues> slots;  // per slot kind, in the optimizer's slot order
  };
  std::vector<std::string> names;
  std::vector<Shape> shapes;
  FixtureValues initial;
  std::vector<FixtureValues> grads;    // per step, before clipping
  std::vector<double> grad_norms;      // per step, clip_grad_norm_'s return value
  std::vector<FixtureValues> clipped;  // per step, the grads after clipping
  std::vector<Step> adadelta;
  std::vector<Step> adam;
};

const OptimizerFixture& PyTorchOptimizerFixture();

// Parameters with the fixture's names, shapes and initial values.
struct FixtureModel {
  FixtureModel();
  std::vector<std::unique_ptr<Parameter>> storage;
  NamedParameters parameters;
};

// Sets every parameter's grad to `grads` (fixture order).
void SetGrads(const NamedParameters& parameters, const FixtureValues& grads);

// EXPECTs |actual − expected| ≤ rel · |expected| element by element, naming `what`.
void ExpectRelativelyNear(const Tensor& actual, const std::vector<float>& expected, double rel,
                          const std::string& what);

using OptimizerFactory = std::function<std::unique_ptr<Optimizer>(NamedParameters)>;

// Runs the fixture's steps (clip, then Step) and compares parameters and slots
// after each step with `expected` to 1e-6 relative.
void ExpectMatchesPyTorch(const OptimizerFactory& make, const std::vector<OptimizerFixture::Step>& expected);

// Runs two steps, exports the state, imports it into a fresh optimizer over copies
// of the parameters, then runs two more steps on both: parameters and slots must
// agree bit for bit.
void ExpectResumesBitForBit(const OptimizerFactory& make);

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_OPTIMIZER_TESTING_H_
