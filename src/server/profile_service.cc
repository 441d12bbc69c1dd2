#include "server/profile_service.h"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "server/json_codec.h"

namespace pw::server {
namespace {

using json = nlohmann::json;
using profile::MasteryState;

// Parsed settings by their stored text (the parse is the costly part, the read is one row).
std::shared_ptr<const FrameworkSettings> CachedSettings(const std::string& key,
                                                        std::shared_ptr<const FrameworkSettings>
                                                            value) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const FrameworkSettings>> cache;
  std::lock_guard<std::mutex> lock(mu);
  if (value) {
    if (cache.size() > 256) cache.clear();
    cache[key] = value;
    return value;
  }
  auto it = cache.find(key);
  return it == cache.end() ? nullptr : it->second;
}

std::optional<json> OptTime(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return json(FormatTimestamp(*t));
}

json Nullable(const std::optional<json>& j) { return j ? *j : json(nullptr); }

// The session of the student's classes that holds `today`, else the latest one.
std::optional<AcademicSession> CurrentTerm(const std::vector<const AcademicSession*>& sessions,
                                           Date today) {
  const AcademicSession* best = nullptr;
  for (const AcademicSession* s : sessions) {
    if (s->start <= today && today <= s->end) {
      if (best == nullptr || s->end < best->end) best = s;  // the narrowest running term
    }
  }
  if (best == nullptr) {
    for (const AcademicSession* s : sessions) {
      if (best == nullptr || s->end > best->end) best = s;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

}  // namespace

Result<std::shared_ptr<const FrameworkSettings>> LoadFrameworkSettings(Store& store,
                                                                       Id framework_id) {
  const std::string kt_key = profile::KtParamsKey(framework_id);
  const std::string options_key = profile::MasteryOptionsKey(framework_id);
  PW_ASSIGN_OR_RETURN(auto kt_text, store.GetMeta(kt_key));
  PW_ASSIGN_OR_RETURN(auto options_text, store.GetMeta(options_key));
  if (!kt_text && !options_text) {
    static const auto kDefaults = std::make_shared<const FrameworkSettings>();
    return kDefaults;
  }
  const std::string cache_key =
      fmt::format("{}\n{}\n{}", framework_id, kt_text.value_or(""), options_text.value_or(""));
  if (auto hit = CachedSettings(cache_key, nullptr)) return hit;
  auto settings = std::make_shared<FrameworkSettings>();
  if (kt_text) {
    PW_ASSIGN_OR_RETURN(settings->kt, profile::ParseKtParams(*kt_text, kt_key));
  }
  if (options_text) {
    PW_ASSIGN_OR_RETURN(settings->mastery, profile::ParseMasteryOptions(*options_text, options_key));
  }
  return CachedSettings(cache_key, std::move(settings));
}

Result<profile::StoredMastery> FromRecord(const MasteryRecord& row) {
  profile::StoredMastery m;
  auto& e = m.estimate;
  e.p = row.p;
  e.attempts = row.attempts;
  e.independent = row.independent;
  e.correct = row.correct;
  e.last_evidence = row.last_evidence;
  e.last_activity_id = row.last_activity_id;
  e.mastered_at = row.mastered_at;
  Result<MasteryState> state = profile::ParseMasteryState(row.state);
  if (!state.ok()) {
    return InternalError("mastery of student {} on competency {}: {}", row.student_id,
                         row.competency_id, state.status().message());
  }
  e.state = *state;
  if (!row.override_state.empty()) {
    Result<MasteryState> o = profile::ParseMasteryState(row.override_state);
    if (!o.ok()) {
      return InternalError("mastery override of student {} on competency {}: {}", row.student_id,
                           row.competency_id, o.status().message());
    }
    m.override_ = profile::MasteryOverride{*o, row.override_reason, row.override_by,
                                           row.override_at.value_or(Timestamp{})};
  }
  return m;
}

MasteryRecord ToRecord(Id student_id, Id competency_id, const profile::StoredMastery& m) {
  MasteryRecord r;
  r.student_id = student_id;
  r.competency_id = competency_id;
  r.p = m.estimate.p;
  r.attempts = m.estimate.attempts;
  r.independent = m.estimate.independent;
  r.correct = m.estimate.correct;
  r.last_evidence = m.estimate.last_evidence;
  r.last_activity_id = m.estimate.last_activity_id;
  r.state = std::string(profile::MasteryStateName(m.estimate.state));
  r.mastered_at = m.estimate.mastered_at;
  if (m.override_) {
    r.override_state = std::string(profile::MasteryStateName(m.override_->state));
    r.override_reason = m.override_->reason;
    r.override_by = m.override_->by;
    r.override_at = m.override_->at;
  }
  return r;
}

namespace {

// Applies `events` to the mastery of the (student, competency) pairs they are about. With
// `recompute` set, only the pairs in it are touched, and each starts from no evidence (its
// override kept) whether or not any event is about it: `events` are then all its evidence.
Status ApplyToMastery(Store& store, std::span<const EvidenceEvent> events,
                      const std::set<std::pair<Id, Id>>* recompute) {
  // (student, competency, time, index) per event and competency it is about.
  struct Item {
    Id student, competency;
    std::int64_t time;
    std::uint32_t index;
  };
  std::vector<Item> items;
  items.reserve(events.size());
  std::unordered_map<Id, std::vector<Id>> activity_competencies;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const EvidenceEvent& e = events[i];
    const auto index = static_cast<std::uint32_t>(i);
    auto wanted = [&](Id competency) {
      return recompute == nullptr || recompute->contains({e.student_id, competency});
    };
    if (e.competency_id != kNoId) {
      if (wanted(e.competency_id)) {
        items.push_back({e.student_id, e.competency_id, e.time.millis, index});
      }
      continue;
    }
    if (e.activity_id == kNoId) continue;
    auto it = activity_competencies.find(e.activity_id);
    if (it == activity_competencies.end()) {
      PW_ASSIGN_OR_RETURN(Activity a, store.GetActivity(e.activity_id));
      it = activity_competencies.emplace(e.activity_id, std::move(a.competencies)).first;
    }
    for (Id c : it->second) {
      if (wanted(c)) items.push_back({e.student_id, c, e.time.millis, index});
    }
  }
  if (items.empty() && recompute == nullptr) return OkStatus();
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.student, a.competency, a.time, a.index) <
           std::tie(b.student, b.competency, b.time, b.index);
  });
  std::vector<std::pair<Id, Id>> pairs;
  if (recompute != nullptr) {
    pairs.assign(recompute->begin(), recompute->end());  // sorted, as the items are
  } else {
    for (const Item& it : items) {
      if (pairs.empty() || pairs.back() != std::pair<Id, Id>(it.student, it.competency)) {
        pairs.emplace_back(it.student, it.competency);
      }
    }
  }
  PW_ASSIGN_OR_RETURN(std::vector<MasteryRecord> existing, store.GetMastery(pairs));
  std::unordered_map<Id, std::unordered_map<Id, const MasteryRecord*>> by_pair;
  for (const MasteryRecord& r : existing) by_pair[r.student_id][r.competency_id] = &r;

