#include "datasets/tokenizer.h"

#include "gtest/gtest.h"

namespace nmt::datasets {
namespace {

using Tokens = std::vector<std::string>;

TEST(Tokenize, SplitsPunctuationFromWords) {
  EXPECT_EQ(Tokenize("In the beginning, God created the heavens.", Language::kEnglish),
            (Tokens{"In", "the", "beginning", ",", "God", "created", "the", "heavens", "."}));
}

TEST(Tokenize, HandlesSpanishInvertedMarksAndAccents) {
  EXPECT_EQ(Tokenize("¿Dónde está? ¡Ay! «Señor»", Language::kSpanish),
            (Tokens{"¿", "Dónde", "está", "?", "¡", "Ay", "!", "«", "Señor", "»"}));
}

TEST(Tokenize, SplitsCurlyAndStraightQuotes) {
  EXPECT_EQ(Tokenize("“Woe!” ‘Go.’ \"x\"", Language::kEnglish),
            (Tokens{"“", "Woe", "!", "”", "‘", "Go", ".", "’", "\"", "x", "\""}));
}

TEST(Tokenize, KeepsApostrophesAndHyphensInsideWords) {
  EXPECT_EQ(Tokenize("God’s don't Beth-semes sons’ -x", Language::kEnglish),
            (Tokens{"God’s", "don't", "Beth-semes", "sons", "’", "-", "x"}));
}

TEST(Tokenize, KeepsNumbersAndReferencesWhole) {
  EXPECT_EQ(Tokenize("See Exodus 3:13-14, 3,000 and 1.5.", Language::kEnglish),
            (Tokens{"See", "Exodus", "3:13-14", ",", "3,000", "and", "1.5", "."}));
}

TEST(Tokenize, KeepsRunsOfOnePunctuationCharacter) {
  EXPECT_EQ(Tokenize("Wait... what?!", Language::kEnglish), (Tokens{"Wait", "...", "what", "?", "!"}));
}

TEST(Tokenize, NonBreakingPrefixesDependOnLanguageAndPosition) {
  EXPECT_EQ(Tokenize("Mr. Smith met Sr. López.", Language::kEnglish),
            (Tokens{"Mr.", "Smith", "met", "Sr.", "López", "."}));
  EXPECT_EQ(Tokenize("la Sra. García", Language::kSpanish), (Tokens{"la", "Sra.", "García"}));
  EXPECT_EQ(Tokenize("la Sra. García", Language::kEnglish), (Tokens{"la", "Sra", ".", "García"}));
  EXPECT_EQ(Tokenize("I met Mr.", Language::kEnglish), (Tokens{"I", "met", "Mr", "."}));
}

TEST(Tokenize, InvalidUtf8NeverCrashes) {
  EXPECT_EQ(Tokenize("a\xff"
                     "b",
                     Language::kEnglish),
            (Tokens{"a\xff"
                    "b"}));
  EXPECT_TRUE(Tokenize("", Language::kEnglish).empty());
  EXPECT_TRUE(Tokenize(" \t ", Language::kEnglish).empty());
}

TEST(Detokenize, AttachesPunctuationByDirection) {
  EXPECT_EQ(Detokenize({"(", "so", ")", "he", "said", ",", "“", "Go", "!", "”"}), "(so) he said, “Go!”");
  EXPECT_EQ(Detokenize({"heart", "—", "a", "Father"}), "heart—a Father");
  EXPECT_EQ(Detokenize({"He", "said", "\"", "yes", "\"", "and", "\"", "no", "\"", "."}), "He said \"yes\" and \"no\".");
}

void ExpectRoundTrip(const std::string& text, Language language) {
  EXPECT_EQ(Detokenize(Tokenize(text, language)), text);
}

TEST(Detokenize, InvertsTokenizeOnOrdinarySentences) {
  ExpectRoundTrip("In the beginning, God created the heavens and the earth.", Language::kEnglish);
  ExpectRoundTrip("It reveals God’s heart—a Father’s heart, full of love (and compassion).", Language::kEnglish);
  ExpectRoundTrip("I saw, and I heard an eagle, saying with a loud voice, “Woe! Woe!”", Language::kEnglish);
  ExpectRoundTrip("Mr. Smith paid $3,000.50 on 3:16 p.m.; 15% of it... really?!", Language::kEnglish);
  ExpectRoundTrip("Y miré, y oí un ángel volar: ¡Ay! ¡ay! de los que moran en la tierra.", Language::kSpanish);
  ExpectRoundTrip("¿Qué dijo la Sra. López? «Nada», respondió.", Language::kSpanish);
}

}  // namespace
}  // namespace nmt::datasets
