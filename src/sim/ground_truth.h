// What the simulated students really knew, and when: the answer key that later issues
// (knowledge tracing, mastery states, stuck flags) score their estimates against.
//
//   const GroundTruth& truth = result.truth;
//   bool k = truth.Knew(student_id, competency_id, event.time);  // == that event's known flag
//   for (auto [student, competency] : truth.NonLearners()) ...
//
// Students and competencies are addressed either by index (0-based, the order the simulator
// used; competency index = index in the CompetencyGraph) or by id. A change of state caused
// by an answer takes effect 1 ms after that answer, so Knew(s, c, answer time) is the state
// just before the answer. Immutable once built; safe to share between threads.
#pragma once

#include <optional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "core/time.h"
#include "sim/learner_model.h"

namespace pw::sim {

class GroundTruth {
 public:
  GroundTruth() = default;
  // `changes` in time order per student; `attempts` per pair (s * K + c), may be empty.
  GroundTruth(std::vector<Id> student_ids, std::vector<Id> competency_ids, LearnerPopulation pop,
              std::vector<KnowledgeChange> changes, std::vector<std::int32_t> attempts);

  int students() const { return static_cast<int>(student_ids_.size()); }
  int competencies() const { return static_cast<int>(competency_ids_.size()); }
  Id student_id(int s) const { return student_ids_[s]; }
  Id competency_id(int c) const { return competency_ids_[c]; }
  // -1 when absent.
  int StudentIndex(Id id) const;
  int CompetencyIndex(Id id) const;

  const StudentParams& student(int s) const { return pop_.student[s]; }
  const SkillParams& skill(int c) const { return pop_.skill[c]; }
  const LearnerPopulation& population() const { return pop_; }

  bool InitiallyKnown(int s, int c) const { return pop_.initially_known[pop_.Pair(s, c)] != 0; }
  bool IsNonLearner(int s, int c) const { return pop_.non_learner[pop_.Pair(s, c)] != 0; }
  // Answers the student gave on items of the competency (practice and review).
  int Attempts(int s, int c) const { return attempts_.empty() ? 0 : attempts_[pop_.Pair(s, c)]; }

  // Whether the student knew the competency at time t, by ids; false when either id is
  // unknown.
  bool Knew(Id student_id, Id competency_id, Timestamp t) const;
  // The same by indices (named apart so an int id is never taken for an index).
  bool KnewByIndex(int s, int c, Timestamp t) const;
  bool KnownAtEnd(int s, int c) const;
  // The first time the student came to know it: nullopt if never; Timestamp{INT64_MIN} if
  // known from the start.
  std::optional<Timestamp> FirstKnown(int s, int c) const;
  // Every learned/forgotten change of this pair, in time order.
  std::span<const KnowledgeChange> Changes(int s, int c) const;

  // (student id, competency id) of every true non-learner pair, in index order.
  std::vector<std::pair<Id, Id>> NonLearners() const;
  // The same, only the pairs the student attempted at least `min_attempts` times (those a
  // stuck detector can possibly see).
  std::vector<std::pair<Id, Id>> NonLearners(int min_attempts) const;

 private:
  std::vector<Id> student_ids_, competency_ids_;
  std::unordered_map<Id, int> student_index_, competency_index_;
  LearnerPopulation pop_;
  std::vector<KnowledgeChange> changes_;  // grouped by pair, time order within a pair
  std::vector<std::uint32_t> offsets_;    // pair -> first change; size pairs + 1
  std::vector<std::int32_t> attempts_;
};

}  // namespace pw::sim