  std::unordered_map<Id, std::shared_ptr<const FrameworkSettings>> settings_of;  // competency
  std::unordered_map<Id, std::shared_ptr<const FrameworkSettings>> settings_by_framework;
  std::vector<MasteryRecord> rows;
  rows.reserve(pairs.size());
  std::set<Id> newly_mastered_students;
  std::size_t k = 0;
  for (const auto& [student, competency] : pairs) {
    auto sit = settings_of.find(competency);
    if (sit == settings_of.end()) {
      PW_ASSIGN_OR_RETURN(Competency c, store.GetCompetency(competency));
      auto fit = settings_by_framework.find(c.framework_id);
      if (fit == settings_by_framework.end()) {
        PW_ASSIGN_OR_RETURN(auto s, LoadFrameworkSettings(store, c.framework_id));
        fit = settings_by_framework.emplace(c.framework_id, std::move(s)).first;
      }
      sit = settings_of.emplace(competency, fit->second).first;
    }
    const FrameworkSettings& settings = *sit->second;
    const model::BktParams& bkt = settings.kt.For(competency);
    profile::StoredMastery m;
    const MasteryRecord* old = nullptr;
    if (auto s = by_pair.find(student); s != by_pair.end()) {
      if (auto c = s->second.find(competency); c != s->second.end()) old = c->second;
    }
    if (old != nullptr) {
      PW_ASSIGN_OR_RETURN(m, FromRecord(*old));
      if (recompute != nullptr) m.estimate = profile::MasteryEstimate{};
    }
    const bool was_mastered = m.estimate.mastered_at.has_value();
    for (; k < items.size() && items[k].student == student && items[k].competency == competency;
         ++k) {
      const EvidenceEvent& e = events[items[k].index];
      profile::ApplyEvidence(bkt, settings.mastery, {e.time, e.score, e.activity_id}, &m.estimate);
    }
    if (!was_mastered && m.estimate.mastered_at) newly_mastered_students.insert(student);
    rows.push_back(ToRecord(student, competency, m));
  }
  PW_RETURN_IF_ERROR(store.PutMastery(rows));
  for (Id student : newly_mastered_students) {
    Timestamp latest{INT64_MIN};
    for (const MasteryRecord& r : rows) {
      if (r.student_id == student && r.mastered_at && *r.mastered_at > latest) {
        latest = *r.mastered_at;
      }
    }
    PW_RETURN_IF_ERROR(CreditCompletedCourses(store, student, latest).status());
  }
  return OkStatus();
}

}  // namespace

