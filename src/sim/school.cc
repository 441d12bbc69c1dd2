#include "sim/school.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <numeric>
#include <string_view>

namespace pw::sim {
namespace {

constexpr std::string_view kSource = "pathwise-sim";

constexpr std::array<std::string_view, 32> kGivenNames = {
    "Ava",  "Liam",   "Maya",  "Noah", "Zoe",  "Ethan", "Lucia", "Mateo", "Amara", "Kai",   "Priya",
    "Omar", "Hana",   "Diego", "Nia",  "Leo",  "Sofia", "Jamal", "Mei",   "Ivan",  "Aisha", "Theo",
    "Rosa", "Elijah", "Yuki",  "Sam",  "Ines", "Malik", "Freya", "Arjun", "Lena",  "Tomas"};
constexpr std::array<std::string_view, 32> kFamilyNames = {
    "Garcia", "Smith",   "Nguyen", "Johnson", "Okafor", "Patel",  "Kim",    "Brown",
    "Lopez",  "Chen",    "Davis",  "Haddad",  "Silva",  "Murphy", "Ivanov", "Khan",
    "Martin", "Rossi",   "Wilson", "Sato",    "Moreno", "Cohen",  "Novak",  "Ali",
    "Hughes", "Fischer", "Diaz",   "Mensah",  "Park",   "Larsen", "Costa",  "Reyes"};
constexpr std::array<std::string_view, 10> kTags = {"sports",  "money",   "music", "games",
                                                    "nature",  "cooking", "space", "art",
                                                    "animals", "building"};
constexpr std::array<std::string_view, 5> kIncidentCategories = {
    "disruption", "defiance", "peer conflict", "technology misuse", "tardy"};
constexpr std::array<std::string_view, 4> kSelScales = {"self-management", "growth-mindset",
                                                        "self-efficacy", "social-awareness"};
constexpr std::array<Modality, 6> kModalities = {
    Modality::kTeacherLed,         Modality::kSmallGroup, Modality::kCollaborative,
    Modality::kIndependentDigital, Modality::kTutoring,   Modality::kProject};
// Minutes [min, max] per modality, in kModalities order.
constexpr std::array<std::pair<int, int>, 6> kDurations = {
    {{20, 45}, {15, 30}, {20, 40}, {10, 25}, {15, 30}, {45, 90}}};

// Grade as a number ("KG" = 0), or nullopt.
std::optional<int> GradeNumber(std::string_view g) {
  if (g == "KG" || g == "K") return 0;
  int v = 0;
  auto [p, ec] = std::from_chars(g.data(), g.data() + g.size(), v);
  if (ec != std::errc() || p != g.data() + g.size()) return std::nullopt;
  return v;
}

std::string ClassLetter(int c) {
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('A' + c % 26));
    c = c / 26 - 1;
  } while (c >= 0);
  return s;
}

Status Validate(const SchoolOptions& o, const CompetencyGraph& framework) {
  if (o.schools < 1) return InvalidArgumentError("schools must be at least 1, got {}", o.schools);
  if (o.classes < o.schools) {
    return InvalidArgumentError("classes must be at least schools ({}), got {}", o.schools,
                                o.classes);
  }
  if (o.students < o.classes) {
    return InvalidArgumentError("students must be at least classes ({}), got {}", o.classes,
                                o.students);
  }
  if (o.weeks < 1) return InvalidArgumentError("weeks must be at least 1, got {}", o.weeks);
  if (o.term_weeks < o.weeks) {
    return InvalidArgumentError("term_weeks ({}) must be at least weeks ({})", o.term_weeks,
                                o.weeks);
  }
  if (framework.size() < 1) return InvalidArgumentError("the framework has no competencies");
  if (o.activities_per_competency < 1) {
    return InvalidArgumentError("activities_per_competency must be at least 1");
  }
  if (o.answers_per_day_min < 1 || o.answers_per_day_max < o.answers_per_day_min) {
    return InvalidArgumentError("answers per day must satisfy 1 <= min <= max, got {}..{}",
                                o.answers_per_day_min, o.answers_per_day_max);
  }
  if (o.sel_every_school_days < 1) {
    return InvalidArgumentError("sel_every_school_days must be at least 1");
  }
  if (o.policy.mastery_streak < 1 || o.policy.attempt_cap < 1) {
    return InvalidArgumentError("mastery_streak and attempt_cap must be at least 1");
  }
  return OkStatus();
}

