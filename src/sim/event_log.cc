#include "sim/event_log.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "sim/timestamp_text.h"

namespace pw::sim {

void EventBatch::Clear() {
  student_id.clear();
  skill_id.clear();
  item_id.clear();
  time_ms.clear();
  correct.clear();
  known.clear();
}

void EventBatch::Reserve(std::size_t n) {
  student_id.reserve(n);
  skill_id.reserve(n);
  item_id.reserve(n);
  time_ms.reserve(n);
  correct.reserve(n);
  known.reserve(n);
}

void EventBatch::Append(const EventBatch& o) {
  student_id.insert(student_id.end(), o.student_id.begin(), o.student_id.end());
  skill_id.insert(skill_id.end(), o.skill_id.begin(), o.skill_id.end());
  item_id.insert(item_id.end(), o.item_id.begin(), o.item_id.end());
  time_ms.insert(time_ms.end(), o.time_ms.begin(), o.time_ms.end());
  correct.insert(correct.end(), o.correct.begin(), o.correct.end());
  known.insert(known.end(), o.known.begin(), o.known.end());
}

Result<SimpleSimulation> SimpleSimulation::Create(const SimpleSimOptions& options,
                                                  std::uint64_t seed) {
  if (options.students < 1) {
    return InvalidArgumentError("students must be at least 1, got {}", options.students);
  }
  if (options.skills < 1) {
    return InvalidArgumentError("skills must be at least 1, got {}", options.skills);
  }
  if (options.events_per_student < 1) {
    return InvalidArgumentError("events per student must be at least 1, got {}",
                                options.events_per_student);
  }
  if (options.items_per_skill < 1 || options.session_events < 1 ||
      options.policy.mastery_streak < 1 || options.policy.attempt_cap < 1) {
    return InvalidArgumentError(
        "items_per_skill, session_events, mastery_streak and attempt_cap must be >= 1");
  }
  SimpleSimulation sim;
  sim.options_ = options;
  sim.seed_ = seed;
  // Separate streams for the framework, the population, the items and the students, so a
  // change in one part never shifts the numbers of another.
  Rng root(seed);
  Rng framework_rng = root.Fork(1);
  Rng population_rng = root.Fork(2);
  Rng item_rng = root.Fork(3);
  sim.student_seeds_ = root.Fork(4);
  FrameworkOptions fo = options.framework;
  fo.competencies = options.skills;
  PW_ASSIGN_OR_RETURN(CompetencyGraph g, GenerateFrameworkGraph(fo, framework_rng));
  sim.graph_ = std::make_unique<CompetencyGraph>(std::move(g));
  sim.pop_ = std::make_unique<LearnerPopulation>(
      DrawPopulation(options.learner, *sim.graph_, options.students, population_rng));
  sim.items_ = DrawItems(options.learner, *sim.pop_, options.items_per_skill, item_rng);
  return sim;
}

Status SimpleSimulation::Run(const std::function<void(const EventBatch&)>& sink) {
  if (ran_) return FailedPreconditionError("a SimpleSimulation runs only once");
  ran_ = true;
  const SimpleSimOptions& o = options_;
  const CompetencyGraph& g = *graph_;
  const int k = g.size();
  const std::int64_t m = o.events_per_student;
  const int per_skill = o.items_per_skill;

  Learner learner(g, *pop_, o.learner);
  PracticePolicy policy(g, o.policy);
  std::vector<KnowledgeChange> changes;
  std::vector<std::int32_t> attempts;
  if (o.keep_truth) {
    attempts.assign(static_cast<std::size_t>(o.students) * k, 0);
    changes.reserve(static_cast<std::size_t>(o.students) * k);
  }
  std::vector<std::int32_t> skill_ids(k);
  for (int c = 0; c < k; ++c) skill_ids[c] = static_cast<std::int32_t>(g.node(c).id);

  EventBatch batch;
  batch.student_id.resize(m);
  batch.skill_id.resize(m);
  batch.item_id.resize(m);
  batch.time_ms.resize(m);
  batch.correct.resize(m);
  batch.known.resize(m);

  constexpr std::int64_t kSessionStart = 15 * 3'600'000;   // 15:00
  constexpr std::uint64_t kSessionJitter = 3 * 3'600'000;  // up to 18:00
  constexpr std::int64_t kMinGap = 10'000;                 // 10 s between answers ...
  constexpr std::int64_t kGapRange = 60'000;               // ... to 70 s
  std::uint64_t draws = 0;
  for (int s = 0; s < o.students; ++s) {
    Rng rng = student_seeds_.Fork(static_cast<std::uint64_t>(s));
    learner.Reset(s);
    policy.Reset(rng);
    std::int32_t* attempts_row =
        o.keep_truth ? attempts.data() + static_cast<std::size_t>(s) * k : nullptr;
    std::vector<KnowledgeChange>* change_log = o.keep_truth ? &changes : nullptr;
    std::int32_t* out_student = batch.student_id.data();
    std::int32_t* out_skill = batch.skill_id.data();
    std::int32_t* out_item = batch.item_id.data();
    std::int64_t* out_time = batch.time_ms.data();
    std::uint8_t* out_correct = batch.correct.data();
    std::uint8_t* out_known = batch.known.data();
    const std::int32_t sid = s + 1;
    std::int64_t day = 0;
    std::int64_t t = 0;
    int session_left = 0;
    for (std::int64_t e = 0; e < m; ++e) {
      if (session_left == 0) {
        t = o.start.millis + day * kMillisPerDay + kSessionStart +
            static_cast<std::int64_t>(rng.Below(kSessionJitter));
        ++draws;
        ++day;
        session_left = o.session_events;
      }
      --session_left;
      const std::uint64_t r = rng.Next();
      const int c = policy.Choose(static_cast<std::uint32_t>(r));
      const int skill = c < 0 ? 0 : c;  // c < 0 cannot happen with every skill in scope
      const auto item_bits = static_cast<std::uint32_t>((r >> 32) & 0xFFFF);
      const auto gap_bits = static_cast<std::uint32_t>(r >> 48);
      const int j = static_cast<int>((item_bits * static_cast<std::uint32_t>(per_skill)) >> 16);
      const int item_index = skill * per_skill + j;
      const Item& item = items_[item_index];
      const bool known = learner.known(skill);
      const bool correct = learner.Answer(s, item, rng.Next(), Timestamp{t}, change_log);
      draws += 2;
      policy.Record(correct, rng);
      if (attempts_row != nullptr) ++attempts_row[skill];
      out_student[e] = sid;
      out_skill[e] = skill_ids[skill];
      out_item[e] = item_index + 1;
      out_time[e] = t;
      out_correct[e] = correct ? 1 : 0;
      out_known[e] = known ? 1 : 0;
      t += kMinGap + ((static_cast<std::int64_t>(gap_bits) * kGapRange) >> 16);
    }
    sink(batch);
  }
  draws_ = draws;
  if (o.keep_truth) {
    std::vector<Id> student_ids(o.students), competency_ids(k);
    for (int s = 0; s < o.students; ++s) student_ids[s] = s + 1;
    for (int c = 0; c < k; ++c) competency_ids[c] = g.node(c).id;
    truth_ = GroundTruth(std::move(student_ids), std::move(competency_ids), std::move(*pop_),
                         std::move(changes), std::move(attempts));
  }
  return OkStatus();
}

Result<EventBatch> SimulateEvents(const SimpleSimOptions& options, std::uint64_t seed,
                                  GroundTruth* truth) {
  SimpleSimOptions o = options;
  o.keep_truth = truth != nullptr;
  PW_ASSIGN_OR_RETURN(SimpleSimulation sim, SimpleSimulation::Create(o, seed));
  EventBatch all;
  all.Reserve(static_cast<std::size_t>(o.students) * o.events_per_student);
  PW_RETURN_IF_ERROR(sim.Run([&](const EventBatch& b) { all.Append(b); }));
  if (truth != nullptr) *truth = sim.truth();
  return all;
}

namespace {

char* AppendInt(char* p, std::int64_t v) { return std::to_chars(p, p + 24, v).ptr; }

}  // namespace

void AppendEventsCsv(const EventBatch& b, std::string* out) {
  TimestampText ts;
  const std::size_t n = b.size();
  std::size_t pos = out->size();
  // Each row is at most 3 * 11 + 24 + 4 + 6 separators and digits: 80 bytes is plenty.
  out->resize(pos + n * 80);
  char* p = out->data() + pos;
  for (std::size_t i = 0; i < n; ++i) {
    p = AppendInt(p, b.student_id[i]);
    *p++ = ',';
    p = AppendInt(p, b.skill_id[i]);
    *p++ = ',';
    p = AppendInt(p, b.item_id[i]);
    *p++ = ',';
    p = ts.Write(Timestamp{b.time_ms[i]}, p);
    *p++ = ',';
    *p++ = b.correct[i] ? '1' : '0';
    *p++ = ',';
    *p++ = b.known[i] ? '1' : '0';
    *p++ = '\n';
  }
  out->resize(static_cast<std::size_t>(p - out->data()));
}

void WriteTruthCsv(const GroundTruth& truth, std::ostream& out) {
  out << "student_id,skill_id,ability,learn_rate,struggling,prior,learn,guess,slip,forget,"
         "initially_known,non_learner,attempts,first_known,known_at_end\n";
  std::string line;
  for (int s = 0; s < truth.students(); ++s) {
    const StudentParams& sp = truth.student(s);
    for (int c = 0; c < truth.competencies(); ++c) {
      const SkillParams& kp = truth.skill(c);
      std::string first;
      if (std::optional<Timestamp> f = truth.FirstKnown(s, c)) {
        first =
            f->millis == std::numeric_limits<std::int64_t>::min() ? "start" : FormatTimestamp(*f);
      }
      line =
          fmt::format("{},{},{:.4f},{:.4f},{},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{},{},{},{},{}\n",
                      truth.student_id(s), truth.competency_id(c), sp.ability, sp.learn_rate,
                      sp.struggling ? 1 : 0, kp.prior, kp.learn, kp.guess, kp.slip, kp.forget,
                      truth.InitiallyKnown(s, c) ? 1 : 0, truth.IsNonLearner(s, c) ? 1 : 0,
                      truth.Attempts(s, c), first, truth.KnownAtEnd(s, c) ? 1 : 0);
      out << line;
    }
  }
}

}  // namespace pw::sim