Status UpdateMasteryForEvidence(Store& store, std::span<const EvidenceEvent> events) {
  if (events.empty()) return OkStatus();
  return ApplyToMastery(store, events, nullptr);
}

Status RecomputeMasteryAfterWithdrawal(Store& store, std::span<const EvidenceEvent> withdrawn) {
  if (withdrawn.empty()) return OkStatus();
  return store.Transaction([&]() -> Status {
    std::set<std::pair<Id, Id>> pairs;
    std::set<Id> students;
    for (const EvidenceEvent& e : withdrawn) {
      students.insert(e.student_id);
      if (e.competency_id != kNoId) {
        pairs.emplace(e.student_id, e.competency_id);
      } else if (e.activity_id != kNoId) {
        PW_ASSIGN_OR_RETURN(Activity a, store.GetActivity(e.activity_id));
        for (Id c : a.competencies) pairs.emplace(e.student_id, c);
      }
    }
    if (pairs.empty()) return OkStatus();
    std::vector<EvidenceEvent> remaining;
    for (Id student : students) {
      PW_RETURN_IF_ERROR(store.ScanEvidence({.student_id = student}, [&](const EvidenceEvent& e) {
        remaining.push_back(e);
        return OkStatus();
      }));
    }
    return ApplyToMastery(store, remaining, &pairs);
  });
}

