// A word vocabulary: the shortlist of the most frequent tokens of one language, mapping
// tokens to ids and back (Sec. 4.1: "a shortlist of 30,000 most frequent words in each
// language", every other word is [UNK]).
//
//   TokenCounts counts;
//   for (const auto& sentence : corpus) CountTokens(Tokenize(sentence), counts);
//   Vocabulary vocab = Vocabulary::Build(counts, /*shortlist_size=*/30000);
//   std::vector<int32_t> ids = vocab.Encode({"the", "house"});   // {7, 41, kEosId}
//   std::vector<std::string> words = vocab.Decode(ids);            // {"the", "house"}
//   absl::Status s = vocab.Save("vocab.en");
//
// Ids follow special_ids.h: 0 <pad>, 1 </s>, 2 <unk>, then the shortlist from kFirstWordId
// in order of decreasing count; equal counts are ordered by the tokens' bytes so that the
// same counts always give the same ids, whatever the hash map's iteration order.
// The file format is one token per line, line i (0-based) holding id i, the three special
// tokens first. Loading is strict: a file that does not round-trip is rejected.
#ifndef NMT_DATASETS_VOCABULARY_H_
#define NMT_DATASETS_VOCABULARY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace nmt::datasets {

using TokenCounts = absl::flat_hash_map<std::string, int64_t>;

// Adds one to counts[token] for each token.
void CountTokens(absl::Span<const std::string> tokens, TokenCounts& counts);

class Vocabulary {
 public:
  // Keeps the `shortlist_size` most frequent tokens (all of them if fewer). Tokens that
  // spell a special token are not added twice; they map to the special id.
  static Vocabulary Build(const TokenCounts& counts, int shortlist_size);

  // Strict: the first three lines must be <pad>, </s>, <unk>; every line must be a
  // non-empty, whitespace-free, valid UTF-8 token seen only once. Errors give file:line.
  static absl::StatusOr<Vocabulary> Load(const std::string& path);
  absl::Status Save(const std::string& path) const;

  // Number of ids, special ones included (the model's K).
  int32_t size() const { return static_cast<int32_t>(tokens_.size()); }

  // The id of `token`, or kUnkId.
  int32_t Id(absl::string_view token) const;
  // The token of `id`; NMT_CHECKs that 0 <= id < size().
  const std::string& Token(int32_t id) const;

  // Ids of the tokens followed by kEosId: every sentence ends in EOS.
  std::vector<int32_t> Encode(absl::Span<const std::string> tokens) const;
  // Tokens up to the first EOS, skipping PAD; UNK decodes to "<unk>".
  std::vector<std::string> Decode(absl::Span<const int32_t> ids) const;

 private:
  Vocabulary();
  void Add(std::string token);

  std::vector<std::string> tokens_;
  absl::flat_hash_map<std::string, int32_t> ids_;
};

}  // namespace nmt::datasets

#endif  // NMT_DATASETS_VOCABULARY_H_
