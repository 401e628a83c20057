// Fuzzes the Moses-style tokenizer and detokenizer (datasets/tokenizer.h) on any bytes.
// Byte 0 picks the language; the rest is the text. Tokenize keeps every byte that is
// not whitespace, in order, and splits only at character boundaries: its tokens
// concatenated are the text without its whitespace (ASCII, and U+00A0), none is empty or
// holds whitespace, and each is valid UTF-8 when the text is.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "base/check.h"
#include "base/fuzz_testing.h"
#include "datasets/text_file.h"
#include "datasets/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nmt::datasets;
  if (size < 1) return 0;
  const Language language = (data[0] & 1) != 0 ? Language::kSpanish : Language::kEnglish;
  const absl::string_view text = nmt::FuzzBytes(data + 1, size - 1);
  const std::vector<std::string> tokens = Tokenize(text, language);

  // U+00A0 is removed after the ASCII whitespace it may straddle is gone, as Tokenize does.
  std::string expected;
  for (absl::string_view chunk : absl::StrSplit(text, absl::ByAnyChar(" \t\n\r\f\v"), absl::SkipEmpty())) {
    absl::StrAppend(&expected, absl::StrReplaceAll(chunk, {{"\xc2\xa0", ""}}));
  }
  std::string joined;
  const bool valid_text = !FindInvalidUtf8(text).has_value();
  for (const std::string& token : tokens) {
    NMT_CHECK(!token.empty());
    NMT_CHECK(token.find_first_of(" \t\n\r\f\v") == std::string::npos) << token;
    NMT_CHECK(token.find("\xc2\xa0") == std::string::npos) << token;
    NMT_CHECK(!valid_text || !FindInvalidUtf8(token).has_value()) << token;
    joined += token;
  }
  NMT_CHECK(joined == expected) << "tokens do not cover the text";

  const std::string detokenized = Detokenize(tokens);
  NMT_CHECK(detokenized.size() >= joined.size());
  // Detokenize only adds spaces between tokens: without them it is the tokens again.
  NMT_CHECK(absl::StrReplaceAll(detokenized, {{" ", ""}}) == joined);
  return 0;
}