struct Roster {
  int students, classes, teachers_first, guardians_first;
  int ClassOf(int s) const { return s % classes; }
};

}  // namespace

Result<SimulatedSchool> SimulateSchool(const SchoolOptions& o, const CompetencyGraph& framework,
                                       Rng& rng) {
  PW_RETURN_IF_ERROR(Validate(o, framework));
  Rng roster_rng = rng.Fork(1);
  Rng population_rng = rng.Fork(2);
  Rng activity_rng = rng.Fork(3);
  Rng student_rng = rng.Fork(4);

  SimulatedSchool out;
  const int k = framework.size();
  const int n = o.students;
  out.student_count = n;

  // School days: weekdays from the first weekday on or after `start`.
  Date day = o.start;
  while (Weekday(day) >= 5) ++day.days;
  const Date first_day = day;
  for (int i = 0; i < o.weeks * 5;) {
    if (Weekday(day) < 5) {
      out.school_days.push_back(day);
      ++i;
    }
    ++day.days;
  }

  // Organizations and the term.
  out.orgs.push_back(
      {1, "sim-district-1", "Pathwise Simulated District", OrgType::kDistrict, kNoId});
  for (int i = 0; i < o.schools; ++i) {
    out.orgs.push_back({2 + i, fmt::format("sim-school-{}", i + 1),
                        fmt::format("Simulated Middle School {}", i + 1), OrgType::kSchool, 1});
  }
  auto school_of_class = [&](int c) -> Id { return 2 + c % o.schools; };
  {
    AcademicSession term;
    term.id = 1;
    term.source_id = "sim-term-1";
    term.start = first_day;
    term.end = Date{first_day.days + o.term_weeks * 7 - 3};  // a Friday
    int y;
    unsigned m, d;
    CivilFromDate(first_day, &y, &m, &d);
    term.school_year = m >= 7 ? y + 1 : y;
    term.title = fmt::format("Term from {}", FormatDate(first_day));
    term.type = SessionType::kTerm;
    out.sessions.push_back(term);
  }
  const AcademicSession& term = out.sessions.front();

  // People: students 1..n, teachers, then guardians.
  const Roster roster{n, o.classes, n + 1, n + o.classes + 1};
  for (int s = 0; s < n; ++s) {
    Person p;
    p.id = s + 1;
    p.source_id = fmt::format("sim-student-{}", p.id);
    p.given_name = std::string(kGivenNames[roster_rng.Below(kGivenNames.size())]);
    p.family_name = std::string(kFamilyNames[roster_rng.Below(kFamilyNames.size())]);
    p.role = Role::kStudent;
    p.email = fmt::format("sim-student-{}@students.example.org", p.id);
    p.grade = o.grade;
    p.org_id = school_of_class(roster.ClassOf(s));
    out.people.push_back(std::move(p));
  }
  for (int c = 0; c < o.classes; ++c) {
    Person p;
    p.id = roster.teachers_first + c;
    p.source_id = fmt::format("sim-teacher-{}", c + 1);
    p.given_name = std::string(kGivenNames[roster_rng.Below(kGivenNames.size())]);
    p.family_name = std::string(kFamilyNames[roster_rng.Below(kFamilyNames.size())]);
    p.role = Role::kTeacher;
    p.email = fmt::format("sim-teacher-{}@staff.example.org", c + 1);
    p.org_id = school_of_class(c);
    out.people.push_back(std::move(p));
  }
  Id next_person = roster.guardians_first;
  for (int s = 0; s < n; ++s) {
    const int count = roster_rng.Bernoulli(0.6) ? 1 : 2;
    for (int g = 0; g < count; ++g) {
      Person p;
      p.id = next_person++;
      p.source_id = fmt::format("sim-guardian-{}", p.id - roster.guardians_first + 1);
      p.given_name = std::string(kGivenNames[roster_rng.Below(kGivenNames.size())]);
      p.family_name = out.people[s].family_name;
      p.role = Role::kGuardian;
      p.email = fmt::format("{}@family.example.org", p.source_id);
      p.org_id = out.people[s].org_id;
      out.guardian_links.push_back(
          {p.id, out.people[s].id, roster_rng.Bernoulli(0.9) ? "parent" : "guardian"});
      out.people.push_back(std::move(p));
    }
  }

  // Courses (one per class) and classes; the required competencies are those of the grade.
  std::vector<Id> required;
  std::vector<bool> in_scope(k, false);
  for (int c = 0; c < k; ++c) {
    if (framework.node(c).grade == o.grade) {
      required.push_back(framework.node(c).id);
      in_scope[c] = true;
    }
  }
  if (required.empty()) {
    for (int c = 0; c < k; ++c) required.push_back(framework.node(c).id);
    in_scope.assign(k, true);
  }
  for (int c = 0; c < o.classes; ++c) {
    const std::string letter = ClassLetter(c);
    Course course;
    course.id = c + 1;
    course.source_id = fmt::format("sim-course-{}", c + 1);
    course.title = fmt::format("Grade {} Mathematics ({})", o.grade, letter);
    course.code = fmt::format("MATH{}-{}", o.grade, letter);
    course.org_id = school_of_class(c);
    course.framework_id = framework.node(0).framework_id;
    course.required_competencies = required;
    out.courses.push_back(std::move(course));

    ClassSection cls;
    cls.id = c + 1;
    cls.source_id = fmt::format("sim-class-{}", c + 1);
    cls.title = fmt::format("Math {} {}", o.grade, letter);
    cls.course_id = c + 1;
    cls.school_id = school_of_class(c);
    cls.session_id = term.id;
    cls.period = std::to_string(c / o.schools % 6 + 1);
    out.classes.push_back(std::move(cls));
  }
  for (int c = 0; c < o.classes; ++c) {
    Enrollment e;
    e.id = static_cast<Id>(out.enrollments.size()) + 1;
    e.source_id = fmt::format("sim-enrollment-{}", e.id);
    e.class_id = c + 1;
    e.person_id = roster.teachers_first + c;
    e.role = EnrollmentRole::kTeacher;
    e.primary = true;
    e.begin = term.start;
    e.end = term.end;
    out.enrollments.push_back(std::move(e));
    for (int s = c; s < n; s += o.classes) {
      Enrollment se;
      se.id = static_cast<Id>(out.enrollments.size()) + 1;
      se.source_id = fmt::format("sim-enrollment-{}", se.id);
      se.class_id = c + 1;
      se.person_id = s + 1;
      se.role = EnrollmentRole::kStudent;
      se.begin = term.start;
      se.end = term.end;
      out.enrollments.push_back(std::move(se));
    }
  }

  // The learners: competencies below the students' grade are likelier known at the start,
  // those above less likely.
  std::vector<double> shift(k, 0.0);
  if (std::optional<int> sg = GradeNumber(o.grade)) {
    for (int c = 0; c < k; ++c) {
      if (std::optional<int> cg = GradeNumber(framework.node(c).grade)) {
        shift[c] = 1.5 * std::clamp(*sg - *cg, -2, 2);
      }
    }
  }
  LearnerPopulation pop = DrawPopulation(o.learner, framework, n, population_rng, shift);

  // Activities: activities_per_competency per competency, varied in modality, length,
  // difficulty, topic and quality.
  std::vector<Item> items;
  const int per = o.activities_per_competency;
  for (int c = 0; c < k; ++c) {
    const Competency& comp = framework.node(c);
    for (int j = 0; j < per; ++j) {
      const int mi = static_cast<int>(activity_rng.Below(kModalities.size()));
      Activity a;
      a.id = static_cast<Id>(out.activities.size()) + 1;
      a.source_id = fmt::format("sim-activity-{}", a.id);
      a.modality = kModalities[mi];
      a.duration_minutes =
          kDurations[mi].first +
          static_cast<int>(activity_rng.Below(kDurations[mi].second - kDurations[mi].first + 1));
      a.competencies = {comp.id};
      a.difficulty = o.learner.item_difficulty_sd > 0
                         ? activity_rng.Normal(0, o.learner.item_difficulty_sd)
                         : 0.0;
      const std::size_t t1 = activity_rng.Below(kTags.size());
      a.tags.emplace_back(kTags[t1]);
      if (activity_rng.Bernoulli(0.5)) {
        const std::size_t t2 = (t1 + 1 + activity_rng.Below(kTags.size() - 1)) % kTags.size();
        a.tags.emplace_back(kTags[t2]);
      }
      a.title = fmt::format("{} {} {} ({})", comp.code.empty() ? comp.source_id : comp.code,
                            a.tags.front(), j + 1, ModalityName(a.modality));
      const double quality =
          activity_rng.Bernoulli(o.learner.poor_fraction)
              ? o.learner.poor_quality
              : activity_rng.Uniform(o.learner.quality_min, o.learner.quality_max);
      Item it;
      it.skill = c;
      it.difficulty = a.difficulty;
      it.quality = quality;
      PrepareItem(pop.skill[c], &it);
      items.push_back(it);
      out.activity_quality.push_back(quality);
      out.activities.push_back(std::move(a));
    }
  }

  // Per-student non-achievement traits.
  out.student_truth.resize(n);
  std::vector<std::array<double, kSelScales.size()>> sel_latent(n);
  for (int s = 0; s < n; ++s) {
    Rng trng = roster_rng.Fork(static_cast<std::uint64_t>(s));
    StudentTruth& st = out.student_truth[s];
    st.chronic = trng.Bernoulli(o.chronic_fraction);
    st.absence_propensity = st.chronic ? trng.Uniform(o.chronic_min, o.chronic_max)
                                       : trng.Uniform(o.absence_min, o.absence_max);
    const bool high = trng.Bernoulli(o.high_behavior_fraction);
    st.behavior_rate = high ? trng.Uniform(o.high_rate_min, o.high_rate_max)
                            : trng.Uniform(0, o.behavior_rate_max);
    for (std::size_t i = 0; i < kSelScales.size(); ++i) {
      sel_latent[s][i] = trng.Normal() + 0.3 * pop.student[s].ability - (high && i == 0 ? 1 : 0) -
                         (st.chronic ? 0.4 : 0);
    }
  }

  // The school days, student by student (each with its own stream).
  Learner learner(framework, pop, o.learner);
  PracticePolicy policy(framework, o.policy, in_scope);
  std::vector<KnowledgeChange> changes;
  std::vector<std::int32_t> attempts(static_cast<std::size_t>(n) * k, 0);
  struct Row {
    EvidenceEvent e;
    bool known;
  };
  std::vector<Row> rows;
  std::vector<Id> practised;
  for (int s = 0; s < n; ++s) {
    Rng srng = student_rng.Fork(static_cast<std::uint64_t>(s));
    learner.Reset(s);
    policy.Reset(srng);
    const StudentTruth& st = out.student_truth[s];
    const int cls = roster.ClassOf(s);
    const Id student_id = s + 1;
    const std::int64_t period_start =
        (8 * 60 + 30 + 60 * (cls / o.schools % 6)) * std::int64_t{60'000};  // 08:30 + 1 h/period
    practised.clear();
    for (std::size_t d = 0; d < out.school_days.size(); ++d) {
      const Date date = out.school_days[d];
      AttendanceRecord rec{student_id, date, AttendanceStatus::kPresent, std::string(kSource)};
      if (srng.Bernoulli(st.absence_propensity)) {
        rec.status = srng.Bernoulli(o.excused_share) ? AttendanceStatus::kExcusedAbsence
                                                     : AttendanceStatus::kUnexcusedAbsence;
        out.attendance.push_back(std::move(rec));
        continue;
      }
      const bool tardy = srng.Bernoulli(o.tardy_rate);
      if (tardy) rec.status = AttendanceStatus::kTardy;
      out.attendance.push_back(std::move(rec));

      std::int64_t t = StartOf(date).millis + period_start + (tardy ? 10 * 60'000 : 0) +
                       static_cast<std::int64_t>(srng.Below(5 * 60'000));
      const int answers =
          o.answers_per_day_min +
          static_cast<int>(srng.Below(o.answers_per_day_max - o.answers_per_day_min + 1));
      for (int a = 0; a < answers; ++a) {
        const std::uint64_t r = srng.Next();
        const int c = policy.Choose(static_cast<std::uint32_t>(r));
        if (c < 0) break;
        const int j =
            static_cast<int>(((r >> 32) & 0xFFFF) * static_cast<std::uint64_t>(per) >> 16);
        const int item_index = c * per + j;
        const bool known = learner.known(c);
        const bool correct =
            learner.Answer(s, items[item_index], srng.Next(), Timestamp{t}, &changes);
        policy.Record(correct, srng);
        ++attempts[pop.Pair(s, c)];
        if (practised.size() < 2 && in_scope[c] &&
            std::find(practised.begin(), practised.end(), framework.node(c).id) ==
                practised.end()) {
          practised.push_back(framework.node(c).id);
        }
        EvidenceEvent e;
        e.student_id = student_id;
        e.activity_id = out.activities[item_index].id;
        e.competency_id = framework.node(c).id;
        e.time = Timestamp{t};
        e.kind = correct ? OutcomeKind::kCorrect : OutcomeKind::kIncorrect;
        e.score = correct ? 1.0 : 0.0;
        e.source_system = std::string(kSource);
        rows.push_back({std::move(e), known});
        t += 30'000 + static_cast<std::int64_t>((r >> 48) * 120'000 >> 16);  // 30 s .. 2.5 min
      }
      if (srng.Bernoulli(std::min(1.0, st.behavior_rate))) {
        BehaviorIncident inc;
        inc.student_id = student_id;
        inc.time = Timestamp{StartOf(date).millis + period_start +
                             static_cast<std::int64_t>(srng.Below(50 * 60'000))};
        inc.category = std::string(kIncidentCategories[srng.Below(kIncidentCategories.size())]);
        const double u = srng.Uniform();
        inc.severity = u < 0.7 ? 1 : (u < 0.95 ? 2 : 3);
        inc.description = fmt::format("{} during math class", inc.category);
        inc.source_system = std::string(kSource);
        out.incidents.push_back(std::move(inc));
      }
      if (d % o.sel_every_school_days == 0) {
        for (std::size_t i = 0; i < kSelScales.size(); ++i) {
          double v = 3.4 + 0.6 * sel_latent[s][i] + srng.Normal(0, 0.25);
          v = std::round(std::clamp(v, 1.0, 5.0) * 100) / 100;
          out.sel_scores.push_back(
              {student_id, date, std::string(kSelScales[i]), v, 1, 5, std::string(kSource)});
        }
      }
    }
    // One goal per student, on what the teacher planned first.
    if (!practised.empty()) {
      Goal g;
      g.id = static_cast<Id>(out.goals.size()) + 1;
      g.student_id = student_id;
      g.competencies = practised;
      std::string codes;
      for (Id id : practised) {
        const Competency& comp = framework.node(framework.IndexOf(id));
        codes += (codes.empty() ? "" : " and ") + (comp.code.empty() ? comp.source_id : comp.code);
      }
      g.target = term.end;
      g.description = fmt::format("Master {} by {}", codes, FormatDate(term.end));
      g.status = GoalStatus::kActive;
      g.set_by = roster.teachers_first + cls;
      g.created = Timestamp{StartOf(first_day).millis + 8 * 3'600'000};
      out.goals.push_back(std::move(g));
    }
  }

  // Everything in time order (ties by student), then numbered.
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.e.time != b.e.time ? a.e.time < b.e.time : a.e.student_id < b.e.student_id;
  });
  out.evidence.reserve(rows.size());
  out.evidence_known.reserve(rows.size());
  for (Row& r : rows) {
    r.e.id = static_cast<Id>(out.evidence.size()) + 1;
    r.e.source_record = fmt::format("sim-evidence-{}", r.e.id);
    out.evidence.push_back(std::move(r.e));
    out.evidence_known.push_back(r.known ? 1 : 0);
  }
  std::stable_sort(out.attendance.begin(), out.attendance.end(),
                   [](const AttendanceRecord& a, const AttendanceRecord& b) {
                     return a.date != b.date ? a.date < b.date : a.student_id < b.student_id;
                   });
  std::stable_sort(out.incidents.begin(), out.incidents.end(),
                   [](const BehaviorIncident& a, const BehaviorIncident& b) {
                     return a.time != b.time ? a.time < b.time : a.student_id < b.student_id;
                   });
  for (std::size_t i = 0; i < out.incidents.size(); ++i) {
    out.incidents[i].id = static_cast<Id>(i) + 1;
    out.incidents[i].source_record = fmt::format("sim-incident-{}", i + 1);
  }
  std::stable_sort(out.sel_scores.begin(), out.sel_scores.end(),
                   [](const SelScore& a, const SelScore& b) {
                     return a.date != b.date ? a.date < b.date : a.student_id < b.student_id;
                   });

  std::vector<Id> student_ids(n), competency_ids(k);
  for (int s = 0; s < n; ++s) student_ids[s] = s + 1;
  for (int c = 0; c < k; ++c) competency_ids[c] = framework.node(c).id;
  out.truth = GroundTruth(std::move(student_ids), std::move(competency_ids), std::move(pop),
                          std::move(changes), std::move(attempts));
  return out;
}

}  // namespace pw::sim
