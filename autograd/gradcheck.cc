#include "autograd/gradcheck.h"

#include <cmath>
#include <random>

#include "absl/strings/str_format.h"

namespace nmt {
namespace {

// Σ w ∘ f(inputs) in double, on a fresh tape without gradients.
double WeightedLoss(DeviceContext& context, const GradCheckFn& f, const std::vector<Tensor>& inputs,
                    const Tensor& weights) {
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  std::vector<Var> vars;
  for (const Tensor& t : inputs) vars.push_back(tape.Constant(t));
  const Tensor y = f(vars).value();
  double loss = 0.0;
  for (int64_t i = 0; i < y.size(); ++i) loss += static_cast<double>(weights.data()[i]) * y.data()[i];
  return loss;
}

}  // namespace

Tensor RandomTensor(const Shape& shape, uint64_t seed, float scale, float min_abs) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> magnitude(min_abs, scale);
  std::bernoulli_distribution negative(0.5);
  Tensor t = Tensor::Empty(shape);
  for (float& v : t.values()) v = negative(rng) ? -magnitude(rng) : magnitude(rng);
  return t;
}

::testing::AssertionResult CheckGradients(DeviceContext& context, const GradCheckFn& f,
                                          const std::vector<Tensor>& inputs, const GradCheckOptions& options) {
  std::vector<Tensor> analytic;
  std::vector<Tensor> parameter_grads;
  Tensor weights;
  {
    for (Parameter* p : options.parameters) p->ZeroGrad();
    Tape tape(context);
    TapeScope scope(tape);
    std::vector<Var> vars;
    for (const Tensor& t : inputs) vars.push_back(tape.Variable(t.Clone()));
    Var y = f(vars);
    weights = RandomTensor(y.shape(), options.seed);
    if (!y.requires_grad()) return ::testing::AssertionFailure() << "the output does not depend on any input";
    tape.Backward(y, weights);
    for (const Var& v : vars) analytic.push_back(v.grad().defined() ? v.grad().Clone() : Tensor::Zeros(v.shape()));
    for (Parameter* p : options.parameters) parameter_grads.push_back(p->grad().Clone());
  }

  auto compare = [&](const std::string& what, Tensor& value, const Tensor& grad,
                     const std::vector<Tensor>& call_inputs) -> ::testing::AssertionResult {
    for (int64_t i = 0; i < value.size(); ++i) {
      const float original = value.data()[i];
      value.data()[i] = original + options.eps;
      const double plus = WeightedLoss(context, f, call_inputs, weights);
      value.data()[i] = original - options.eps;
      const double minus = WeightedLoss(context, f, call_inputs, weights);
      value.data()[i] = original;
      const double numeric = (plus - minus) / (2.0 * options.eps);
      const double a = grad.data()[i];
      const double scale = std::max({1.0, std::fabs(a), std::fabs(numeric)});
      if (!(std::fabs(a - numeric) <= options.tolerance * scale)) {
        return ::testing::AssertionFailure() << absl::StrFormat("%s %s, element %d: analytic %.6g, numeric %.6g", what,
                                                                value.ShapeString(), i, a, numeric);
      }
    }
    return ::testing::AssertionSuccess();
  };

  std::vector<Tensor> perturbed;
  for (const Tensor& t : inputs) perturbed.push_back(t.Clone());
  for (size_t k = 0; k < perturbed.size(); ++k) {
    auto result = compare(absl::StrFormat("input %d", k), perturbed[k], analytic[k], perturbed);
    if (!result) return result;
  }
  for (size_t k = 0; k < options.parameters.size(); ++k) {
    auto result =
        compare(absl::StrFormat("parameter %d", k), options.parameters[k]->value(), parameter_grads[k], perturbed);
    if (!result) return result;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace nmt
