#include "sim/learner_model.h"

#include <gtest/gtest.h>

#include "sim/event_log.h"
#include "testing/test_util.h"

namespace pw::sim {
namespace {

// Every competency parameter fixed, items all of average difficulty and quality.
LearnerModelOptions FixedOptions() {
  LearnerModelOptions o;
  o.prior_min = o.prior_max = 0.2;
  o.learn_min = o.learn_max = 0.3;
  o.guess_min = o.guess_max = 0.2;
  o.slip_min = o.slip_max = 0.1;
  o.forget_min = o.forget_max = 0.0;
  o.item_difficulty_sd = 0;
  o.poor_fraction = 0;
  o.quality_min = o.quality_max = 1;
  return o;
}

TEST(LearnerModelTest, CorrectRateIsOneMinusSlipWhenKnownAndGuessWhenNot) {
  SimpleSimOptions o{.students = 300, .skills = 20, .events_per_student = 300};
  o.learner = FixedOptions();
  Result<EventBatch> ev = SimulateEvents(o, 5);
  PW_ASSERT_OK(ev);
  double n[2] = {0, 0}, c[2] = {0, 0};
  for (std::size_t i = 0; i < ev->size(); ++i) {
    n[ev->known[i]] += 1;
    c[ev->known[i]] += ev->correct[i];
  }
  ASSERT_GT(n[0], 20000);
  ASSERT_GT(n[1], 20000);
  EXPECT_NEAR(c[1] / n[1], 0.9, 0.01);  // 1 - slip
  EXPECT_NEAR(c[0] / n[0], 0.2, 0.01);  // guess
}

TEST(LearnerModelTest, ItemDifficultyShiftsGuessAndSlip) {
  SkillParams skill{.prior = 0.2, .learn = 0.3, .guess = 0.2, .slip = 0.1, .forget = 0};
  Item easy{.difficulty = -1}, hard{.difficulty = 1};
  PrepareItem(skill, &easy);
  PrepareItem(skill, &hard);
  EXPECT_GT(easy.p_correct_known, hard.p_correct_known);
  EXPECT_GT(easy.p_correct_unknown, hard.p_correct_unknown);
}

// A -> B; the student's knowledge of A decides how fast B is learned.
struct TwoSkills {
  CompetencyGraph graph;
  LearnerPopulation pop;
  LearnerModelOptions options = FixedOptions();
  TwoSkills() {
    std::vector<Competency> cs(2);
    cs[0].id = 1;
    cs[0].code = std::string("A");
    cs[1].id = 2;
    cs[1].code = std::string("B");
    graph = *CompetencyGraph::Build(cs, {{1, 2, EdgeKind::kPrerequisite}});
    options.prior_min = options.prior_max = 0.0;
    options.struggling_fraction = 0;
    Rng rng(1);
    pop = DrawPopulation(options, graph, 1, rng);
    pop.student[0].learn_rate = 1;
  }
};

TEST(LearnerModelTest, PrerequisitesGateLearning) {
  TwoSkills w;
  Learner learner(w.graph, w.pop, w.options);
  Item a{.skill = 0}, b{.skill = 1};
  PrepareItem(w.pop.skill[0], &a);
  PrepareItem(w.pop.skill[1], &b);
  Rng rng(9);
  const int trials = 4000;
  int learned_gated = 0, learned_open = 0;
  for (int i = 0; i < trials; ++i) {
    learner.Reset(0);
    learner.Answer(0, b, rng.Next(), Timestamp{0}, nullptr);
    learned_gated += learner.known(1);

    learner.Reset(0);
    while (!learner.known(0)) learner.Answer(0, a, rng.Next(), Timestamp{0}, nullptr);
    EXPECT_EQ(learner.unknown_prerequisites(1), 0);
    learner.Answer(0, b, rng.Next(), Timestamp{0}, nullptr);
    learned_open += learner.known(1);
  }
  // P(learn B) = 0.3 with A known, 0.3 * 0.05 = 0.015 without.
  EXPECT_NEAR(learned_open / double(trials), 0.3, 0.03);
  EXPECT_NEAR(learned_gated / double(trials), 0.015, 0.008);
}

TEST(LearnerModelTest, ForgottenPrerequisitesAreRehearsedByPractice) {
  TwoSkills w;
  w.options.forget_min = w.options.forget_max = 1.0;  // A is forgotten on its next answer
  Rng rng(1);
  w.pop = DrawPopulation(w.options, w.graph, 1, rng);
  Learner learner(w.graph, w.pop, w.options);
  Item a{.skill = 0}, b{.skill = 1};
  PrepareItem(w.pop.skill[0], &a);
  PrepareItem(w.pop.skill[1], &b);
  std::vector<KnowledgeChange> changes;
  learner.Reset(0);
  while (!learner.known(0)) learner.Answer(0, a, rng.Next(), Timestamp{0}, &changes);
  learner.Answer(0, a, rng.Next(), Timestamp{10}, &changes);
  ASSERT_FALSE(learner.known(0));  // forgotten
  int answers = 0;
  while (!learner.known(0) && answers < 100) {
    learner.Answer(0, b, rng.Next(), Timestamp{20}, &changes);
    ++answers;
  }
  EXPECT_TRUE(learner.known(0)) << "practice on B rehearses A";
  EXPECT_LT(answers, 40);
}

TEST(LearnerModelTest, AbilityRaisesInitialKnowledgeAndStrugglersAreLowerAbility) {
  Rng rng(2);
  Result<CompetencyGraph> g = GenerateFrameworkGraph({.competencies = 30}, rng);
  PW_ASSERT_OK(g);
  LearnerModelOptions o;
  LearnerPopulation pop = DrawPopulation(o, *g, 2000, rng);
  double known_sum = 0, known_n = 0, unknown_sum = 0, unknown_n = 0;
  double strug_sum = 0, strug_n = 0;
  for (int s = 0; s < pop.students; ++s) {
    const double a = pop.student[s].ability;
    EXPECT_GE(pop.student[s].learn_rate, o.learn_rate_min);
    EXPECT_LE(pop.student[s].learn_rate, o.learn_rate_max);
    if (pop.student[s].struggling) strug_sum += a, strug_n += 1;
    for (int c = 0; c < pop.skills; ++c) {
      if (pop.non_learner[pop.Pair(s, c)]) {
        EXPECT_TRUE(pop.student[s].struggling);
        EXPECT_FALSE(pop.initially_known[pop.Pair(s, c)]);
      }
      if (pop.initially_known[pop.Pair(s, c)]) {
        known_sum += a, known_n += 1;
      } else {
        unknown_sum += a, unknown_n += 1;
      }
    }
  }
  EXPECT_GT(known_sum / known_n, unknown_sum / unknown_n + 0.3);
  EXPECT_LT(strug_sum / strug_n, -0.1);
  EXPECT_NEAR(strug_n / pop.students, 0.2, 0.05);
}

TEST(LearnerModelTest, NonLearnersNeverLearnAndSpinTheirWheels) {
  SimpleSimOptions o{.students = 1000, .skills = 50, .events_per_student = 200};
  GroundTruth truth;
  Result<EventBatch> ev = SimulateEvents(o, 7, &truth);
  PW_ASSERT_OK(ev);
  int practised = 0;
  for (auto [sid, cid] : truth.NonLearners()) {
    const int s = truth.StudentIndex(sid), c = truth.CompetencyIndex(cid);
    EXPECT_FALSE(truth.InitiallyKnown(s, c));
    EXPECT_TRUE(truth.Changes(s, c).empty());
    practised += truth.Attempts(s, c) >= 20 ? 1 : 0;
  }
  EXPECT_GT(practised, 200) << "non-learners reach the competencies they cannot learn";
}

// A plain stuck rule (>= 20 answers on a competency, fewer than half of the last 5 right)
// finds the true non-learners with precision and recall >= 0.8: the signal a later stuck
// flag needs is there, and ordinary learners rarely look stuck.
TEST(LearnerModelTest, NonLearnersAreDetectableByASimpleStuckRule) {
  SimpleSimOptions o{.students = 1000, .skills = 50, .events_per_student = 200};
  GroundTruth truth;
  Result<EventBatch> ev = SimulateEvents(o, 8, &truth);
  PW_ASSERT_OK(ev);
  const int k = truth.competencies();
  std::vector<std::vector<std::uint8_t>> answers(static_cast<std::size_t>(truth.students()) * k);
  for (std::size_t i = 0; i < ev->size(); ++i) {
    const int s = truth.StudentIndex(ev->student_id[i]);
    const int c = truth.CompetencyIndex(ev->skill_id[i]);
    answers[static_cast<std::size_t>(s) * k + c].push_back(ev->correct[i]);
  }
  int tp = 0, fp = 0, fn = 0;
  for (int s = 0; s < truth.students(); ++s) {
    for (int c = 0; c < k; ++c) {
      const auto& a = answers[static_cast<std::size_t>(s) * k + c];
      int last5 = 0;
      for (std::size_t i = a.size() >= 5 ? a.size() - 5 : 0; i < a.size(); ++i) last5 += a[i];
      const bool flagged = a.size() >= 20 && last5 * 2 < 5;
      const bool real = truth.IsNonLearner(s, c) && !a.empty();
      tp += flagged && real;
      fp += flagged && !real;
      fn += !flagged && real;
    }
  }
  ASSERT_GT(tp, 100);
  EXPECT_GE(tp / double(tp + fp), 0.8) << "tp " << tp << " fp " << fp;
  EXPECT_GE(tp / double(tp + fn), 0.8) << "tp " << tp << " fn " << fn;
}

// With PureBkt options the log is plain BKT: the share of students knowing a skill at the
// start is the prior, and per answer while unknown the learning rate is `learn`, per answer
// while known the forgetting rate is `forget`.
TEST(LearnerModelTest, PureBktRecoversItsParametersFromTheTruth) {
  SimpleSimOptions o{.students = 2000, .skills = 10, .events_per_student = 100};
  o.learner = LearnerModelOptions::PureBkt(0.3, 0.2, 0.25, 0.1, 0.02);
  GroundTruth truth;
  Result<EventBatch> ev = SimulateEvents(o, 11, &truth);
  PW_ASSERT_OK(ev);
  double init = 0, learned = 0, forgot = 0;
  for (int s = 0; s < truth.students(); ++s) {
    EXPECT_FALSE(truth.student(s).struggling);
    for (int c = 0; c < truth.competencies(); ++c) {
      init += truth.InitiallyKnown(s, c);
      for (const KnowledgeChange& ch : truth.Changes(s, c)) (ch.known ? learned : forgot) += 1;
    }
  }
  double answers_unknown = 0, answers_known = 0, correct_unknown = 0, correct_known = 0;
  for (std::size_t i = 0; i < ev->size(); ++i) {
    (ev->known[i] ? answers_known : answers_unknown) += 1;
    (ev->known[i] ? correct_known : correct_unknown) += ev->correct[i];
  }
  EXPECT_NEAR(init / (2000.0 * 10), 0.3, 0.015);
  EXPECT_NEAR(learned / answers_unknown, 0.2, 0.01);
  EXPECT_NEAR(forgot / answers_known, 0.02, 0.003);
  EXPECT_NEAR(correct_unknown / answers_unknown, 0.25, 0.01);
  EXPECT_NEAR(correct_known / answers_known, 0.9, 0.005);
}

TEST(LearnerModelTest, ForgettingHappensOnlyWhenItIsOn) {
  SimpleSimOptions o{.students = 200, .skills = 20, .events_per_student = 200};
  auto forgets = [&](double f) {
    o.learner.forget_min = o.learner.forget_max = f;
    GroundTruth truth;
    EXPECT_TRUE(SimulateEvents(o, 3, &truth).ok());
    int n = 0;
    for (int s = 0; s < truth.students(); ++s) {
      for (int c = 0; c < truth.competencies(); ++c) {
        for (const KnowledgeChange& ch : truth.Changes(s, c)) n += ch.known ? 0 : 1;
      }
    }
    return n;
  };
  EXPECT_EQ(forgets(0.0), 0);
  EXPECT_GT(forgets(0.05), 100);
}

}  // namespace
}  // namespace pw::sim
