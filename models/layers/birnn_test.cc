#include "models/layers/birnn.h"

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "models/layers/gru.h"
#include "ops/test_context.h"

namespace nmt::layers {
namespace {

TEST(BiRnn, AnnotationsConcatenateBothDirectionsAndDifferentiate) {
  DeviceContext& context = TestContext();
  Gru fwd({.input_size = 3, .hidden_size = 2}), bwd({.input_size = 3, .hidden_size = 2});
  fwd.InitializeNormal(1, 0.5f);
  bwd.InitializeNormal(2, 0.5f);
  const Tensor mask = Tensor::FromVector({2, 3}, {1, 1, 1, 1, 0, 0});
  {
    Tape tape(context);
    TapeScope scope(tape);
    BiRnnStates s = RunBidirectional(fwd, bwd, tape.Constant(RandomTensor({2, 3, 3}, 3)), mask);
    ASSERT_EQ(s.annotations.shape(), (Shape{2, 3, 4}));
    EXPECT_EQ(s.annotations.value().data()[2], s.backward.value().data()[0]);
    EXPECT_EQ(s.annotations.value().data()[1], s.forward.value().data()[1]);
  }
  GradCheckOptions options;
  options.parameters = fwd.Parameters();
  for (Parameter* p : bwd.Parameters()) options.parameters.push_back(p);
  EXPECT_TRUE(CheckGradients(
      context, [&](absl::Span<const Var> x) { return RunBidirectional(fwd, bwd, x[0], mask).annotations; },
      {RandomTensor({2, 3, 3}, 3)}, options));
}

}  // namespace
}  // namespace nmt::layers
