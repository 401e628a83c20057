// Gradient clipping by global L2 norm (paper Appendix B.2, GroundHog `cutoff=1`),
// computed exactly as torch.nn.utils.clip_grad_norm_ does:
//
//   ‖g‖ = sqrt(Σ over every element of every grad of g²)
//   g ← g · max_norm / (‖g‖ + 1e-6)         only when that factor is below 1
//
//   GradClip clip = ClipGradNorm(context, optimizer.parameters());        // max_norm 1
//   if (ShouldSkipStep(clip.norm)) { report(step, clip.norm); optimizer.ZeroGrad(); }
//   else optimizer.Step(context);
//
// The squares are summed in double by one kernel-table call over every grad
// (sum_of_squares: fixed-size chunks whose partial sums are added in order), so the
// norm is the same on any number of threads (a resumed run stays bit-for-bit), and
// the grads are scaled in place by the table's `scale`, on the context's device. A non-finite norm means an overflowing
// or NaN gradient: the grads are then left untouched (PyTorch would multiply them by NaN) and the step should be
// skipped. GroundHog instead replaced such a gradient by 0.1·p; the training loop reports and skips, which neither
// moves the parameters nor the optimizer state; FirstNonFiniteGrad names the parameter to blame in its report.
#ifndef NMT_TRAINERS_CLIP_H_
#define NMT_TRAINERS_CLIP_H_

#include <cstdint>
#include <optional>
#include <string>

#include "trainers/optimizer.h"

namespace nmt::trainers {

// The paper's threshold.
inline constexpr double kPaperMaxGradNorm = 1.0;
// Added to the norm before dividing, as in clip_grad_norm_.
inline constexpr double kClipEpsilon = 1e-6;

// The global L2 norm of every defined grad of `parameters`; undefined grads count as 0.
double GlobalGradNorm(DeviceContext& context, const NamedParameters& parameters);

struct GradClip {
  double norm = 0;         // the global norm before clipping
  double coefficient = 1;  // what every grad was multiplied by (1: left alone)
};

// Scales every grad so that the global norm is at most about max_norm (> 0).
GradClip ClipGradNorm(DeviceContext& context, const NamedParameters& parameters, double max_norm = kPaperMaxGradNorm);

// True if the norm is NaN or infinite: the update must not be applied.
bool ShouldSkipStep(double grad_norm);

// A NaN or infinite gradient element: which parameter, where in it, what value.
struct NonFiniteGrad {
  std::string parameter;  // its name in `parameters`
  int64_t index = 0;      // the element's flat (row-major) index
  float value = 0;        // NaN, +Inf or -Inf
};

// The first non-finite element of the first parameter, in the order of `parameters`
// (the model's registration order), whose defined grad holds one; nullopt when every
// grad is finite. One pass over host copies of the grads: meant for the report of a
// skipped step.
std::optional<NonFiniteGrad> FirstNonFiniteGrad(const NamedParameters& parameters);

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_CLIP_H_
