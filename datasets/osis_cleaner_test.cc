#include "datasets/osis_cleaner.h"

#include "gtest/gtest.h"

namespace nmt::datasets {
namespace {

TEST(CleanOsis, FootnoteBetweenWordsDoesNotGlueThem) {
  EXPECT_EQ(CleanOsis("<w lemma=\"strong:H0430\">God</w><note placement=\"foot\"><reference "
                      "type=\"annotateRef\">1:1 </reference>The Hebrew word rendered “God” is "
                      "“אֱלֹהִ֑ים” (Elohim).</note><w lemma=\"strong:H1254\">created</w> "
                      "<w lemma=\"strong:H0853\">the</w> heavens."),
            "God created the heavens.");
}

TEST(CleanOsis, FootnoteBeforePunctuationLeavesNoSpace) {
  EXPECT_EQ(CleanOsis("<w>born</w><note>Or, “only begotten”</note>, and"), "born, and");
  EXPECT_EQ(CleanOsis("(<note>x</note>so)"), "(so)");
}

TEST(CleanOsis, NestedNotesAreDroppedWhole) {
  EXPECT_EQ(CleanOsis("in<note type=\"x\">outer <note>inner</note> still <rdg "
                      "type=\"alternate\">reading</rdg> outer</note>the midst"),
            "in the midst");
}

TEST(CleanOsis, QuoteElementsAroundANoteStaySeparated) {
  EXPECT_EQ(CleanOsis("<q marker=\"\" who=\"Jesus\">his only born</q><note>n</note>"
                      "<q marker=\"\" who=\"Jesus\"><w>Son</w>, that</q>"),
            "his only born Son, that");
}

TEST(CleanOsis, WordTagsWithAttributesKeepTheirText) {
  EXPECT_EQ(CleanOsis("<w lemma=\"strong:G1063\" morph=\"robinson:CONJ\">Porque</w> "
                      "<w lemma=\"strong:G3779\">de tal manera</w> amó"),
            "Porque de tal manera amó");
}

TEST(CleanOsis, TransChangeSeparatesWordsButGluesEnclitics) {
  EXPECT_EQ(CleanOsis("<w>hay allí</w><transChange type=\"added\">también</transChange>"
                      "<w>bdelio</w>"),
            "hay allí también bdelio");
  EXPECT_EQ(CleanOsis("<w>y díjo</w><transChange type=\"added\">le</transChange><w>Dios</w>:"), "y díjole Dios:");
  EXPECT_EQ(CleanOsis("<w>Y no</w><transChange type=\"added\">lo</transChange><w>hizo</w>"), "Y no lo hizo");
  EXPECT_EQ(CleanOsis("y repartiéron<transChange type=\"added\">lo</transChange> entre"), "y repartiéronlo entre");
}

TEST(CleanOsis, DivineNameKeepsItsText) {
  EXPECT_EQ(CleanOsis("says <divineName type=\"x-yhwh\">Yahweh</divineName>."), "says Yahweh.");
}

TEST(CleanOsis, ParagraphAndLineMarkersSeparateWords) {
  EXPECT_EQ(CleanOsis("dunghill<l eID=\"gen1\" level=\"2\"/><l level=\"2\" sID=\"gen2\"/>to"), "dunghill to");
  EXPECT_EQ(CleanOsis("<div sID=\"gen4\" type=\"x-p\"/>In the<lb type=\"x-p\"/>end"), "In the end");
  EXPECT_EQ(CleanOsis("end.<milestone type=\"x-p\"/>"), "end.");
}

TEST(CleanOsis, TitlesAreDropped) {
  EXPECT_EQ(CleanOsis("<title canonical=\"true\" type=\"psalm\">A Psalm by <w>David</w>."
                      "</title><w>Yahweh</w>, how"),
            "Yahweh, how");
}

TEST(CleanOsis, DecodesEntities) {
  EXPECT_EQ(CleanOsis("Moses &amp; Aaron &lt;&gt; &quot;x&quot; &apos;y&apos; &#233; &#xF1;"),
            "Moses & Aaron <> \"x\" 'y' é ñ");
  EXPECT_EQ(CleanOsis("AT&T &bogus; &"), "AT&T &bogus; &");
}

TEST(CleanOsis, NormalisesWhitespace) { EXPECT_EQ(CleanOsis("  In \t the\n beginning  "), "In the beginning"); }

TEST(CleanOsis, CutsEverythingAfterTheEndOfTheBook) {
  EXPECT_EQ(CleanOsis("with all the saints. Amen.  <chapter eID=\"Rev.22\"/><div eID=\"gen1\" "
                      "type=\"x-p\"/> <div canonical=\"true\" eID=\"gen35575\" osisID=\"Rev\" "
                      "type=\"book\"/> <div sID=\"gen35837\" type=\"glossary\"/> <title>World "
                      "English Bible Glossary</title> Abba Abba is a Chaldee word"),
            "with all the saints. Amen.");
}

TEST(CleanOsis, EmptyOrMarkupOnlyGivesEmpty) {
  EXPECT_EQ(CleanOsis(""), "");
  EXPECT_EQ(CleanOsis("<div sID=\"a\" type=\"x-p\"/> <note>only a note</note>"), "");
}

}  // namespace
}  // namespace nmt::datasets
