#include "sim/learner_model.h"

#include <algorithm>
#include <cmath>

namespace pw::sim {
namespace {

double Logit(double p) {
  p = std::clamp(p, 1e-9, 1 - 1e-9);
  return std::log(p / (1 - p));
}
double Sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

std::uint32_t Threshold(double p) {
  if (!(p > 0)) return 0;
  if (p >= 1) return 0xFFFFFFFFu;
  return static_cast<std::uint32_t>(p * 4294967296.0);
}

}  // namespace

LearnerModelOptions LearnerModelOptions::PureBkt(double prior, double learn, double guess,
                                                 double slip, double forget) {
  LearnerModelOptions o;
  o.prior_min = o.prior_max = prior;
  o.learn_min = o.learn_max = learn;
  o.guess_min = o.guess_max = guess;
  o.slip_min = o.slip_max = slip;
  o.forget_min = o.forget_max = forget;
  o.ability_sd = 0;
  o.learn_rate_log_sd = 0;
  o.learn_rate_min = o.learn_rate_max = 1;
  o.prior_without_prerequisites = 1;
  o.prerequisite_penalty = 1;
  o.struggling_fraction = 0;
  o.item_difficulty_sd = 0;
  o.poor_fraction = 0;
  o.quality_min = o.quality_max = 1;
  return o;
}

LearnerPopulation DrawPopulation(const LearnerModelOptions& o, const CompetencyGraph& graph,
                                 int students, Rng& rng,
                                 std::span<const double> prior_logit_shift) {
  LearnerPopulation pop;
  pop.students = std::max(students, 0);
  pop.skills = graph.size();
  pop.skill.resize(pop.skills);
  for (SkillParams& p : pop.skill) {
    p.prior = rng.Uniform(o.prior_min, o.prior_max);
    p.learn = rng.Uniform(o.learn_min, o.learn_max);
    p.guess = rng.Uniform(o.guess_min, o.guess_max);
    p.slip = rng.Uniform(o.slip_min, o.slip_max);
    p.forget = rng.Uniform(o.forget_min, o.forget_max);
  }
  // Each student draws from its own forked stream, so adding skills or options that consume
  // per-student numbers never shifts the other students.
  const std::size_t pairs = static_cast<std::size_t>(pop.students) * pop.skills;
  pop.student.resize(pop.students);
  pop.initially_known.assign(pairs, 0);
  pop.non_learner.assign(pairs, 0);
  std::vector<double> prior_logit(pop.skills);
  for (int c = 0; c < pop.skills; ++c) {
    prior_logit[c] =
        Logit(pop.skill[c].prior) +
        (prior_logit_shift.size() == static_cast<size_t>(pop.skills) ? prior_logit_shift[c] : 0.0);
  }
  const double struggling_logit = Logit(o.struggling_fraction);
  for (int s = 0; s < pop.students; ++s) {
    Rng srng = rng.Fork(static_cast<std::uint64_t>(s));
    StudentParams& sp = pop.student[s];
    sp.ability = srng.Normal(0, o.ability_sd);
    sp.learn_rate = std::clamp(std::exp(srng.Normal(0, o.learn_rate_log_sd)), o.learn_rate_min,
                               o.learn_rate_max);
    sp.struggling =
        o.struggling_fraction > 0 &&
        srng.Bernoulli(Sigmoid(struggling_logit - o.struggling_ability_slope * sp.ability));
    for (int c : graph.TopologicalOrder()) {
      const std::size_t pair = pop.Pair(s, c);
      const double u_nl = srng.Uniform();
      const double u_known = srng.Uniform();
      if (sp.struggling && u_nl < o.non_learner_fraction) {
        pop.non_learner[pair] = 1;
        continue;  // a wheel-spinner never starts out knowing the competency
      }
      double p = Sigmoid(prior_logit[c] + o.ability_prior_weight * sp.ability);
      for (int pre : graph.Prerequisites(c)) {
        if (!pop.initially_known[pop.Pair(s, pre)]) {
          p *= o.prior_without_prerequisites;
          break;
        }
      }
      pop.initially_known[pair] = u_known < p ? 1 : 0;
    }
  }
  return pop;
}

void PrepareItem(const SkillParams& skill, Item* item) {
  const double slip = Sigmoid(Logit(skill.slip) + item->difficulty);
  const double guess = Sigmoid(Logit(skill.guess) - item->difficulty);
  item->p_correct_known = Threshold(1 - slip);
  item->p_correct_unknown = Threshold(guess);
}

std::vector<Item> DrawItems(const LearnerModelOptions& o, const LearnerPopulation& pop,
                            int per_skill, Rng& rng) {
  std::vector<Item> items;
  items.reserve(static_cast<size_t>(pop.skills) * std::max(per_skill, 0));
  for (int c = 0; c < pop.skills; ++c) {
    for (int j = 0; j < per_skill; ++j) {
      Item it;
      it.skill = c;
      it.difficulty = o.item_difficulty_sd > 0 ? rng.Normal(0, o.item_difficulty_sd) : 0.0;
      it.quality = rng.Bernoulli(o.poor_fraction) ? o.poor_quality
                                                  : rng.Uniform(o.quality_min, o.quality_max);
      PrepareItem(pop.skill[c], &it);
      items.push_back(it);
    }
  }
  return items;
}

Learner::Learner(const CompetencyGraph& graph, const LearnerPopulation& pop,
                 const LearnerModelOptions& options)
    : graph_(graph),
      pop_(pop),
      penalty_(static_cast<float>(options.prerequisite_penalty)),
      non_learner_learn_(static_cast<float>(options.non_learner_learn)),
      forget_(pop.skills),
      known_(pop.skills),
      ever_known_(pop.skills),
      unknown_prereqs_(pop.skills),
      learn_(pop.skills) {
  for (int c = 0; c < pop.skills; ++c) forget_[c] = Threshold(pop.skill[c].forget);
}

void Learner::Reset(int s) {
  const int k = pop_.skills;
  const std::uint8_t* init = pop_.initially_known.data() + pop_.Pair(s, 0);
  const std::uint8_t* nl = pop_.non_learner.data() + pop_.Pair(s, 0);
  const double rate = pop_.student[s].learn_rate;
  for (int c = 0; c < k; ++c) {
    known_[c] = init[c];
    ever_known_[c] = init[c];
    float l = static_cast<float>(std::min(1.0, pop_.skill[c].learn * rate));
    if (nl[c]) l *= non_learner_learn_;
    learn_[c] = l;
  }
  for (int c = 0; c < k; ++c) {
    int unknown = 0;
    for (int pre : graph_.Prerequisites(c)) unknown += known_[pre] ? 0 : 1;
    unknown_prereqs_[c] = unknown;
  }
}

void Learner::Rehearse(int s, int c, std::uint64_t r, Timestamp t,
                       std::vector<KnowledgeChange>* changes) {
  // Fresh bits derived from r (SplitMix64's finalizer), so the caller's draws stay fixed.
  std::uint64_t z = r + 0x9E3779B97F4A7C15ULL;
  for (int pre : graph_.Prerequisites(c)) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    if (known_[pre] || !ever_known_[pre]) continue;
    if (static_cast<float>(z >> 40) * 0x1.0p-24f < learn_[pre]) SetKnown(s, pre, true, t, changes);
  }
}

void Learner::SetKnown(int s, int c, bool known, Timestamp t,
                       std::vector<KnowledgeChange>* changes) {
  known_[c] = known ? 1 : 0;
  if (known) ever_known_[c] = 1;
  for (int d : graph_.Dependents(c)) unknown_prereqs_[d] += known ? -1 : 1;
  if (changes != nullptr) {
    changes->push_back({static_cast<std::int32_t>(s), static_cast<std::int32_t>(c),
                        Timestamp{t.millis + 1}, known});
  }
}

}  // namespace pw::sim
