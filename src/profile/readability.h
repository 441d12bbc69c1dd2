// Readability of plain English text: the Flesch–Kincaid grade level (Kincaid et al. 1975),
//   0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59,
// used to keep the guardian report at a reading grade of 8 or below.
//
// Words are runs of letters (with inner apostrophes or hyphens); a token with digits (a
// date, "6.EE.A.2") counts as one word of one syllable. Sentences end at '.', '!' or '?'
// followed by a space or the end, and at a line break after words (list items, headings).
// Syllables are vowel groups (y counts as a vowel after the first letter), less a silent
// final "e" (but not "-le"), at least one per word.
#pragma once

#include <string_view>

namespace pw::profile {

struct TextStats {
  int words = 0, sentences = 0, syllables = 0;
};

int CountSyllables(std::string_view word);
TextStats MeasureText(std::string_view text);
// 0 for text without words.
double FleschKincaidGrade(std::string_view text);

}  // namespace pw::profile
