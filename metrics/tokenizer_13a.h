// The "13a" tokenizer of mteval-v13a.pl, as sacreBLEU 2.x implements it (its default BLEU
// tokenizer), and Python's Unicode whitespace rules that it relies on.
//
//   std::vector<std::string> tokens = nmt::metrics::Tokenize13a("It wasn't surprising.");
//   // {"It", "wasn't", "surprising", "."}
//
// Evaluation only (paper section 4: BLEU of the translations); training text goes through
// datasets/ instead. sacreBLEU applies the rules below in this order to one line:
//   1. remove "<skipped>"; join "-\n"; "\n" becomes a space; unescape &quot; &amp; &lt; &gt;
//      (each a plain left-to-right replace-all, in that order, so "&amp;lt;" becomes "<"
//      but "&amp;quot;" stays "&quot;");
//   2. pad with one space on both sides, then
//      a. put spaces around each of  { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /
//         (note: not the apostrophe, '-', '.', ',');
//      b. a '.' or ',' after a non-digit gets a space on both sides;
//      c. a '.' or ',' before a non-digit gets a space on both sides;
//      d. a '-' after a digit gets a space on both sides;
//      each rule is one non-overlapping left-to-right pass (Python's re.sub), which is why
//      "1.5" and "3,000" stay whole but "a.5" splits;
//   3. split on whitespace as Python's str.split() defines it (Unicode-aware: U+00A0,
//      U+2000..U+200A, U+3000, ... and the ASCII separators \x1c..\x1f count).
#ifndef NMT_METRICS_TOKENIZER_13A_H_
#define NMT_METRICS_TOKENIZER_13A_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace nmt::metrics {

// Tokenizes one line (without its trailing newline). The input must be valid UTF-8
// (datasets/text_file.h's ReadUtf8Lines checks it at the file edge); bytes of multi-byte
// characters pass through.
std::vector<std::string> Tokenize13a(absl::string_view line);

// The same tokens joined by single spaces: what sacreBLEU's tokenizer returns.
std::string Tokenize13aToString(absl::string_view line);

// Python's str.rstrip() with no argument: removes trailing Unicode whitespace.
absl::string_view StripTrailingPythonWhitespace(absl::string_view text);

// Python's str.split() with no argument: splits on runs of Unicode whitespace, no empties.
std::vector<std::string> SplitOnPythonWhitespace(absl::string_view text);

}  // namespace nmt::metrics

#endif  // NMT_METRICS_TOKENIZER_13A_H_
