// The simulated learner: a latent known/unknown state per competency that evolves like
// Bayesian Knowledge Tracing with individual differences (docs/simulator.md has the prose).
//
//   LearnerPopulation pop = DrawPopulation(options, graph, /*students=*/100, rng);
//   Learner learner(graph, pop, options);
//   learner.Reset(student);
//   bool known_before = learner.known(skill);
//   bool correct = learner.Answer(student, skill, item, rng.Next(), t, &changes);
//
// Per competency c: prior, learn, guess, slip, forget. Per student s: ability (raises the
// chance of knowing a competency at the start), learning-rate multiplier, and whether the
// student is "struggling" (has non-learner competencies). Per (s, c): initially known, and
// non-learner (the student cannot learn c here: learning ~0, a wheel-spinner).
// Per answer on an item of c: P(correct) = 1 - slip_i if known, guess_i if not, where the
// item's difficulty shifts slip and guess on the logit scale; then, if known, forget with
// probability forget_c, else learn with probability
//   learn_c * learning_rate_s * quality_i * (prerequisite_penalty if any prerequisite unknown)
// (times non_learner_learn for a non-learner pair). While c is gated that way (penalty < 1),
// each of its prerequisites that the student knew once and forgot is relearned with
// probability learn_p * learning_rate_s per answer on c (practice on c rehearses its
// foundations).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/competency_graph.h"
#include "core/random.h"
#include "core/time.h"

namespace pw::sim {

// Every range is [min, max], drawn uniformly; set min == max to fix a parameter.
struct LearnerModelOptions {
  double prior_min = 0.05, prior_max = 0.35;  // P(known) at start for ability 0
  double learn_min = 0.25, learn_max = 0.45;  // P(learn) per practice opportunity
  double guess_min = 0.10, guess_max = 0.25;
  double slip_min = 0.05, slip_max = 0.15;
  double forget_min = 0.0, forget_max = 0.02;  // P(forget) per practice opportunity

  double ability_sd = 1.0;            // ability ~ Normal(0, ability_sd)
  double ability_prior_weight = 1.0;  // logit(prior) shift per unit of ability
  // Learning-rate multiplier ~ exp(Normal(0, sd)), clamped to [min, max].
  double learn_rate_log_sd = 0.3;
  double learn_rate_min = 0.8, learn_rate_max = 2.0;
  // Prior knowledge respects prerequisites: a competency whose prerequisite is unknown at
  // the start is known with prior * this.
  double prior_without_prerequisites = 0.3;
  // Learning multiplier while any prerequisite of the competency is unknown.
  double prerequisite_penalty = 0.05;

  // Wheel-spinners: a student is "struggling" with probability
  // sigmoid(logit(struggling_fraction) - struggling_ability_slope * ability); each
  // competency of a struggling student is a non-learner pair with probability
  // non_learner_fraction: never known at the start, learning multiplied by non_learner_learn.
  double struggling_fraction = 0.2;
  double struggling_ability_slope = 0.7;
  double non_learner_fraction = 0.35;
  double non_learner_learn = 0.0;

  // Items / activities: difficulty ~ Normal(0, sd) on the logit scale; quality (a learning
  // multiplier) is poor_quality for a poor_fraction of them, else uniform in
  // [quality_min, quality_max].
  double item_difficulty_sd = 0.5;
  double poor_fraction = 0.15;
  double poor_quality = 0.2;
  double quality_min = 0.8, quality_max = 1.2;

  // Plain BKT with one parameter set for every competency and student: no individual
  // differences, no gating, no non-learners, all items alike (quality 1, difficulty 0). For
  // parameter-recovery tests of the knowledge-tracing models.
  static LearnerModelOptions PureBkt(double prior, double learn, double guess, double slip,
                                     double forget = 0.0);
};

struct SkillParams {
  double prior = 0, learn = 0, guess = 0, slip = 0, forget = 0;
};

struct StudentParams {
  double ability = 0;
  double learn_rate = 1;
  bool struggling = false;
};

// Everything drawn before the first answer. Pair arrays are indexed s * skills + c, with
// c the competency's index in the graph.
struct LearnerPopulation {
  int students = 0;
  int skills = 0;
  std::vector<SkillParams> skill;
  std::vector<StudentParams> student;
  std::vector<std::uint8_t> initially_known;
  std::vector<std::uint8_t> non_learner;