Result<std::vector<Id>> CreditCompletedCourses(Store& store, Id student_id, Timestamp now) {
  std::vector<Id> credited;
  PW_ASSIGN_OR_RETURN(auto enrollments, store.ListEnrollments(std::nullopt, student_id));
  std::set<Id> course_ids;
  for (const Enrollment& e : enrollments) {
    if (e.role != EnrollmentRole::kStudent) continue;
    PW_ASSIGN_OR_RETURN(ClassSection cls, store.GetClass(e.class_id));
    if (cls.course_id != kNoId) course_ids.insert(cls.course_id);
  }
  if (course_ids.empty()) return credited;
  PW_ASSIGN_OR_RETURN(auto rows, store.ListMastery(student_id));
  std::unordered_map<Id, const MasteryRecord*> by_competency;
  for (const MasteryRecord& r : rows) by_competency[r.competency_id] = &r;
  PW_ASSIGN_OR_RETURN(auto existing, store.ListCourseCredits(student_id));
  for (Id course_id : course_ids) {
    if (std::any_of(existing.begin(), existing.end(),
                    [&](const CourseCredit& c) { return c.course_id == course_id; })) {
      continue;
    }
    PW_ASSIGN_OR_RETURN(Course course, store.GetCourse(course_id));
    if (course.required_competencies.empty()) continue;
    json evidence = json::array();
    bool all = true;
    for (Id c : course.required_competencies) {
      auto it = by_competency.find(c);
      const MasteryRecord* r = it == by_competency.end() ? nullptr : it->second;
      const bool mastered =
          r != nullptr && (r->override_state.empty() ? r->state == "mastered"
                                                     : r->override_state == "mastered");
      if (!mastered) {
        all = false;
        break;
      }
      json item{{"competency_id", c},
                {"mastered_at", Nullable(OptTime(r->mastered_at ? r->mastered_at : r->override_at))},
                {"evidence", r->independent},
                {"p", r->p}};
      if (!r->override_state.empty()) item["override_reason"] = r->override_reason;
      evidence.push_back(std::move(item));
    }
    if (!all) continue;
    CourseCredit credit{student_id, course_id, now, evidence.dump()};
    PW_ASSIGN_OR_RETURN(bool created, store.PutCourseCredit(credit));
    if (created) credited.push_back(course_id);
  }
  return credited;
}

Result<Person> ResolveStudent(Store& store, std::string_view text) {
  Id id = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  std::optional<Person> found;
  if (ec == std::errc() && ptr == text.data() + text.size() && id > 0) {
    Result<Person> p = store.GetPerson(id);
    if (p.ok()) {
      found = *p;
    } else if (p.status().code() != StatusCode::kNotFound) {
      return p.status();
    }
  }
  if (!found) {
    PW_ASSIGN_OR_RETURN(found, store.FindPersonBySourceId(text));
  }
  if (!found || found->role != Role::kStudent) {
    return NotFoundError("student \"{}\" not found", text);
  }
  return *found;
}

// ---- ProfileLoader

Result<std::shared_ptr<const CompetencyGraph>> ProfileLoader::Graph(Id framework_id) {
  auto it = graphs_.find(framework_id);
  if (it != graphs_.end()) return it->second;
  PW_ASSIGN_OR_RETURN(CompetencyGraph g, store_.LoadGraph(framework_id));
  auto shared = std::make_shared<const CompetencyGraph>(std::move(g));
  for (const Competency& c : shared->nodes()) framework_of_[c.id] = framework_id;
  graphs_.emplace(framework_id, shared);
  return shared;
}

Result<const Activity*> ProfileLoader::GetActivity(Id id) {
  auto it = activities_.find(id);
  if (it == activities_.end()) {
    Result<Activity> a = store_.GetActivity(id);
    if (!a.ok() && a.status().code() != StatusCode::kNotFound) return a.status();
    it = activities_.emplace(id, a.ok() ? std::optional<Activity>(*a) : std::nullopt).first;
  }
  return it->second ? &*it->second : nullptr;
}

