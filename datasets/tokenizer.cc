#include "datasets/tokenizer.h"

#include <cstdint>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace nmt::datasets {
namespace {

// One code point of the input and where its bytes are.
struct Char {
  uint32_t code = 0;
  size_t begin = 0;
  size_t end = 0;
};

// Decodes UTF-8 leniently: an invalid byte becomes its own "character" (code 0xfffd), so
// tokenization never fails and never splits inside a valid sequence.
std::vector<Char> Decode(absl::string_view text) {
  std::vector<Char> chars;
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const int length = lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : (lead >> 3) == 30 ? 4 : 0;
    bool valid = length > 0 && i + length <= text.size();
    uint32_t code = length == 1 ? lead : lead & (0x7f >> length);
    for (int k = 1; valid && k < length; ++k) {
      const auto byte = static_cast<unsigned char>(text[i + k]);
      valid = (byte & 0xc0) == 0x80;
      code = (code << 6) | (byte & 0x3f);
    }
    if (!valid) {
      chars.push_back({0xfffd, i, i + 1});
      ++i;
      continue;
    }
    chars.push_back({code, i, i + length});
    i += length;
  }
  return chars;
}

bool IsSpace(uint32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xa0;
}

// Punctuation and symbols: ASCII non-alphanumerics, Latin-1 punctuation (¡ « » ¿ ...) except
// the ordinal indicators, superscripts and fractions, × ÷, and the General Punctuation and
// CJK punctuation blocks. Every other code point counts as part of a word, which is right
// for the letters of English and Spanish and harmless for anything else.
bool IsPunctuation(uint32_t c) {
  if (c < 0x80) return !absl::ascii_isalnum(static_cast<unsigned char>(c)) && !IsSpace(c);
  if (c >= 0xa1 && c <= 0xbf) {
    return c != 0xaa && c != 0xb2 && c != 0xb3 && c != 0xb5 && c != 0xb9 && c != 0xba && !(c >= 0xbc && c <= 0xbe);
  }
  return c == 0xd7 || c == 0xf7 || (c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f);
}

bool IsWordChar(uint32_t c) { return !IsSpace(c) && !IsPunctuation(c); }
bool IsDigit(uint32_t c) { return c >= '0' && c <= '9'; }

// Whether chars[i], a punctuation character, stays inside the word around it.
bool JoinsWord(const std::vector<Char>& chars, size_t i) {
  if (i == 0 || i + 1 >= chars.size()) return false;
  const uint32_t before = chars[i - 1].code, c = chars[i].code, after = chars[i + 1].code;
  if (!IsWordChar(before) || !IsWordChar(after)) return false;
  if (c == '\'' || c == 0x2019 || c == '-') return true;
  if (c == '.') return true;  // "i.e", "U.S": a period between word characters
  return (c == ',' || c == ':') && IsDigit(before) && IsDigit(after);
}

bool IsNonBreakingPrefix(absl::string_view word, Language language) {
  static const auto* const kEnglish = new absl::flat_hash_set<absl::string_view>(
      {"Mr",  "Mrs", "Ms",  "Dr",  "Prof", "St", "Jr",  "Sr", "Mt",  "vs", "etc",
       "e.g", "i.e", "Gen", "Col", "Capt", "Lt", "Rev", "No", "Vol", "pp", "cf"});
  static const auto* const kSpanish = new absl::flat_hash_set<absl::string_view>(
      {"Sr",  "Sra", "Srta", "Sres", "Dr",  "Dra", "Ud",  "Uds",  "Vd",    "Vds", "D",
       "Dña", "pág", "núm",  "etc",  "cap", "art", "vol", "p.ej", "aprox", "Av",  "Gral"});
  if (word.size() == 1 && absl::ascii_isupper(static_cast<unsigned char>(word[0]))) return true;
  return (language == Language::kEnglish ? kEnglish : kSpanish)->contains(word);
}

void TokenizeChunk(absl::string_view chunk, bool last_chunk, Language language, std::vector<std::string>& tokens) {
  const std::vector<Char> chars = Decode(chunk);
  const size_t first_token = tokens.size();
  size_t i = 0;
  while (i < chars.size()) {
    size_t j = i + 1;
    if (IsWordChar(chars[i].code)) {
      while (j < chars.size() && (IsWordChar(chars[j].code) || JoinsWord(chars, j))) ++j;
    } else {
      while (j < chars.size() && chars[j].code == chars[i].code) ++j;
    }
    tokens.emplace_back(chunk.substr(chars[i].begin, chars[j - 1].end - chars[i].begin));
    i = j;
  }
  // "Mr." mid-sentence: the period belongs to the abbreviation.
  const size_t n = tokens.size();
  if (!last_chunk && n - first_token >= 2 && tokens[n - 1] == "." && IsNonBreakingPrefix(tokens[n - 2], language)) {
    tokens[n - 2] += ".";
    tokens.pop_back();
  }
}

bool IsOneOf(absl::string_view token, std::initializer_list<absl::string_view> set) {
  for (absl::string_view s : set) {
    if (token == s) return true;
  }
  return false;
}

bool AttachesLeft(absl::string_view t) {
  if (IsOneOf(t, {"%", "’", "”", "»", "…", ")", "]", "}"})) return true;
  // Runs of closing marks ("...", "?!", "!!") attach like their characters.
  return !t.empty() && absl::string_view(".,;:!?").find(t[0]) != absl::string_view::npos &&
         t.find_first_not_of(".,;:!?") == absl::string_view::npos;
}

bool AttachesRight(absl::string_view t) {
  return IsOneOf(t, {"(", "[", "{", "¿", "¡", "«", "“", "‘", "$", "€", "£", "#"});
}

bool IsDash(absl::string_view t) { return IsOneOf(t, {"—", "–"}); }

}  // namespace

Language LanguageFromCode(absl::string_view code) { return code == "es" ? Language::kSpanish : Language::kEnglish; }

std::vector<std::string> Tokenize(absl::string_view text, Language language) {
  std::vector<std::string> tokens;
  std::vector<absl::string_view> chunks = absl::StrSplit(text, absl::ByAnyChar(" \t\n\r\f\v"), absl::SkipEmpty());
  for (size_t c = 0; c < chunks.size(); ++c) {
    // U+00A0 is whitespace too, but only ASCII whitespace is cheap to split on above.
    std::vector<absl::string_view> parts = absl::StrSplit(chunks[c], "\xc2\xa0", absl::SkipEmpty());
    for (size_t p = 0; p < parts.size(); ++p) {
      TokenizeChunk(parts[p], c + 1 == chunks.size() && p + 1 == parts.size(), language, tokens);
    }
  }
  return tokens;
}

std::string Detokenize(absl::Span<const std::string> tokens) {
  std::string text;
  bool no_space_next = true;  // nothing before the first token
  bool double_quote_open = false, single_quote_open = false;
  for (const std::string& token : tokens) {
    bool attach_left = AttachesLeft(token) || IsDash(token);
    bool attach_right = AttachesRight(token) || IsDash(token);
    if (token == "\"" || token == "'") {
      bool& open = token == "\"" ? double_quote_open : single_quote_open;
      attach_left = open;
      attach_right = !open;
      open = !open;
    }
    if (!no_space_next && !attach_left) text += ' ';
    text += token;
    no_space_next = attach_right;
  }
  return text;
}

}  // namespace nmt::datasets
