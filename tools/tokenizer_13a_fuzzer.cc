// Fuzzes the 13a tokenizer and the Python whitespace helpers (tools/tokenizer_13a.h). The
// tokenizer's contract is valid UTF-8 (ReadUtf8Lines checks it at the file edge), but
// any bytes must be safe; for valid UTF-8 every token is valid UTF-8, non-empty and free
// of whitespace, and the string form is the tokens joined by spaces.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "base/check.h"
#include "base/fuzz_testing.h"
#include "datasets/text_file.h"
#include "metrics/tokenizer_13a.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nmt::metrics;
  const absl::string_view line = nmt::FuzzBytes(data, size);
  const bool valid = !nmt::datasets::FindInvalidUtf8(line).has_value();

  const std::vector<std::string> tokens = Tokenize13a(line);
  for (const std::string& token : tokens) {
    NMT_CHECK(!token.empty());
    NMT_CHECK(SplitOnPythonWhitespace(token) == std::vector<std::string>{token}) << token;
    NMT_CHECK(!valid || !nmt::datasets::FindInvalidUtf8(token).has_value()) << token;
  }
  NMT_CHECK(Tokenize13aToString(line) == absl::StrJoin(tokens, " "));

  const absl::string_view stripped = StripTrailingPythonWhitespace(line);
  NMT_CHECK(absl::StartsWith(line, stripped));
  NMT_CHECK(SplitOnPythonWhitespace(line.substr(stripped.size())).empty());
  NMT_CHECK(StripTrailingPythonWhitespace(stripped) == stripped);
  const std::vector<std::string> words = SplitOnPythonWhitespace(line);
  for (const std::string& word : words) {
    NMT_CHECK(!word.empty() && SplitOnPythonWhitespace(word) == std::vector<std::string>{word});
  }
  return 0;
}
