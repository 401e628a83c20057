#include "metrics/repetition.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "base/check.h"

namespace nmt::metrics {

bool HasRepetitionLoop(absl::Span<const std::string> tokens, const RepetitionOptions& options) {
  NMT_CHECK(options.max_n >= 1 && options.min_repeats >= 2)
      << "HasRepetitionLoop: max_n " << options.max_n << ", min_repeats " << options.min_repeats;
  const int64_t size = static_cast<int64_t>(tokens.size());
  for (int64_t n = 1; n <= options.max_n; ++n) {
    // run: how many tokens so far equal the token n places before them, in a row. A
    // run of (r − 1)·n such tokens after an n-gram is that n-gram r times in a row.
    int64_t run = 0;
    for (int64_t i = n; i < size; ++i) {
      run = tokens[i] == tokens[i - n] ? run + 1 : 0;
      if (run >= (options.min_repeats - 1) * n) return true;
    }
  }
  return false;
}

bool HasRepetitionLoopInText(absl::string_view text, const RepetitionOptions& options) {
  const std::vector<std::string> words = absl::StrSplit(text, absl::ByAnyChar(" \t\n\r"), absl::SkipEmpty());
  return HasRepetitionLoop(words, options);
}

}  // namespace nmt::metrics
