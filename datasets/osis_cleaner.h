// Turns the OSIS markup of one SWORD entry into plain verse text.
//
//   CleanOsis("<w lemma=\"strong:H0430\">God</w><note placement=\"foot\">Elohim</note>"
//             "<w lemma=\"strong:H1254\">created</w>")   // "God created"
//
// Rules, each fixing something seen in `mod2imp engWEB2015eb` / `spaRV1909eb` output:
// - <note> (footnotes, cross references, alternate readings), <title> (headings, psalm
//   superscriptions) and <speaker> (Song of Songs labels) are dropped with all their
//   content, nested elements included.
// - Everything after an end-of-book marker (<div eID=... type="book"/>) is dropped: the WEB
//   appends its whole glossary to the last verse of Revelation.
// - Other tags (<w>, <q>, <transChange>, <divineName>, milestones, ...) are removed and their
//   text kept. Footnotes and element boundaries often sit between two words with no
//   whitespace ("God<note>…</note><w>created", "allí</w><transChange>también"), so a dropped
//   element, a self-closing milestone, or a closing tag followed directly by an opening tag
//   separates words. The separator is dropped next to punctuation that attaches to a word
//   ("God<note/>," stays "God,").
// - Exception: RV1909 marks enclitic pronouns it added as <transChange>
//   ("díjo</w><transChange>le</transChange>"); those attach to the verb ("díjole") unless the
//   preceding word is a function word ("no</w><transChange>lo" stays "no lo").
// - HTML entities (&amp; &lt; &gt; &quot; &apos; &#N; &#xH;) are decoded; whitespace runs
//   become one space; the result is trimmed.
#ifndef NMT_DATASETS_OSIS_CLEANER_H_
#define NMT_DATASETS_OSIS_CLEANER_H_

#include <string>

#include "absl/strings/string_view.h"

namespace nmt::datasets {

std::string CleanOsis(absl::string_view markup);

}  // namespace nmt::datasets

#endif  // NMT_DATASETS_OSIS_CLEANER_H_
