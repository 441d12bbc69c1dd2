#include "profile/readability.h"

#include <cctype>

namespace pw::profile {
namespace {

bool IsVowel(char c, bool first) {
  switch (std::tolower(static_cast<unsigned char>(c))) {
    case 'a': case 'e': case 'i': case 'o': case 'u': return true;
    case 'y': return !first;
    default: return false;
  }
}

bool IsLetter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

}  // namespace

int CountSyllables(std::string_view word) {
  int count = 0;
  bool prev_vowel = false;
  int letters = 0;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (!IsLetter(word[i])) {
      prev_vowel = false;
      continue;
    }
    ++letters;
    const bool v = IsVowel(word[i], letters == 1);
    if (v && !prev_vowel) ++count;
    prev_vowel = v;
  }
  // Silent final e ("make"), but not "-le" ("table") or a lone vowel group ("the").
  const std::size_t n = word.size();
  if (n >= 3 && std::tolower(static_cast<unsigned char>(word[n - 1])) == 'e' &&
      std::tolower(static_cast<unsigned char>(word[n - 2])) != 'l' && count > 1 &&
      !IsVowel(word[n - 2], false)) {
    --count;
  }
  return count < 1 ? 1 : count;
}

TextStats MeasureText(std::string_view text) {
  TextStats stats;
  bool words_in_sentence = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (c == '\n' && words_in_sentence) {
        ++stats.sentences;
        words_in_sentence = false;
      }
      ++i;
      continue;
    }
    // A token: up to the next space.
    std::size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    std::string_view token = text.substr(i, j - i);
    i = j;
    // Strip leading and trailing punctuation; remember a sentence end.
    bool ends = false;
    while (!token.empty() && !std::isalnum(static_cast<unsigned char>(token.back()))) {
      if (token.back() == '.' || token.back() == '!' || token.back() == '?') ends = true;
      token.remove_suffix(1);
    }
    while (!token.empty() && !std::isalnum(static_cast<unsigned char>(token.front()))) {
      token.remove_prefix(1);
    }
    if (!token.empty()) {
      bool digits = false;
      for (char ch : token) digits = digits || std::isdigit(static_cast<unsigned char>(ch));
      ++stats.words;
      stats.syllables += digits ? 1 : CountSyllables(token);
      words_in_sentence = true;
    }
    if (ends && words_in_sentence) {
      ++stats.sentences;
      words_in_sentence = false;
    }
  }
  if (words_in_sentence) ++stats.sentences;
  return stats;
}

double FleschKincaidGrade(std::string_view text) {
  const TextStats s = MeasureText(text);
  if (s.words == 0) return 0;
  return 0.39 * static_cast<double>(s.words) / s.sentences +
         11.8 * static_cast<double>(s.syllables) / s.words - 15.59;
}

}  // namespace pw::profile
