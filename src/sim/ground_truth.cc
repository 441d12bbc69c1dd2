#include "sim/ground_truth.h"

#include <algorithm>
#include <limits>

namespace pw::sim {

GroundTruth::GroundTruth(std::vector<Id> student_ids, std::vector<Id> competency_ids,
                         LearnerPopulation pop, std::vector<KnowledgeChange> changes,
                         std::vector<std::int32_t> attempts)
    : student_ids_(std::move(student_ids)),
      competency_ids_(std::move(competency_ids)),
      pop_(std::move(pop)),
      attempts_(std::move(attempts)) {
  for (int s = 0; s < students(); ++s) student_index_.emplace(student_ids_[s], s);
  for (int c = 0; c < competencies(); ++c) competency_index_.emplace(competency_ids_[c], c);
  // Counting sort by pair; stable, so each pair keeps the time order it was given in.
  const std::size_t pairs = static_cast<std::size_t>(students()) * competencies();
  offsets_.assign(pairs + 1, 0);
  for (const KnowledgeChange& ch : changes) ++offsets_[pop_.Pair(ch.student, ch.skill) + 1];
  for (std::size_t i = 0; i < pairs; ++i) offsets_[i + 1] += offsets_[i];
  changes_.resize(changes.size());
  std::vector<std::uint32_t> next(offsets_.begin(), offsets_.end() - 1);
  for (const KnowledgeChange& ch : changes) changes_[next[pop_.Pair(ch.student, ch.skill)]++] = ch;
  for (std::size_t i = 0; i < pairs; ++i) {
    std::stable_sort(
        changes_.begin() + offsets_[i], changes_.begin() + offsets_[i + 1],
        [](const KnowledgeChange& a, const KnowledgeChange& b) { return a.time < b.time; });
  }
}

int GroundTruth::StudentIndex(Id id) const {
  auto it = student_index_.find(id);
  return it == student_index_.end() ? -1 : it->second;
}

int GroundTruth::CompetencyIndex(Id id) const {
  auto it = competency_index_.find(id);
  return it == competency_index_.end() ? -1 : it->second;
}

std::span<const KnowledgeChange> GroundTruth::Changes(int s, int c) const {
  const std::size_t p = pop_.Pair(s, c);
  return std::span<const KnowledgeChange>(changes_.data() + offsets_[p],
                                          offsets_[p + 1] - offsets_[p]);
}

bool GroundTruth::KnewByIndex(int s, int c, Timestamp t) const {
  std::span<const KnowledgeChange> ch = Changes(s, c);
  // The last change at or before t decides; none means the initial state.
  auto it = std::upper_bound(ch.begin(), ch.end(), t,
                             [](Timestamp v, const KnowledgeChange& k) { return v < k.time; });
  if (it == ch.begin()) return InitiallyKnown(s, c);
  return std::prev(it)->known;
}

bool GroundTruth::Knew(Id student_id, Id competency_id, Timestamp t) const {
  const int s = StudentIndex(student_id);
  const int c = CompetencyIndex(competency_id);
  if (s < 0 || c < 0) return false;
  return KnewByIndex(s, c, t);
}

bool GroundTruth::KnownAtEnd(int s, int c) const {
  std::span<const KnowledgeChange> ch = Changes(s, c);
  return ch.empty() ? InitiallyKnown(s, c) : ch.back().known;
}

std::optional<Timestamp> GroundTruth::FirstKnown(int s, int c) const {
  if (InitiallyKnown(s, c)) return Timestamp{std::numeric_limits<std::int64_t>::min()};
  for (const KnowledgeChange& ch : Changes(s, c)) {
    if (ch.known) return ch.time;
  }
  return std::nullopt;
}

std::vector<std::pair<Id, Id>> GroundTruth::NonLearners() const { return NonLearners(0); }

std::vector<std::pair<Id, Id>> GroundTruth::NonLearners(int min_attempts) const {
  std::vector<std::pair<Id, Id>> out;
  for (int s = 0; s < students(); ++s) {
    for (int c = 0; c < competencies(); ++c) {
      if (IsNonLearner(s, c) && Attempts(s, c) >= min_attempts) {
        out.emplace_back(student_ids_[s], competency_ids_[c]);
      }
    }
  }
  return out;
}

}  // namespace pw::sim
