#include "models/layers/embedding.h"

#include "autograd/gradcheck.h"
#include "gtest/gtest.h"
#include "ops/matmul.h"
#include "ops/test_context.h"

namespace nmt::layers {
namespace {

TEST(Embedding, GathersRowsAndScatterAddsGradients) {
  DeviceContext& context = TestContext();
  Embedding e(6, 3, "src_embedding");
  e.InitializeNormal(1, 0.5f);
  EXPECT_EQ(e.NamedParameters()[0].first, "src_embedding");
  const std::vector<int32_t> ids = {1, 4, 4, 0};
  {
    Tape tape(context);
    TapeScope scope(tape);
    Var y = e.Forward(ids, {2, 2});
    ASSERT_EQ(y.shape(), (Shape{2, 2, 3}));
    EXPECT_EQ(y.value().data()[3], e.table().value().data()[4 * 3]);
  }
  GradCheckOptions options;
  options.parameters = e.Parameters();
  // The input only scales the output so the harness has an input to perturb.
  EXPECT_TRUE(CheckGradients(
      context,
      [&](absl::Span<const Var> x) {
        Var y = e.Forward(ids, {4});
        return nmt::Affine(y, x[0]);
      },
      {RandomTensor({2, 3}, 1)}, options));
}

}  // namespace
}  // namespace nmt::layers