Result<ProfileLoader::Loaded> ProfileLoader::LoadInputs(Id student_id, Timestamp now) {
  Loaded out;
  profile::ProfileInputs& in = out.inputs;
  in.now = now;
  in.options = options_;
  const Date today = DateOf(now);
  {
    Result<Person> p = store_.GetPerson(student_id);
    if (!p.ok() || p->role != Role::kStudent) {
      if (!p.ok() && p.status().code() != StatusCode::kNotFound) return p.status();
      return NotFoundError("student {} not found", student_id);
    }
    in.student = *p;
  }
  // Classes -> courses and terms.
  if (!courses_) {
    PW_ASSIGN_OR_RETURN(auto list, store_.ListCourses());
    courses_.emplace();
    for (Course& c : list) courses_->emplace(c.id, std::move(c));
  }
  if (!sessions_) {
    PW_ASSIGN_OR_RETURN(sessions_, store_.ListSessions());
  }
  PW_ASSIGN_OR_RETURN(auto enrollments, store_.ListEnrollments(std::nullopt, student_id));
  std::vector<Id> framework_ids;
  std::vector<const AcademicSession*> terms;
  std::set<Id> seen_courses;
  for (const Enrollment& e : enrollments) {
    if (e.role != EnrollmentRole::kStudent) continue;
    auto cit = classes_.find(e.class_id);
    if (cit == classes_.end()) {
      PW_ASSIGN_OR_RETURN(ClassSection cls, store_.GetClass(e.class_id));
      cit = classes_.emplace(e.class_id, std::move(cls)).first;
    }
    const ClassSection& cls = cit->second;
    for (const AcademicSession& s : *sessions_) {
      if (s.id == cls.session_id) terms.push_back(&s);
    }
    auto course = courses_->find(cls.course_id);
    if (course == courses_->end() || !seen_courses.insert(course->first).second) continue;
    in.courses.push_back(course->second);
    if (course->second.framework_id != kNoId &&
        std::find(framework_ids.begin(), framework_ids.end(), course->second.framework_id) ==
            framework_ids.end()) {
      framework_ids.push_back(course->second.framework_id);
    }
  }
  if (auto term = CurrentTerm(terms, today)) {
    in.term_start = term->start;
    in.term_end = term->end;
  }
  // Mastery rows; frameworks of rows outside the courses' frameworks are added too.
  for (Id f : framework_ids) PW_RETURN_IF_ERROR(Graph(f).status());
  PW_ASSIGN_OR_RETURN(auto rows, store_.ListMastery(student_id));
  for (const MasteryRecord& r : rows) {
    auto fit = framework_of_.find(r.competency_id);
    if (fit == framework_of_.end()) {
      PW_ASSIGN_OR_RETURN(Competency c, store_.GetCompetency(r.competency_id));
      PW_RETURN_IF_ERROR(Graph(c.framework_id).status());
      fit = framework_of_.find(r.competency_id);
    }
    if (std::find(framework_ids.begin(), framework_ids.end(), fit->second) ==
        framework_ids.end()) {
      framework_ids.push_back(fit->second);
    }
    PW_ASSIGN_OR_RETURN(profile::StoredMastery m, FromRecord(r));
    in.mastery.emplace(r.competency_id, std::move(m));
  }
  for (Id f : framework_ids) {
    PW_ASSIGN_OR_RETURN(auto graph, Graph(f));
    PW_ASSIGN_OR_RETURN(auto settings, LoadFrameworkSettings(store_, f));
    out.graphs.push_back(graph);
    in.frameworks.push_back({graph.get(), settings->mastery});
  }
  PW_ASSIGN_OR_RETURN(auto credits, store_.ListCourseCredits(student_id));
  for (const CourseCredit& c : credits) in.credited[c.course_id] = c.credited_at;
  PW_ASSIGN_OR_RETURN(in.goals, store_.ListGoals(student_id));
  PW_ASSIGN_OR_RETURN(in.stated_interests, store_.ListInterests(student_id));

  // Evidence: activity tags (inferred interests) and the most recent pieces (report examples).
  std::unordered_map<Id, int> per_activity;
  PW_RETURN_IF_ERROR(store_.ScanEvidence(
      {.student_id = student_id, .until = Timestamp{now.millis + 1}},
      [&](const EvidenceEvent& e) -> Status {
        if (e.activity_id != kNoId) ++per_activity[e.activity_id];
        out.recent.push_back(e);
        if (out.recent.size() > 100) out.recent.erase(out.recent.begin(), out.recent.begin() + 50);
        return OkStatus();
      }));
  for (const auto& [activity_id, n] : per_activity) {
    PW_ASSIGN_OR_RETURN(const Activity* a, GetActivity(activity_id));
    if (a == nullptr) continue;
    for (const std::string& tag : a->tags) in.activity_tags[tag] += n;
  }

  DateRange window{Date{today.days - 59}, today};
  if (in.term_start && *in.term_start < *window.from) window.from = in.term_start;
  PW_ASSIGN_OR_RETURN(in.attendance, store_.ListAttendance(student_id, window));
  PW_ASSIGN_OR_RETURN(in.incidents, store_.ListBehavior(student_id, {Date{today.days - 59}, today}));
  PW_ASSIGN_OR_RETURN(in.sel, store_.ListSel(student_id, {std::nullopt, today}));
  return out;
}

