#include "datasets/vocabulary.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "base/check.h"
#include "datasets/special_ids.h"
#include "datasets/text_file.h"

namespace nmt::datasets {

void CountTokens(absl::Span<const std::string> tokens, TokenCounts& counts) {
  for (const std::string& token : tokens) ++counts[token];
}

Vocabulary::Vocabulary() {
  Add(kPadToken);
  Add(kEosToken);
  Add(kUnkToken);
}

void Vocabulary::Add(std::string token) {
  ids_.emplace(token, static_cast<int32_t>(tokens_.size()));
  tokens_.push_back(std::move(token));
}

Vocabulary Vocabulary::Build(const TokenCounts& counts, int shortlist_size) {
  NMT_CHECK(shortlist_size >= 0) << "Vocabulary::Build: shortlist_size " << shortlist_size;
  Vocabulary vocab;
  std::vector<std::pair<int64_t, absl::string_view>> sorted;
  sorted.reserve(counts.size());
  for (const auto& [token, count] : counts) {
    if (!vocab.ids_.contains(token)) sorted.emplace_back(count, token);
  }
  const size_t keep = std::min(sorted.size(), static_cast<size_t>(shortlist_size));
  // Higher count first, then bytewise token order: a total order, so ids are deterministic.
  std::partial_sort(sorted.begin(), sorted.begin() + keep, sorted.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second < b.second;
  });
  for (size_t i = 0; i < keep; ++i) vocab.Add(std::string(sorted[i].second));
  return vocab;
}

absl::StatusOr<Vocabulary> Vocabulary::Load(const std::string& path) {
  absl::StatusOr<std::vector<std::string>> lines = ReadLines(path);
  if (!lines.ok()) return lines.status();
  Vocabulary vocab;
  const int special_count = vocab.size();
  if (lines->size() < static_cast<size_t>(special_count)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": has ", lines->size(), " lines; a vocabulary starts with ",
                                                   kPadToken, ", ", kEosToken, ", ", kUnkToken));
  }
  for (size_t i = 0; i < lines->size(); ++i) {
    const std::string& token = (*lines)[i];
    const std::string where = absl::StrCat(path, ":", i + 1, ": ");
    if (static_cast<int>(i) < special_count) {
      if (token != vocab.tokens_[i]) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, "expected \"", vocab.tokens_[i], "\", found \"", token, "\""));
      }
      continue;
    }
    if (token.empty()) return absl::InvalidArgumentError(absl::StrCat(where, "empty token"));
    if (token.find_first_of(" \t\r\f\v") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(where, "token contains whitespace"));
    }
    if (FindInvalidUtf8(token).has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "invalid UTF-8"));
    }
    if (auto it = vocab.ids_.find(token); it != vocab.ids_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "duplicate token \"", token, "\" (first on line ", it->second + 1, ")"));
    }
    vocab.Add(token);
  }
  return vocab;
}

absl::Status Vocabulary::Save(const std::string& path) const {
  std::string contents;
  for (const std::string& token : tokens_) absl::StrAppend(&contents, token, "\n");
  return WriteFileAtomically(path, contents);
}

int32_t Vocabulary::Id(absl::string_view token) const {
  auto it = ids_.find(token);
  return it == ids_.end() ? kUnkId : it->second;
}

const std::string& Vocabulary::Token(int32_t id) const {
  NMT_CHECK(id >= 0 && id < size()) << "Vocabulary::Token: id " << id << " of " << size();
  return tokens_[id];
}

std::vector<int32_t> Vocabulary::Encode(absl::Span<const std::string> tokens) const {
  std::vector<int32_t> ids;
  ids.reserve(tokens.size() + 1);
  for (const std::string& token : tokens) ids.push_back(Id(token));
  ids.push_back(kEosId);
  return ids;
}

std::vector<std::string> Vocabulary::Decode(absl::Span<const int32_t> ids) const {
  std::vector<std::string> tokens;
  for (int32_t id : ids) {
    if (id == kEosId) break;
    if (id == kPadId) continue;
    tokens.push_back(Token(id));
  }
  return tokens;
}

}  // namespace nmt::datasets
