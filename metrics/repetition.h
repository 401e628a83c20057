// Repetition loops: the failure of a decoder that has lost track of the source and
// repeats itself ("O dit: «O mon peuple dit: «Ne dit: «Ne dit: «Ne dit: ...").
//
//   HasRepetitionLoop({"a", "b", "a", "b", "a", "b"});   // true: "a b" three times in a row
//   HasRepetitionLoopInText("very very good");           // false: two repeats are not a loop
//
// An output loops when some n-gram with n <= max_n occurs at least min_repeats times
// consecutively (each repeat right after the previous one). The defaults, n <= 4 and
// three repeats, catch loops of one to four tokens and leave alone the doubled words
// natural text has ("là là", "very very").
#ifndef NMT_METRICS_REPETITION_H_
#define NMT_METRICS_REPETITION_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace nmt::metrics {

struct RepetitionOptions {
  int max_n = 4;        // the longest n-gram looked for
  int min_repeats = 3;  // consecutive occurrences that make a loop (>= 2)
};

bool HasRepetitionLoop(absl::Span<const std::string> tokens, const RepetitionOptions& options = {});

// HasRepetitionLoop on the whitespace-separated words of `text` (a detokenized output).
bool HasRepetitionLoopInText(absl::string_view text, const RepetitionOptions& options = {});

}  // namespace nmt::metrics

#endif  // NMT_METRICS_REPETITION_H_
