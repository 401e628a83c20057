// Batch: what a model reads for one training or decoding step. Ids are int32,
// (B × T) row-major, right-padded with kPad; every sentence ends in kEos; masks
// are float (B × T), 1 at real tokens (EOS included).
//
//   Batch batch = MakeBatch({{5, 9, kEos}, {7, kEos}}, {{4, kEos}, {6, 8, kEos}});
#ifndef NMT_MODELS_BATCH_H_
#define NMT_MODELS_BATCH_H_

#include <cstdint>
#include <vector>

#include "autograd/tensor.h"

namespace nmt::models {

inline constexpr int32_t kPad = 0;
inline constexpr int32_t kEos = 1;
inline constexpr int32_t kUnk = 2;  // in the project's vocabularies

struct Batch {
  int64_t size = 0;
  int64_t src_len = 0;
  int64_t tgt_len = 0;  // 0 when decoding
  std::vector<int32_t> src;
  std::vector<int32_t> tgt;
  Tensor src_mask;
  Tensor tgt_mask;

  // Real target tokens, EOS included.
  int64_t num_target_tokens() const;
};

// Pads each side to its longest sentence. `tgt` may be empty (decoding).
Batch MakeBatch(const std::vector<std::vector<int32_t>>& src, const std::vector<std::vector<int32_t>>& tgt);

}  // namespace nmt::models

#endif  // NMT_MODELS_BATCH_H_
