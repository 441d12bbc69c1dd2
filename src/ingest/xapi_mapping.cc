#include "ingest/xapi_mapping.h"

#include <algorithm>

#include "ingest/xapi_prepare.h"
#include "ingest/xapi_statement.h"
#include "store/xapi_store.h"

namespace pw::xapi {
namespace {

using json = nlohmann::json;

std::string_view LastSegment(std::string_view iri) {
  while (!iri.empty() && iri.back() == '/') iri.remove_suffix(1);
  const std::size_t cut = iri.find_last_of("/#:");
  return cut == std::string_view::npos ? iri : iri.substr(cut + 1);
}

}  // namespace

Result<XapiMapping> ParseXapiMapping(std::string_view json_text, std::string_view what) {
  XapiMapping m;
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return InvalidArgumentError("{}: expected a JSON object", what);
  if (j.contains("verbs")) {
    if (!j["verbs"].is_array())
      return InvalidArgumentError("{}: verbs: expected an array of strings", what);
    m.verbs.clear();
    for (const json& v : j["verbs"]) {
      if (!v.is_string())
        return InvalidArgumentError("{}: verbs: expected an array of strings", what);
      m.verbs.push_back(v.get<std::string>());
    }
  }
  if (j.contains("account_home_page")) {
    if (!j["account_home_page"].is_string()) {
      return InvalidArgumentError("{}: account_home_page: expected a string", what);
    }
    m.account_home_page = j["account_home_page"].get<std::string>();
  }
  return m;
}

Result<XapiMapping> LoadXapiMapping(Store& store, std::string_view client_key) {
  const std::string key = "xapi.mapping." + std::string(client_key);
  PW_ASSIGN_OR_RETURN(std::optional<std::string> text, store.GetMeta(key));
  XapiMapping m;
  if (text) {
    PW_ASSIGN_OR_RETURN(m, ParseXapiMapping(*text, "meta " + key));
  }
  m.source_system = "xapi:" + std::string(client_key);
  return m;
}

Status StatementMapper::Attach(MappingCache& cache) {
  XapiStore* lrs = store_.xapi();
  if (lrs == nullptr) return OkStatus();  // no generation to check: keep the per-batch cache
  PW_ASSIGN_OR_RETURN(XapiStore::MappingGeneration now, lrs->GetMappingGeneration());
  // Bounded: a cache grown past this starts over (its entries are only look-ups).
  constexpr std::size_t kMaxEntries = 200'000;
  if (cache.generation != now || cache.account_home_page != mapping_.account_home_page ||
      cache.students.size() + cache.activities.size() > kMaxEntries) {
    cache.students.clear();
    cache.activities.clear();
    cache.generation = now;
    cache.account_home_page = mapping_.account_home_page;
  }
  cache_ = &cache;
  return OkStatus();
}

Result<Id> StatementMapper::StudentOf(const StatementFacts& f, std::string* why) {
  auto& students = cache_->students;
  if (auto it = students.find(f.actor_key); it != students.end()) {
    if (it->second == kNoId) *why = "actor: no student matches " + f.actor_key;
    return it->second;
  }
  Id id = kNoId;
  if (!f.actor_mbox.empty()) {
    XapiStore* lrs = store_.xapi();
    if (lrs != nullptr) {
      PW_ASSIGN_OR_RETURN(id, lrs->FindStudentByEmail(std::string_view(f.actor_mbox).substr(7)));
    }
  } else if (f.actor_has_account) {
    if (mapping_.account_home_page.empty() ||
        f.actor_account_home_page == mapping_.account_home_page) {
      PW_ASSIGN_OR_RETURN(auto p, store_.FindPersonBySourceId(f.actor_account_name));
      if (p && p->role == Role::kStudent) id = p->id;
    }
  } else if (!f.actor_openid.empty()) {
    PW_ASSIGN_OR_RETURN(auto p, store_.FindPersonBySourceId(f.actor_openid));
    if (p && p->role == Role::kStudent) id = p->id;
  }
  students[f.actor_key] = id;
  if (id == kNoId) *why = "actor: no student matches " + f.actor_key;
  return id;
}

Result<MappedStatement> StatementMapper::Map(const StatementFacts& f) {
  MappedStatement out;
  const std::string_view name = LastSegment(f.verb_id);
  if (std::find(mapping_.verbs.begin(), mapping_.verbs.end(), name) == mapping_.verbs.end()) {
    out.unmapped_reason = "verb: " + f.verb_id + " is not an evidence verb";
    return out;
  }
  if (f.object_type != "Activity") {
    out.unmapped_reason = "object: not an Activity";
    return out;
  }
  // The outcome.
  EvidenceEvent e;
  bool have = false;
  if (f.scaled) {
    e.kind = OutcomeKind::kScore;
    e.score = std::clamp(*f.scaled, 0.0, 1.0);
    have = true;
  } else if (f.raw && f.min && f.max && *f.max > *f.min) {
    e.kind = OutcomeKind::kScore;
    e.score = std::clamp((*f.raw - *f.min) / (*f.max - *f.min), 0.0, 1.0);
    have = true;
  } else if (f.success) {
    e.kind = *f.success ? OutcomeKind::kCorrect : OutcomeKind::kIncorrect;
    e.score = *f.success ? 1.0 : 0.0;
    have = true;
  }
  if (!have && (name == "passed" || name == "mastered" || name == "failed")) {
    const bool ok = name != "failed";
    e.kind = ok ? OutcomeKind::kCorrect : OutcomeKind::kIncorrect;
    e.score = ok ? 1.0 : 0.0;
    have = true;
  }
  if (!have) {
    out.unmapped_reason = "result: no score or success to use as evidence";
    return out;
  }
  const std::string& activity_id = f.object_id;
  auto& activities = cache_->activities;
  auto cached = activities.find(activity_id);
  if (cached == activities.end()) {
    PW_ASSIGN_OR_RETURN(std::optional<Activity> a, store_.FindActivityBySourceId(activity_id));
    if (!a && activity_id.starts_with(kActivityUrnPrefix)) {
      PW_ASSIGN_OR_RETURN(a, store_.FindActivityBySourceId(
                                 std::string_view(activity_id).substr(kActivityUrnPrefix.size())));
    }
    cached = activities.emplace(activity_id, std::move(a)).first;
  }
  if (!cached->second) {
    out.unmapped_reason = "object: no Pathwise activity has source id " + activity_id;
    return out;
  }
  PW_ASSIGN_OR_RETURN(Id student, StudentOf(f, &out.unmapped_reason));
  if (student == kNoId) return out;
  std::optional<Timestamp> t = ParseXapiTimestamp(f.time);
  e.time = t.value_or(Timestamp{0});
  e.student_id = student;
  e.activity_id = cached->second->id;
  e.source_system = mapping_.source_system;
  e.source_record = f.id;
  e.duration_ms = f.duration_ms;
  if (cached->second->competencies.empty()) {
    out.events.push_back(e);
  } else {
    for (Id c : cached->second->competencies) {
      e.competency_id = c;
      out.events.push_back(e);
    }
  }
  return out;
}

}  // namespace pw::xapi