Result<profile::LearnerProfile> ProfileLoader::Load(Id student_id, Timestamp now) {
  PW_ASSIGN_OR_RETURN(Loaded loaded, LoadInputs(student_id, now));
  return profile::BuildProfile(loaded.inputs);
}

Result<profile::GuardianReport> ProfileLoader::LoadGuardianReport(Id student_id, Timestamp now) {
  PW_ASSIGN_OR_RETURN(Loaded loaded, LoadInputs(student_id, now));
  PW_ASSIGN_OR_RETURN(profile::LearnerProfile p, profile::BuildProfile(loaded.inputs));
  // Examples: the newest piece of evidence on each of the most recent competencies.
  std::vector<profile::EvidenceExample> examples;
  std::set<Id> used;
  for (auto it = loaded.recent.rbegin(); it != loaded.recent.rend() && examples.size() < 5; ++it) {
    Id competency = it->competency_id;
    std::string title;
    if (it->activity_id != kNoId) {
      PW_ASSIGN_OR_RETURN(const Activity* a, GetActivity(it->activity_id));
      if (a != nullptr) {
        title = a->title;
        if (competency == kNoId && !a->competencies.empty()) competency = a->competencies[0];
      }
    }
    const profile::CompetencyStatus* c = p.Find(competency);
    if (c == nullptr || !used.insert(competency).second) continue;
    examples.push_back({it->time, c->code, title, it->score});
  }
  profile::MasteryOptions options;
  if (!loaded.inputs.frameworks.empty()) options = loaded.inputs.frameworks[0].options;
  return profile::BuildGuardianReport(p, examples, options);
}

Status OverrideMastery(Store& store, Id student_id, Id competency_id,
                       std::optional<MasteryState> state, std::string_view reason,
                       std::string_view by, Timestamp at) {
  if (state && reason.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return InvalidArgumentError("reason: required (say why the state is overridden)");
  }
  if (reason.size() > 500) return InvalidArgumentError("reason: at most 500 characters");
  return store.Transaction([&]() -> Status {
    Result<Competency> c = store.GetCompetency(competency_id);
    if (!c.ok()) {
      if (c.status().code() == StatusCode::kNotFound) {
        return NotFoundError("competency {} not found", competency_id);
      }
      return c.status();
    }
    const std::pair<Id, Id> pair{student_id, competency_id};
    PW_ASSIGN_OR_RETURN(auto rows, store.GetMastery(std::span(&pair, 1)));
    profile::StoredMastery m;
    if (!rows.empty()) {
      PW_ASSIGN_OR_RETURN(m, FromRecord(rows[0]));
    }
    if (state) {
      m.override_ = profile::MasteryOverride{*state, std::string(reason), std::string(by), at};
    } else {
      m.override_.reset();
    }
    const MasteryRecord row = ToRecord(student_id, competency_id, m);
    PW_RETURN_IF_ERROR(store.PutMastery(std::span(&row, 1)));
    if (state == MasteryState::kMastered) {
      PW_RETURN_IF_ERROR(CreditCompletedCourses(store, student_id, at).status());
    }
    return OkStatus();
  });
}

