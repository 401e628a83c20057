// A Moses-style word tokenizer and its detokenizer for English and Spanish (Sec. 4.1: "we
// use a tokenization script from the open-source machine translation package, Moses").
//
//   std::vector<std::string> tokens = Tokenize("¿Dónde está el Sr. López?", Language::kSpanish);
//   // {"¿", "Dónde", "está", "el", "Sr.", "López", "?"}
//   std::string text = Detokenize(tokens);   // "¿Dónde está el Sr. López?"
//
// Tokenize splits on whitespace, then splits punctuation off words. It keeps inside a word:
// an apostrophe between letters ("Lord’s", "don't": unlike Moses, which splits English
// clitics, because the WEB's ’ is both apostrophe and closing quote and keeping it inside the
// word is what lets Detokenize rebuild the text), a hyphen between letters or digits
// ("Beth-semes", "13-14"), and '.', ',' or ':' between digits ("3,000", "1.5", "3:16").
// A run of one punctuation character stays one token ("...", "--"). A final '.' stays on
// a word that is a non-breaking prefix of the language ("Mr.", "Sra.", a single capital)
// unless it ends the text. Nothing is escaped (no &amp; as in Moses): raw characters are
// kept, and every token is valid UTF-8 if the input is.
//
// Detokenize joins tokens with spaces, except: no space before closing punctuation
// (. , ; : ! ? ) ] } » ” ’ … %), none after opening punctuation and currency signs
// (( [ { « “ ‘ ¿ ¡ $ € £ #), none
// around dashes (— –, as both the WEB and RV1909 print them), and straight quotes (" ')
// alternate between opening and closing. For ordinary text, Detokenize(Tokenize(x)) == x
// (measured on the Bible corpus: see datasets/README.md).
#ifndef NMT_DATASETS_TOKENIZER_H_
#define NMT_DATASETS_TOKENIZER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace nmt::datasets {

enum class Language { kEnglish, kSpanish };

// The tokenizer rules for a language code ("en", "es"). Other languages get the
// English rules, which split punctuation without language-specific exceptions.
Language LanguageFromCode(absl::string_view code);

std::vector<std::string> Tokenize(absl::string_view text, Language language);

std::string Detokenize(absl::Span<const std::string> tokens);

}  // namespace nmt::datasets

#endif  // NMT_DATASETS_TOKENIZER_H_
