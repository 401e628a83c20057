#include "metrics/tokenizer_13a.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nmt::metrics {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Expected outputs below are traced by hand through the rules listed in tokenizer_13a.h
// (sacreBLEU's tokenizer_13a.py + tokenizer_re.py); the rule used is named per case.

TEST(Tokenize13aTest, SplitsFinalPeriodButNotApostrophe) {
  // 2b: "t." -> "t . ". The apostrophe is outside rule 2a's class.
  EXPECT_THAT(Tokenize13a("I'm a student."), ElementsAre("I'm", "a", "student", "."));
  EXPECT_EQ(Tokenize13aToString("It wasn't surprising."), "It wasn't surprising .");
}

TEST(Tokenize13aTest, KeepsNumbersWithInnerPeriodsAndCommas) {
  // 2b/2c need a non-digit on one side, so "3,000.5" survives; "Mr.Smith," does not.
  EXPECT_EQ(Tokenize13aToString("Mr.Smith,1,000.5 dollars"), "Mr . Smith , 1,000.5 dollars");
  EXPECT_EQ(Tokenize13aToString("a.5 1.a"), "a . 5 1 . a");
  EXPECT_EQ(Tokenize13aToString("U.S.A."), "U . S . A .");
}

TEST(Tokenize13aTest, SplitsDashOnlyAfterDigit) {
  // 2d: "2-" -> "2 - "; "co-operate" and a leading "-5" stay whole.
  EXPECT_EQ(Tokenize13aToString("co-operate 2-3 -5"), "co-operate 2 - 3 -5");
}

TEST(Tokenize13aTest, SplitsSymbolClass) {
  // 2a: every listed ASCII symbol becomes its own token.
  EXPECT_EQ(Tokenize13aToString("(x/y) $5 50% a+b [c] {d} e;f g:h i?! @j #k ~l |m ^n _o `p`"),
            "( x / y ) $ 5 50 % a + b [ c ] { d } e ; f g : h i ? ! @ j # k ~ l | m ^ n _ o ` p `");
  EXPECT_EQ(Tokenize13aToString("a\\b<c>=d*e\"f&g"), "a \\ b < c > = d * e \" f & g");
}

TEST(Tokenize13aTest, UnescapesEntitiesInSacreBleuOrder) {
  EXPECT_THAT(Tokenize13a("&quot;Hi&quot; &lt;b&gt; R&amp;D"),
              ElementsAre("\"", "Hi", "\"", "<", "b", ">", "R", "&", "D"));
  // Sequential replace-alls: &quot; goes before &amp;, so "&amp;quot;" ends as "&quot;"
  // (then 2a splits '&' and ';'), while &lt; goes after &amp;, so "&amp;lt;" ends as "<".
  EXPECT_THAT(Tokenize13a("&amp;quot;"), ElementsAre("&", "quot", ";"));
  EXPECT_THAT(Tokenize13a("&amp;lt;"), ElementsAre("<"));
}

TEST(Tokenize13aTest, RemovesSkippedAndJoinsHyphenatedLineBreaks) {
  EXPECT_EQ(Tokenize13aToString("<skipped>a <skipped> b"), "a b");
  EXPECT_EQ(Tokenize13aToString("hyphen-\nated line\nbreak"), "hyphenated line break");
}

TEST(Tokenize13aTest, HandlesUtf8AndPythonWhitespace) {
  // From sacreBLEU's test/test_sentence_bleu.py example (#98): the cedilla and comma-below
  // letters pass through untouched, only the final ';' splits.
  EXPECT_THAT(Tokenize13a("producţia de zahăr brut se exprimă în zahăr alb;"),
              ElementsAre("producţia", "de", "zahăr", "brut", "se", "exprimă", "în", "zahăr", "alb", ";"));
  // U+00A0, U+3000 and the ASCII unit separator are whitespace to Python; U+200B is not.
  EXPECT_THAT(Tokenize13a("a\u00a0b\u3000c\x1f"
                          "d"),
              ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(Tokenize13a("a\u200bb"), ElementsAre("a\u200bb"));
  // A period after a multi-byte letter splits exactly as after an ASCII one.
  EXPECT_EQ(Tokenize13aToString("café. été,x"), "café . été , x");
}

TEST(Tokenize13aTest, EmptyAndBlankLinesHaveNoTokens) {
  EXPECT_THAT(Tokenize13a(""), IsEmpty());
  EXPECT_THAT(Tokenize13a(" \t \u00a0"), IsEmpty());
}

TEST(PythonWhitespaceTest, StripsAndSplitsLikePython) {
  EXPECT_EQ(StripTrailingPythonWhitespace("ab \u3000\r\n"), "ab");
  EXPECT_EQ(StripTrailingPythonWhitespace(" a b"), " a b");
  EXPECT_THAT(SplitOnPythonWhitespace("  a\tb\u2028c  "), ElementsAre("a", "b", "c"));
}

}  // namespace
}  // namespace nmt::metrics
