#include "models/layers/module.h"

#include <cmath>

#include "gtest/gtest.h"

namespace nmt::layers {
namespace {

class Leaf : public Module {
 public:
  Leaf() {
    w = RegisterParameter("U", {4, 4}, Init::Orthogonal());
    b = RegisterParameter("b", {4}, Init::Zeros());
  }
  Parameter* w;
  Parameter* b;
};

class Tree : public Module {
 public:
  Tree() {
    RegisterParameter("E", {3, 2}, Init::Normal(0.01f));
    RegisterModule("enc", &child);
    RegisterModule("", &flat);
  }
  Leaf child;
  Leaf flat;
};

TEST(Module, NamedParametersFollowRegistrationWithDottedPaths) {
  Tree tree;
  std::vector<std::string> names;
  for (auto& [name, p] : tree.NamedParameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"E", "enc.U", "enc.b", "U", "b"}));
  EXPECT_EQ(tree.FindParameter("enc.b"), tree.child.b);
  EXPECT_EQ(tree.FindParameter("nope"), nullptr);
  EXPECT_EQ(tree.NumScalars(), 6 + 2 * 20);
}

TEST(Module, InitializeFollowsEachInitAndIsSeeded) {
  Tree a, b;
  a.Initialize(7);
  b.Initialize(7);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(a.child.b->value().data()[i], 0.0f);
  EXPECT_EQ(a.FindParameter("E")->value().ToVector(), b.FindParameter("E")->value().ToVector());
  const float* u = a.child.w->value().data();
  for (int i = 0; i < 4; ++i) {  // U Uᵀ = I
    for (int j = 0; j < 4; ++j) {
      double dot = 0.0;
      for (int k = 0; k < 4; ++k) dot += u[i * 4 + k] * u[j * 4 + k];
      EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-5);
    }
  }
  b.Initialize(8);
  EXPECT_NE(a.FindParameter("E")->value().ToVector(), b.FindParameter("E")->value().ToVector());
}

TEST(Module, OrthogonalRectangularHasOrthonormalShortSide) {
  Tensor t = Tensor::Zeros({5, 3});
  FillOrthogonal(t, 3);
  for (int i = 0; i < 3; ++i) {
    double norm = 0.0;
    for (int k = 0; k < 5; ++k) norm += t.data()[k * 3 + i] * t.data()[k * 3 + i];
    EXPECT_NEAR(norm, 1.0, 1e-5);
  }
}

}  // namespace
}  // namespace nmt::layers
