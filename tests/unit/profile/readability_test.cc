#include "profile/readability.h"

#include <gtest/gtest.h>

namespace pw::profile {
namespace {

TEST(ReadabilityTest, Syllables) {
  EXPECT_EQ(CountSyllables("cat"), 1);
  EXPECT_EQ(CountSyllables("make"), 1);
  EXPECT_EQ(CountSyllables("table"), 2);
  EXPECT_EQ(CountSyllables("the"), 1);
  EXPECT_EQ(CountSyllables("reading"), 2);
  EXPECT_EQ(CountSyllables("competency"), 4);
  EXPECT_EQ(CountSyllables("understanding"), 4);
  EXPECT_EQ(CountSyllables("by"), 1);
}

TEST(ReadabilityTest, WordsAndSentences) {
  TextStats s = MeasureText("The cat sat. It was on 6.EE.A.2 today!\n- A list item\nEnd");
  EXPECT_EQ(s.words, 12);
  EXPECT_EQ(s.sentences, 4);
}

TEST(ReadabilityTest, KnownGrades) {
  // Simple text scores low, dense academic text high.
  EXPECT_LT(FleschKincaidGrade("The cat sat on the mat. The dog ran to the cat."), 2.0);
  EXPECT_GT(FleschKincaidGrade("Interpretation of multidimensional educational measurements "
                               "necessitates sophisticated psychometric methodologies, "
                               "particularly regarding differential item functioning."),
            16.0);
  // 0.39 * 6 + 11.8 * 1 - 15.59 for six one-syllable words in one sentence.
  EXPECT_NEAR(FleschKincaidGrade("The cat sat on the mat."), 0.39 * 6 + 11.8 - 15.59, 1e-9);
  EXPECT_EQ(FleschKincaidGrade(""), 0);
}

}  // namespace
}  // namespace pw::profile