Result<std::vector<StudentFlags>> ClassFlags(Store& store, Id class_id, Date date,
                                             const profile::ProfileOptions& options) {
  Result<ClassSection> cls = store.GetClass(class_id);
  if (!cls.ok()) {
    if (cls.status().code() == StatusCode::kNotFound) {
      return NotFoundError("class {} does not exist", class_id);
    }
    return cls.status();
  }
  PW_ASSIGN_OR_RETURN(auto enrollments, store.ListEnrollments(class_id, std::nullopt));
  std::vector<Id> students;
  for (const Enrollment& e : enrollments) {
    if (e.role == EnrollmentRole::kStudent) students.push_back(e.person_id);
  }
  std::sort(students.begin(), students.end());
  students.erase(std::unique(students.begin(), students.end()), students.end());
  ProfileLoader loader(store, options);
  const Timestamp end_of_day{StartOf(date).millis + kMillisPerDay - 1};
  std::vector<StudentFlags> out;
  for (Id s : students) {
    PW_ASSIGN_OR_RETURN(profile::LearnerProfile p, loader.Load(s, end_of_day));
    if (p.flags.empty()) continue;
    out.push_back({p.student, std::move(p.flags)});
  }
  return out;
}

// ---- JSON

namespace {

json OverrideJson(const std::optional<profile::MasteryOverride>& o) {
  if (!o) return nullptr;
  return {{"state", profile::MasteryStateName(o->state)},
          {"reason", o->reason},
          {"by", o->by},
          {"at", FormatTimestamp(o->at)}};
}

json FlagJson(const profile::Flag& f) {
  json j{{"kind", profile::FlagKindName(f.kind)}, {"reason", f.reason}};
  if (f.competency_id != kNoId) j["competency_id"] = f.competency_id;
  return j;
}

json TrendJson(profile::Trend t) { return profile::TrendName(t); }

}  // namespace

