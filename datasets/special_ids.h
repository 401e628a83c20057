// Special token ids shared by every vocabulary, subword model and batch in the project.
//
//   std::vector<int32_t> ids = vocab.Encode(tokens);   // ..., kEosId
//   if (id == kPadId) continue;                         // padding is never a real token
//
// They match the PyTorch reference (../shared/reference): PAD = 0 so that zero-filled
// buffers are valid padding, EOS = 1 ends every sentence (the paper's end-of-sentence
// symbol; there is no start symbol, Appendix A.2), UNK = 2 stands for every word outside
// the shortlist (Sec. 4.1), and real words start at 3.
#ifndef NMT_DATASETS_SPECIAL_IDS_H_
#define NMT_DATASETS_SPECIAL_IDS_H_

#include <cstdint>

namespace nmt::datasets {

inline constexpr int32_t kPadId = 0;
inline constexpr int32_t kEosId = 1;
inline constexpr int32_t kUnkId = 2;
inline constexpr int32_t kFirstWordId = 3;

// Surface forms of the special ids, as written in vocabulary files and subword models.
inline constexpr char kPadToken[] = "<pad>";
inline constexpr char kEosToken[] = "</s>";
inline constexpr char kUnkToken[] = "<unk>";

}  // namespace nmt::datasets

#endif  // NMT_DATASETS_SPECIAL_IDS_H_
