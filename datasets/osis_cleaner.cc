#include "datasets/osis_cleaner.h"

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"

namespace nmt::datasets {
namespace {

// Marks a place where two words must not touch; resolved by Finish().
constexpr char kSeparator = '\x01';

struct Tag {
  absl::string_view name;
  bool closing = false;
  bool self_closing = false;
  absl::string_view text;  // the whole tag, "<...>"
};

Tag ParseTag(absl::string_view tag) {
  Tag result;
  result.text = tag;
  absl::string_view inner = tag.substr(1, tag.size() - 2);
  if (absl::ConsumePrefix(&inner, "/")) result.closing = true;
  if (absl::ConsumeSuffix(&inner, "/")) result.self_closing = true;
  const size_t end = inner.find_first_of(" \t\n\r");
  result.name = inner.substr(0, end);
  return result;
}

bool IsDroppedElement(absl::string_view name) { return name == "note" || name == "title" || name == "speaker"; }

bool IsEndOfBook(const Tag& tag) {
  return tag.name == "div" && absl::StrContains(tag.text, "eID=") && absl::StrContains(tag.text, "type=\"book\"");
}

bool IsEnclitic(absl::string_view word) {
  static const auto* const kEnclitics = new absl::flat_hash_set<absl::string_view>(
      {"lo", "la", "le", "los", "las", "les", "me", "te", "se", "nos", "os"});
  return kEnclitics->contains(word);
}

// Words after which a pronoun is a separate word ("no lo", "que la", "y le").
bool IsFunctionWord(absl::string_view word) {
  static const auto* const kFunctionWords = new absl::flat_hash_set<absl::string_view>(
      {"y",  "e",  "o",   "u",   "ni",  "no", "que", "si",  "a",  "á",  "de",     "en",   "se",    "lo",
       "le", "la", "los", "las", "les", "me", "te",  "nos", "os", "ya", "cuando", "como", "porque"});
  return kFunctionWords->contains(word);
}

// The last whitespace-delimited word of `text`, lowercased (ASCII letters only).
std::string LastWord(absl::string_view text) {
  const size_t start = text.find_last_of(std::string(" \t\n") + kSeparator);
  return absl::AsciiStrToLower(start == absl::string_view::npos ? text : text.substr(start + 1));
}

void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xc0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xe0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  }
}

// Appends text with entities decoded; an unknown entity is kept as written.
void AppendDecoded(absl::string_view text, std::string& out) {
  while (!text.empty()) {
    const size_t amp = text.find('&');
    out.append(text.substr(0, amp).data(), text.substr(0, amp).size());
    if (amp == absl::string_view::npos) return;
    text.remove_prefix(amp);
    const size_t semi = text.find(';');
    absl::string_view name = semi == absl::string_view::npos ? absl::string_view() : text.substr(1, semi - 1);
    uint32_t code_point = 0;
    bool known = true;
    if (name == "amp") {
      code_point = '&';
    } else if (name == "lt") {
      code_point = '<';
    } else if (name == "gt") {
      code_point = '>';
    } else if (name == "quot") {
      code_point = '"';
    } else if (name == "apos") {
      code_point = '\'';
    } else if (absl::ConsumePrefix(&name, "#x") || absl::ConsumePrefix(&name, "#X")) {
      known = absl::SimpleHexAtoi(name, &code_point) && code_point > 0 && code_point <= 0x10ffff;
    } else if (absl::ConsumePrefix(&name, "#")) {
      known = absl::SimpleAtoi(name, &code_point) && code_point > 0 && code_point <= 0x10ffff;
    } else {
      known = false;
    }
    if (!known) {
      out += '&';
      text.remove_prefix(1);
      continue;
    }
    AppendUtf8(code_point, out);
    text.remove_prefix(semi + 1);
  }
}

// Characters next to which a separator is not needed: punctuation that attaches to the word
// before it (after the separator) or to the word after it (before the separator).
bool AttachesLeft(absl::string_view rest) {
  for (absl::string_view p : {".", ",", ";", ":", "!", "?", ")", "]", "’", "”", "»"}) {
    if (absl::StartsWith(rest, p)) return true;
  }
  return false;
}

bool AttachesRight(absl::string_view done) {
  for (absl::string_view p : {"(", "[", "‘", "“", "«", "¿", "¡"}) {
    if (absl::EndsWith(done, p)) return true;
  }
  return false;
}

// Resolves separators and collapses whitespace.
std::string Finish(absl::string_view raw) {
  std::string out;
  bool pending_space = false;
  bool pending_separator = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == kSeparator) {
      pending_separator = true;
      continue;
    }
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      pending_space = true;
      continue;
    }
    if (!out.empty()) {
      if (pending_space) {
        out += ' ';
      } else if (pending_separator && !AttachesLeft(raw.substr(i)) && !AttachesRight(out)) {
        out += ' ';
      }
    }
    pending_space = pending_separator = false;
    out += c;
  }
  return out;
}

}  // namespace

std::string CleanOsis(absl::string_view markup) {
  std::string raw;
  int dropped_depth = 0;           // > 0 inside a dropped element
  bool after_closing_tag = false;  // the last thing seen was a closing tag, no text since
  size_t i = 0;
  while (i < markup.size()) {
    if (markup[i] != '<') {
      const size_t next = markup.find('<', i);
      absl::string_view text = markup.substr(i, next == absl::string_view::npos ? next : next - i);
      if (dropped_depth == 0) AppendDecoded(text, raw);
      after_closing_tag = false;
      i += text.size();
      continue;
    }
    const size_t end = markup.find('>', i);
    if (end == absl::string_view::npos) break;  // a truncated tag carries no text
    const Tag tag = ParseTag(markup.substr(i, end - i + 1));
    i = end + 1;
    if (IsEndOfBook(tag)) break;
    if (dropped_depth > 0) {
      if (!tag.self_closing) dropped_depth += tag.closing ? -1 : 1;
      if (dropped_depth == 0) raw += kSeparator;
      continue;
    }
    if (tag.self_closing) {
      if (tag.name != "w" && tag.name != "transChange") raw += kSeparator;
      continue;
    }
    if (IsDroppedElement(tag.name) && !tag.closing) {
      raw += kSeparator;
      dropped_depth = 1;
      continue;
    }
    if (tag.closing) {
      after_closing_tag = true;
      continue;
    }
    if (after_closing_tag) {
      // An element starts right where another ended: separate the words, except for an
      // enclitic pronoun that RV1909 marks as added text.
      bool glue = false;
      if (tag.name == "transChange") {
        const size_t close = markup.find("</transChange>", i);
        const absl::string_view content = markup.substr(i, close == absl::string_view::npos ? 0 : close - i);
        const std::string previous = LastWord(raw);
        glue = IsEnclitic(content) && !previous.empty() && !IsFunctionWord(previous);
      }
      if (!glue) raw += kSeparator;
    }
    after_closing_tag = false;
  }
  return Finish(raw);
}

}  // namespace nmt::datasets
