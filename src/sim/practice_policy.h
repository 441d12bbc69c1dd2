// The simulated students' practice policy: what the next answer is about.
//
// A student practises one competency at a time until `mastery_streak` correct answers in a
// row (it is then "passed") or `attempt_cap` answers without that (it is "given up"), then
// moves to a competency from the ready-to-learn fringe: not yet passed, every prerequisite
// passed. Prerequisites outside the policy's scope count as passed (a course assumes the
// earlier grades). When the fringe is empty, a given-up competency is tried again (at most
// max_visits visits in all, then it is abandoned); when nothing is left, the student only
// reviews. Independently, each answer is a review of a
// random passed competency with probability `review_probability`.
//
// The policy sees only answers, never the latent state: it is what a simple mastery-learning
// tutor would do, so a non-learner spins its wheels for attempt_cap answers per visit.
#pragma once

#include <cstdint>
#include <vector>

#include "core/competency_graph.h"
#include "core/random.h"

namespace pw::sim {

struct PracticePolicyOptions {
  int mastery_streak = 4;           // correct in a row to pass a competency
  int attempt_cap = 20;             // answers per visit before giving up on it
  double review_probability = 0.1;  // chance an answer reviews a passed competency
  int max_visits = 2;  // visits to a competency before it is abandoned (left to the teacher)
};

class PracticePolicy {
 public:
  enum Status : std::uint8_t { kOpen = 0, kPassed = 1, kGivenUp = 2, kOutOfScope = 3 };

  // `in_scope` empty means every competency.
  PracticePolicy(const CompetencyGraph& graph, const PracticePolicyOptions& options,
                 std::vector<bool> in_scope = {});

  // Starts a new student; `rng` picks the first competency.
  void Reset(Rng& rng);

  // The competency the next answer is about. `bits` are 32 random bits (used only to decide
  // and pick a review). Returns -1 when there is nothing in scope at all.
  int Choose(std::uint32_t bits) {
    last_was_review_ = false;
    if (!passed_list_.empty() && (current_ < 0 || bits < review_threshold_)) {
      last_was_review_ = true;
      const std::uint64_t scaled =
          current_ < 0 ? (static_cast<std::uint64_t>(bits) * passed_list_.size()) >> 32
                       : static_cast<std::uint64_t>(bits) * passed_list_.size() / review_threshold_;
      return passed_list_[scaled];
    }
    return current_;
  }

  // Records the answer to the competency Choose returned; may move to the next one (`rng`
  // picks it).
  void Record(bool correct, Rng& rng) {
    if (last_was_review_ || current_ < 0) return;
    ++attempts_;
    streak_ = correct ? streak_ + 1 : 0;
    if (streak_ >= options_.mastery_streak) {
      Pass(current_);
      Advance(rng);
    } else if (attempts_ >= options_.attempt_cap) {
      status_[current_] = kGivenUp;
      if (++visits_[current_] < options_.max_visits) given_up_.push_back(current_);
      Advance(rng);
    }
  }

  int current() const { return current_; }
  Status status(int c) const { return static_cast<Status>(status_[c]); }
  int passed_count() const { return static_cast<int>(passed_list_.size()); }

 private:
  void Pass(int c);
  void Advance(Rng& rng);

  const CompetencyGraph& graph_;
  PracticePolicyOptions options_;
  std::vector<bool> in_scope_;
  std::uint32_t review_threshold_;
  std::vector<std::uint8_t> status_;
  std::vector<std::int32_t> unmet_;   // prerequisites in scope not yet passed
  std::vector<std::int32_t> visits_;  // visits that ended in giving up
  std::vector<int> ready_, passed_list_, given_up_;
  int current_ = -1;
  int attempts_ = 0;
  int streak_ = 0;
  bool last_was_review_ = false;
};

}  // namespace pw::sim
