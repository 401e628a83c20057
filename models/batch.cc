#include "models/batch.h"

#include <algorithm>

#include "autograd/check.h"

namespace nmt::models {
namespace {

void Pad(const std::vector<std::vector<int32_t>>& sentences, int64_t& length, std::vector<int32_t>& ids,
         Tensor& mask) {
  length = 0;
  for (const auto& s : sentences) length = std::max<int64_t>(length, s.size());
  const int64_t batch = sentences.size();
  ids.assign(batch * length, kPad);
  mask = Tensor::Zeros({batch, length});
  for (int64_t b = 0; b < batch; ++b) {
    for (size_t t = 0; t < sentences[b].size(); ++t) {
      ids[b * length + t] = sentences[b][t];
      mask.data()[b * length + t] = 1.0f;
    }
  }
}

}  // namespace

int64_t Batch::num_target_tokens() const {
  int64_t total = 0;
  for (float m : tgt_mask.values()) total += m != 0.0f;
  return total;
}

Batch MakeBatch(const std::vector<std::vector<int32_t>>& src, const std::vector<std::vector<int32_t>>& tgt) {
  NMT_CHECK(!src.empty() && (tgt.empty() || tgt.size() == src.size()))
      << "MakeBatch: " << src.size() << " source and " << tgt.size() << " target sentences";
  Batch batch;
  batch.size = src.size();
  Pad(src, batch.src_len, batch.src, batch.src_mask);
  if (!tgt.empty()) Pad(tgt, batch.tgt_len, batch.tgt, batch.tgt_mask);
  return batch;
}

}  // namespace nmt::models
