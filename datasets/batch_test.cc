#include "datasets/batch.h"

#include <vector>

#include "datasets/special_ids.h"
#include "gtest/gtest.h"

namespace nmt::datasets {
namespace {

TEST(MakeBatch, RightPadsIdsAndMasks) {
  std::vector<Example> examples = {{{5, 6, kEosId}, {7, kEosId}}, {{8, kEosId}, {9, 10, 11, kEosId}}};
  Batch batch = MakeBatch(examples, std::vector<int64_t>{1, 0});
  EXPECT_EQ(batch.batch_size, 2);
  EXPECT_EQ(batch.source_length, 3);
  EXPECT_EQ(batch.target_length, 4);
  EXPECT_EQ(batch.source_ids, (std::vector<int32_t>{8, kEosId, kPadId, 5, 6, kEosId}));
  EXPECT_EQ(batch.source_mask, (std::vector<float>{1, 1, 0, 1, 1, 1}));
  EXPECT_EQ(batch.target_ids, (std::vector<int32_t>{9, 10, 11, kEosId, 7, kEosId, kPadId, kPadId}));
  EXPECT_EQ(batch.target_mask, (std::vector<float>{1, 1, 1, 1, 1, 1, 0, 0}));
  EXPECT_EQ(batch.example_indices, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(batch.num_target_tokens(), 6);
}

TEST(MakeBatch, FromSentencesKeepsTheirOrder) {
  Batch batch = MakeBatch({{5, 9, kEosId}, {7, kEosId}}, {{4, kEosId}, {6, 8, kEosId}});
  EXPECT_EQ(batch.batch_size, 2);
  EXPECT_EQ(batch.source_ids, (std::vector<int32_t>{5, 9, kEosId, 7, kEosId, kPadId}));
  EXPECT_EQ(batch.target_ids, (std::vector<int32_t>{4, kEosId, kPadId, 6, 8, kEosId}));
  EXPECT_EQ(batch.target_mask, (std::vector<float>{1, 1, 0, 1, 1, 1}));
  EXPECT_EQ(batch.example_indices, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(batch.num_target_tokens(), 5);
}

TEST(MakeBatch, SourcesOnlyForDecoding) {
  Batch batch = MakeBatch({{5, 9, kEosId}}, {});
  EXPECT_EQ(batch.source_length, 3);
  EXPECT_EQ(batch.target_length, 0);
  EXPECT_TRUE(batch.target_ids.empty());
  EXPECT_TRUE(batch.target_mask.empty());
  EXPECT_EQ(batch.num_target_tokens(), 0);
}

TEST(MakeBatchDeathTest, RefusesMismatchedSides) {
  EXPECT_DEATH(MakeBatch({{5, kEosId}, {6, kEosId}}, {{7, kEosId}}), "MakeBatch: 2 source and 1 target");
}

}  // namespace
}  // namespace nmt::datasets
