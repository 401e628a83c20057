#include "datasets/batch.h"

#include <vector>

#include "absl/types/span.h"
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

TEST(ShardRows, ContiguousNearlyEqualAndCovering) {
  // 10 rows over 3 ranks: 3, 3, 4 rows, in order, every row once.
  EXPECT_EQ(ShardRows(10, 0, 3).begin, 0);
  EXPECT_EQ(ShardRows(10, 0, 3).end, 3);
  EXPECT_EQ(ShardRows(10, 1, 3).begin, 3);
  EXPECT_EQ(ShardRows(10, 1, 3).end, 6);
  EXPECT_EQ(ShardRows(10, 2, 3).begin, 6);
  EXPECT_EQ(ShardRows(10, 2, 3).end, 10);
  for (int rows : {0, 1, 2, 7, 64, 80}) {
    for (int ranks : {1, 2, 3, 4, 8}) {
      int next = 0;
      for (int rank = 0; rank < ranks; ++rank) {
        const RowRange r = ShardRows(rows, rank, ranks);
        EXPECT_EQ(r.begin, next) << rows << " rows, rank " << rank << " of " << ranks;
        EXPECT_GE(r.size(), rows / ranks);
        EXPECT_LE(r.size(), rows / ranks + 1);
        next = r.end;
      }
      EXPECT_EQ(next, rows);
    }
  }
}

TEST(ShardRows, FewerRowsThanRanksLeavesSomeRanksEmpty) {
  EXPECT_EQ(ShardRows(1, 0, 2).size(), 0);
  EXPECT_EQ(ShardRows(1, 1, 2).size(), 1);
  EXPECT_EQ(ShardRows(0, 0, 1).size(), 0);
}

TEST(SliceRows, EqualsMakeBatchOfThoseRows) {
  const std::vector<Example> examples = {{{5, 6, 7, 8, kEosId}, {7, kEosId}},
                                         {{8, kEosId}, {9, 10, 11, kEosId}},
                                         {{3, 4, kEosId}, {5, 6, kEosId}},
                                         {{9, kEosId}, {4, 4, 4, 4, 4, kEosId}}};
  const std::vector<int64_t> indices = {3, 1, 0, 2};
  const Batch batch = MakeBatch(examples, indices);
  for (int begin = 0; begin < 4; ++begin) {
    for (int end = begin + 1; end <= 4; ++end) {
      const Batch slice = SliceRows(batch, begin, end);
      const Batch expected =
          MakeBatch(examples, absl::Span<const int64_t>(indices).subspan(begin, static_cast<size_t>(end - begin)));
      EXPECT_EQ(slice.batch_size, expected.batch_size);
      EXPECT_EQ(slice.source_length, expected.source_length) << "rows " << begin << ".." << end;
      EXPECT_EQ(slice.target_length, expected.target_length) << "rows " << begin << ".." << end;
      EXPECT_EQ(slice.source_ids, expected.source_ids);
      EXPECT_EQ(slice.source_mask, expected.source_mask);
      EXPECT_EQ(slice.target_ids, expected.target_ids);
      EXPECT_EQ(slice.target_mask, expected.target_mask);
      EXPECT_EQ(slice.example_indices, expected.example_indices);
      EXPECT_EQ(slice.num_target_tokens(), expected.num_target_tokens());
    }
  }
}

TEST(SliceRows, EmptyRangeGivesAnEmptyBatch) {
  const Batch batch = MakeBatch({{5, 9, kEosId}, {7, kEosId}}, {{4, kEosId}, {6, 8, kEosId}});
  const Batch empty = SliceRows(batch, 1, 1);
  EXPECT_EQ(empty.batch_size, 0);
  EXPECT_EQ(empty.source_length, 0);
  EXPECT_EQ(empty.target_length, 0);
  EXPECT_TRUE(empty.source_ids.empty());
  EXPECT_TRUE(empty.target_mask.empty());
  EXPECT_EQ(empty.num_target_tokens(), 0);
}

TEST(SliceRows, KeepsADecodingBatchWithoutTargets) {
  const Batch batch = MakeBatch({{5, 9, kEosId}, {7, kEosId}}, {});
  const Batch slice = SliceRows(batch, 1, 2);
  EXPECT_EQ(slice.source_ids, (std::vector<int32_t>{7, kEosId}));
  EXPECT_EQ(slice.target_length, 0);
  EXPECT_TRUE(slice.target_ids.empty());
}

TEST(MakeBatchDeathTest, RefusesMismatchedSides) {
  EXPECT_DEATH(MakeBatch({{5, kEosId}, {6, kEosId}}, {{7, kEosId}}), "MakeBatch: 2 source and 1 target");
}

TEST(SliceRowsDeathTest, RefusesRowsOutsideTheBatch) {
  const Batch batch = MakeBatch({{5, kEosId}, {6, kEosId}}, {});
  EXPECT_DEATH(SliceRows(batch, 1, 3), "SliceRows: rows \\[1, 3\\) of 2");
}

}  // namespace
}  // namespace nmt::datasets