  std::size_t Pair(int s, int c) const { return static_cast<std::size_t>(s) * skills + c; }
};

// Draws the competency and student parameters and the initial knowledge state.
// `prior_logit_shift` (empty, or one value per competency) is added to every student's prior
// logit for that competency; the school simulator uses it for competencies below or above the
// students' grade.
LearnerPopulation DrawPopulation(const LearnerModelOptions& options, const CompetencyGraph& graph,
                                 int students, Rng& rng,
                                 std::span<const double> prior_logit_shift = {});

// An item (or activity) a student answers, with its answer probabilities precomputed for the
// hot loop.
struct Item {
  int skill = 0;                        // competency index
  double difficulty = 0;                // logit shift: harder => more slips, fewer guesses
  double quality = 1;                   // learning multiplier
  std::uint32_t p_correct_known = 0;    // (1 - slip_i) * 2^32
  std::uint32_t p_correct_unknown = 0;  // guess_i * 2^32
};

// Fills the precomputed probabilities of `item` from its competency's guess and slip.
void PrepareItem(const SkillParams& skill, Item* item);

// Draws `per_skill` items for every competency (difficulty and quality as the options say);
// item j of competency c is at c * per_skill + j.
std::vector<Item> DrawItems(const LearnerModelOptions& options, const LearnerPopulation& pop,
                            int per_skill, Rng& rng);

// A change of latent state; it takes effect 1 ms after the answer that caused it, so that
// the state at the answer's own time is the state before it.
struct KnowledgeChange {
  std::int32_t student = 0;  // index
  std::int32_t skill = 0;    // index
  Timestamp time;
  bool known = false;
};

// The latent state of one student at a time (reused across students: no allocation per
// answer or per student once sized).
class Learner {
 public:
  Learner(const CompetencyGraph& graph, const LearnerPopulation& pop,
          const LearnerModelOptions& options);

  // Loads student s's initial state.
  void Reset(int s);
  bool known(int c) const { return known_[c] != 0; }
  int unknown_prerequisites(int c) const { return unknown_prereqs_[c]; }

  // One answer by the current student on `item`, using 64 random bits `r` (low half: the
  // answer; high half: the state transition). Returns whether it was correct; appends to
  // `changes` when the latent state changes.
  bool Answer(int s, const Item& item, std::uint64_t r, Timestamp t,
              std::vector<KnowledgeChange>* changes) {
    const int c = item.skill;
    const auto lo = static_cast<std::uint32_t>(r);
    const auto hi = static_cast<std::uint32_t>(r >> 32);
    const bool was_known = known_[c] != 0;
    const bool correct = lo < (was_known ? item.p_correct_known : item.p_correct_unknown);
    if (was_known) {
      if (hi < forget_[c]) SetKnown(s, c, false, t, changes);
    } else {
      float p = learn_[c] * static_cast<float>(item.quality);
      if (unknown_prereqs_[c] != 0 && penalty_ < 1.0f) {
        p *= penalty_;
        Rehearse(s, c, r, t, changes);
      }
      if (static_cast<float>(hi) * 0x1.0p-32f < p) SetKnown(s, c, true, t, changes);
    }
    return correct;
  }

 private:
  // Practice on c rehearses its forgotten prerequisites: each one the student once knew is
  // relearned with its own learning probability (a rare path: only while c is gated).
  void Rehearse(int s, int c, std::uint64_t r, Timestamp t, std::vector<KnowledgeChange>* changes);
  void SetKnown(int s, int c, bool known, Timestamp t, std::vector<KnowledgeChange>* changes);

  const CompetencyGraph& graph_;
  const LearnerPopulation& pop_;
  float penalty_;
  float non_learner_learn_;
  std::vector<std::uint32_t> forget_;  // per competency, * 2^32
  std::vector<std::uint8_t> known_;
  std::vector<std::uint8_t> ever_known_;
  std::vector<std::int32_t> unknown_prereqs_;
  std::vector<float> learn_;  // learn_c * learning rate (* non_learner_learn), current student
};

}  // namespace pw::sim
