#include "ops/kernels/shape_util.h"

#include "gtest/gtest.h"

namespace nmt {
namespace {

TEST(NormalizeAxis, CountsNegativeAxesFromTheEnd) {
  const Shape shape = {2, 3, 4};
  EXPECT_EQ(NormalizeAxis("Test", shape, 0), 0);
  EXPECT_EQ(NormalizeAxis("Test", shape, 2), 2);
  EXPECT_EQ(NormalizeAxis("Test", shape, -1), 2);
  EXPECT_EQ(NormalizeAxis("Test", shape, -3), 0);
}

TEST(NormalizeAxisDeathTest, NamesTheOpAxisAndShape) {
  EXPECT_DEATH(NormalizeAxis("Concat", Shape{2, 3}, 2), "Concat: axis 2 of shape \\[2, 3\\]");
  EXPECT_DEATH(NormalizeAxis("Sum", Shape{2, 3}, -3), "Sum: axis -3 of shape");
  EXPECT_DEATH(NormalizeAxis("Softmax", Shape{}, 0), "Softmax: axis 0 of shape \\[\\]");
}

TEST(BroadcastShape, AlignsTrailingDimensionsAndStretchesOnes) {
  EXPECT_EQ(BroadcastShape("Add", Shape{2, 1, 3}, Shape{4, 1}), (Shape{2, 4, 3}));
  EXPECT_EQ(BroadcastShape("Add", Shape{3}, Shape{}), (Shape{3}));
  EXPECT_EQ(BroadcastShape("Add", Shape{}, Shape{}), (Shape{}));
  EXPECT_EQ(BroadcastShape("Mul", Shape{5, 0}, Shape{1, 1}), (Shape{5, 0}));
}

TEST(BroadcastShapeDeathTest, NamesTheOpAndBothShapes) {
  EXPECT_DEATH(BroadcastShape("Add", Shape{2, 3}, Shape{4}), "Add: shapes \\[2, 3\\] and \\[4\\] do not broadcast");
}

}  // namespace
}  // namespace nmt
