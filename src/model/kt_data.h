// Answer logs as the knowledge-tracing models see them: plain structure-of-arrays data with
// dense ids (the readers in ingest/kt_log.h fill it; the CLI moves the vectors across).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace pw::model {

// One answer per index, in time order within each student (students may be interleaved).
// Answer i has skills skills[skill_begin[i] .. skill_begin[i+1]).
struct KtData {
  std::vector<std::int32_t> student;
  std::vector<std::int32_t> item;
  std::vector<std::int64_t> time;  // seconds; all 0 when unknown
  std::vector<std::uint8_t> correct;
  std::vector<std::int32_t> skill_begin{0};
  std::vector<std::int32_t> skills;
  // Id space sizes (shared by train and test of one job): ids are < these.
  std::int32_t n_students = 0, n_items = 0, n_skills = 0;
  bool has_time = false;

  std::size_t size() const { return correct.size(); }
  void Add(std::int32_t s, std::int32_t it, std::int64_t t, bool c,
           std::initializer_list<std::int32_t> ks) {
    student.push_back(s);
    item.push_back(it);
    time.push_back(t);
    correct.push_back(c ? 1 : 0);
    skills.insert(skills.end(), ks.begin(), ks.end());
    skill_begin.push_back(static_cast<std::int32_t>(skills.size()));
    if (s >= n_students) n_students = s + 1;
    if (it >= n_items) n_items = it + 1;
    for (auto k : ks) {
      if (k >= n_skills) n_skills = k + 1;
    }
    if (t != 0) has_time = true;
  }
};

}  // namespace pw::model
