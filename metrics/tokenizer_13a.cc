#include "metrics/tokenizer_13a.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"

namespace nmt::metrics {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsPeriodOrComma(char c) { return c == '.' || c == ','; }

// Rule 2a's character class, sacreBLEU's [\{-\~\[-\` -\&\(-\+\:-\@\/] spelled as ranges.
bool IsSplitPunctuation(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return (u >= 0x7B && u <= 0x7E) ||  // { | } ~
         (u >= 0x5B && u <= 0x60) ||  // [ \ ] ^ _ `
         (u >= 0x20 && u <= 0x26) ||  // space ! " # $ % &
         (u >= 0x28 && u <= 0x2B) ||  // ( ) * +
         (u >= 0x3A && u <= 0x40) ||  // : ; < = > ? @
         u == 0x2F;                   // /
}

// The code points for which Python's str.isspace() is true.
bool IsPythonWhitespace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Decodes the UTF-8 sequence starting at text[pos]; returns its length in bytes (0 when
// malformed) and stores the code point in *cp.
size_t DecodeUtf8(absl::string_view text, size_t pos, uint32_t* cp) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  size_t length;
  uint32_t min_cp;
  if (lead < 0x80) {
    *cp = lead;
    return 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, min_cp = 0x80, *cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, min_cp = 0x800, *cp = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, min_cp = 0x10000, *cp = lead & 0x07;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (byte(pos + i) & 0x3F);
  }
  const bool surrogate = *cp >= 0xD800 && *cp <= 0xDFFF;
  if (*cp < min_cp || *cp > 0x10FFFF || surrogate) return 0;
  return length;
}

// Length of the whitespace character at text[pos], or 0 if it is not whitespace.
// Malformed bytes count as non-whitespace so that this never loops forever.
size_t WhitespaceLengthAt(absl::string_view text, size_t pos) {
  uint32_t cp;
  const size_t length = DecodeUtf8(text, pos, &cp);
  return length > 0 && IsPythonWhitespace(cp) ? length : 0;
}

// Each rule below is one pass of Python's re.sub: matches never overlap and scanning
// resumes after the consumed characters. Working on bytes gives the same result as
// Python's code points: the patterns are ASCII, a non-ASCII character only ever plays a
// "[^0-9]" role, and continuation bytes can never be '.', ',', '-' or a digit.

bool IsNotDigit(char c) { return !IsDigit(c); }
bool IsDash(char c) { return c == '-'; }

// Replaces every match of the two-character pattern (first)(second) with "\1 \2 ", or
// with " \1 \2" when `space_before` is set.
std::string SplitPairs(absl::string_view s, bool (*first)(char), bool (*second)(char), bool space_before) {
  std::string out;
  out.reserve(s.size() * 2);
  for (size_t i = 0; i < s.size(); ++i) {
    if (i + 1 < s.size() && first(s[i]) && second(s[i + 1])) {
      if (space_before) out += ' ';
      out += s[i];
      out += ' ';
      out += s[++i];
      if (!space_before) out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

absl::string_view StripTrailingPythonWhitespace(absl::string_view text) {
  // Walk forward so multi-byte whitespace is decoded from its lead byte; remember where
  // the last non-whitespace character ended.
  size_t end = 0;
  for (size_t pos = 0; pos < text.size();) {
    const size_t ws = WhitespaceLengthAt(text, pos);
    if (ws > 0) {
      pos += ws;
    } else {
      uint32_t cp;
      const size_t length = DecodeUtf8(text, pos, &cp);
      pos += length > 0 ? length : 1;
      end = pos;
    }
  }
  return text.substr(0, end);
}

std::vector<std::string> SplitOnPythonWhitespace(absl::string_view text) {
  std::vector<std::string> tokens;
  std::string current;
  for (size_t pos = 0; pos < text.size();) {
    const size_t ws = WhitespaceLengthAt(text, pos);
    if (ws > 0) {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
      pos += ws;
    } else {
      current += text[pos++];
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

std::vector<std::string> Tokenize13a(absl::string_view line) {
  // Step 1: mteval's normalisation, one replace-all per pattern, in sacreBLEU's order
  // (so "&amp;lt;" becomes "<" but "&amp;quot;" stays "&quot;").
  std::string text(line);
  constexpr std::pair<absl::string_view, absl::string_view> kNormalisation[] = {
      {"<skipped>", ""}, {"-\n", ""}, {"\n", " "}, {"&quot;", "\""}, {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}};
  for (const auto& replacement : kNormalisation) absl::StrReplaceAll({replacement}, &text);

  // Step 2a, padded with a space on both sides as sacreBLEU does before its regexes.
  std::string spaced = " ";
  spaced.reserve(text.size() * 2 + 2);
  for (char c : text) {
    if (IsSplitPunctuation(c)) {
      spaced += ' ';
      spaced += c;
      spaced += ' ';
    } else {
      spaced += c;
    }
  }
  spaced += ' ';

  // Steps 2b-2d, then step 3.
  spaced = SplitPairs(spaced, IsNotDigit, IsPeriodOrComma, /*space_before=*/false);  // 2b
  spaced = SplitPairs(spaced, IsPeriodOrComma, IsNotDigit, /*space_before=*/true);   // 2c
  spaced = SplitPairs(spaced, IsDigit, IsDash, /*space_before=*/false);              // 2d
  return SplitOnPythonWhitespace(spaced);
}

std::string Tokenize13aToString(absl::string_view line) { return absl::StrJoin(Tokenize13a(line), " "); }

}  // namespace nmt::metrics
