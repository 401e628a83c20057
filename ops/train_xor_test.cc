// End to end: the engine trains. A 2-8-2 tanh MLP learns XOR with plain SGD,
// which no linear model can; the loss must fall below 0.05 nats per example.
#include <vector>

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/backend.h"
#include "ops/elementwise.h"
#include "ops/matmul.h"
#include "ops/reduce.h"
#include "ops/softmax.h"
#include "ops/test_context.h"

namespace nmt {
namespace {

TEST(EndToEnd, MlpLearnsXorWithSgd) {
  DeviceContext& context = TestContext();
  Parameter w1(RandomTensor({8, 2}, 1)), b1(Tensor::Zeros({8}));
  Parameter w2(RandomTensor({2, 8}, 2)), b2(Tensor::Zeros({2}));
  std::vector<Parameter*> params = {&w1, &b1, &w2, &b2};
  const Tensor inputs = Tensor::FromVector({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
  const std::vector<int32_t> labels = {0, 1, 1, 0};
  const Tensor mask = Tensor::Full({4}, 1.0f);

  Tape tape(context);
  float first_loss = 0, loss_value = 0;
  for (int step = 0; step < 2000; ++step) {
    TapeScope scope(tape);
    Var x = tape.Constant(inputs);
    Var hidden = Tanh(Affine(x, w1.var(), b1.var()));
    Var loss = Mean(SoftmaxCrossEntropy(Affine(hidden, w2.var(), b2.var()), labels, mask));
    loss_value = loss.value().item();
    if (step == 0) first_loss = loss_value;
    for (Parameter* p : params) p->ZeroGrad();
    Backward(loss);
    for (Parameter* p : params) KernelsFor(context).axpy(context, -0.5f, p->grad(), p->value());
    tape.Reset();
  }
  EXPECT_GT(first_loss, 0.6f);
  EXPECT_LT(loss_value, 0.05f);
}

}  // namespace
}  // namespace nmt