json ProfileJson(const profile::LearnerProfile& p) {
  json mastery = json::array();
  for (const profile::CompetencyStatus& c : p.mastery) {
    mastery.push_back({{"competency_id", c.competency_id},
                       {"code", c.code},
                       {"statement", c.statement},
                       {"state", profile::MasteryStateName(c.state)},
                       {"estimated_state", profile::MasteryStateName(c.estimated_state)},
                       {"overridden", c.override_.has_value()},
                       {"override", OverrideJson(c.override_)},
                       {"p", std::round(c.p * 1000) / 1000},
                       {"attempts", c.attempts},
                       {"evidence", c.independent},
                       {"correct", c.correct},
                       {"last_evidence", Nullable(OptTime(c.last_evidence))},
                       {"mastered_at", Nullable(OptTime(c.mastered_at))},
                       {"required", c.required},
                       {"open", c.open},
                       {"blocked_by", c.blocked_by}});
  }
  json strengths = json::array();
  for (Id id : p.strengths) {
    const profile::CompetencyStatus* c = p.Find(id);
    strengths.push_back({{"competency_id", id}, {"code", c ? c->code : ""}});
  }
  json needs = json::array();
  for (const profile::Need& n : p.needs) {
    needs.push_back(
        {{"competency_id", n.competency_id}, {"code", n.code}, {"kind", n.kind}, {"text", n.text}});
  }
  json inferred = json::array();
  for (const auto& [tag, n] : p.interests.inferred) inferred.push_back({{"tag", tag}, {"evidence", n}});
  json goals = json::array();
  for (const profile::GoalProgress& g : p.goals) {
    goals.push_back({{"goal_id", g.goal_id},
                     {"description", g.description},
                     {"status", g.status == GoalStatus::kActive ? "active"
                                : g.status == GoalStatus::kMet  ? "met"
                                                                : "dropped"},
                     {"target", g.target ? json(FormatDate(*g.target)) : json(nullptr)},
                     {"mastered", g.mastered},
                     {"total", g.total}});
  }
  json courses = json::array();
  for (const profile::CourseProgress& c : p.courses) {
    courses.push_back({{"course_id", c.course_id},
                       {"title", c.title},
                       {"required", c.required},
                       {"mastered", c.mastered},
                       {"complete", c.complete},
                       {"completed_at", Nullable(OptTime(c.completed_at))},
                       {"credited_at", Nullable(OptTime(c.credited_at))}});
  }
  const profile::Pace& pace = p.pace;
  const profile::Indicators& ind = p.indicators;
  json sel = json::array();
  for (const auto& s : ind.sel) {
    sel.push_back({{"scale", s.scale},
                   {"latest", s.latest},
                   {"previous", s.previous ? json(*s.previous) : json(nullptr)},
                   {"scale_min", s.scale_min},
                   {"scale_max", s.scale_max},
                   {"date", FormatDate(s.date)},
                   {"trend", TrendJson(s.trend)}});
  }
  auto rate = [](const std::optional<double>& r) {
    return r ? json(std::round(*r * 1000) / 1000) : json(nullptr);
  };
  json flags = json::array();
  for (const profile::Flag& f : p.flags) flags.push_back(FlagJson(f));
  return {
      {"student", ToJson(p.student)},
      {"as_of", FormatTimestamp(p.as_of)},
      {"counts",
       {{"mastered", p.count(MasteryState::kMastered)},
        {"learning", p.count(MasteryState::kLearning)},
        {"needs_review", p.count(MasteryState::kNeedsReview)},
        {"not_started", p.count(MasteryState::kNotStarted)}}},
      {"mastery", mastery},
      {"strengths", strengths},
      {"needs", needs},
      {"interests", {{"stated", p.interests.stated}, {"inferred", inferred}}},
      {"goals", goals},
      {"courses", courses},
      {"pace",
       {{"status", pace.status},
        {"text", pace.text},
        {"required", pace.required},
        {"mastered", pace.mastered},
        {"school_days_elapsed", pace.school_days_elapsed},
        {"per_week", std::round(pace.per_week * 100) / 100},
        {"projected", pace.projected ? json(FormatDate(*pace.projected)) : json(nullptr)},
        {"term_end", pace.term_end ? json(FormatDate(*pace.term_end)) : json(nullptr)}}},
      {"indicators",
       {{"attendance",
         {{"rate_30_days", rate(ind.attendance_rate_30)},
          {"rate_previous_30_days", rate(ind.attendance_rate_prev_30)},
          {"school_days_30", ind.days_30},
          {"missed_30", ind.missed_30},
          {"trend", TrendJson(ind.attendance_trend)},
          {"term_days", ind.term_days},
          {"term_missed", ind.term_missed},
          {"chronic_absence", ind.chronic_absence}}},
        {"behavior",
         {{"incidents_30_days", ind.incidents_30},
          {"incidents_previous_30_days", ind.incidents_prev_30},
          {"trend", TrendJson(ind.behavior_trend)}}},
        {"sel", sel}}},
      {"flags", flags},
  };
}

json ReportJson(const profile::GuardianReport& r) {
  json sections = json::array();
  for (const profile::ReportSection& s : r.sections) {
    sections.push_back({{"heading", s.heading}, {"paragraphs", s.paragraphs}, {"items", s.items}});
  }
  return {{"audience", "guardian"}, {"title", r.title}, {"sections", sections},
          {"text", profile::ReportText(r)}};
}

json FlagsJson(Id class_id, Date date, const std::vector<StudentFlags>& flags) {
  json students = json::array();
  for (const StudentFlags& s : flags) {
    json list = json::array();
    for (const profile::Flag& f : s.flags) list.push_back(FlagJson(f));
    students.push_back({{"student_id", s.student.id},
                        {"name", s.student.given_name + " " + s.student.family_name},
                        {"flags", list}});
  }
  return {{"class_id", class_id}, {"date", FormatDate(date)}, {"students", students}};
}

}  // namespace pw::server
