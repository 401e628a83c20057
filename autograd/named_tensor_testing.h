// GoogleTest helper: asserts that two named-tensor lists are equal entry by entry
// (names, order, shapes and exact values). For the codec, file and checkpoint tests.
//
//   ExpectSameNamedTensors(*ReadNamedTensors(path), written);
#ifndef NMT_AUTOGRAD_NAMED_TENSOR_TESTING_H_
#define NMT_AUTOGRAD_NAMED_TENSOR_TESTING_H_

#include "autograd/tensor_codec.h"
#include "gtest/gtest.h"

namespace nmt {

inline void ExpectSameNamedTensors(const NamedTensorList& actual, const NamedTensorList& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].first, expected[i].first) << "entry " << i;
    EXPECT_EQ(actual[i].second.shape(), expected[i].second.shape()) << expected[i].first;
    EXPECT_EQ(actual[i].second.ToVector(), expected[i].second.ToVector()) << expected[i].first;
  }
}

}  // namespace nmt

#endif  // NMT_AUTOGRAD_NAMED_TENSOR_TESTING_H_
