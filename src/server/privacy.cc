#include "server/privacy.h"

#include <sodium.h>

#include <map>
#include <set>
#include <tuple>

#include "server/auth.h"
#include "server/json_codec.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

constexpr std::string_view kResearchKeyMeta = "privacy.research_key";

Result<Person> StudentOf(Store& store, Id id) {
  Result<Person> p = store.GetPerson(id);
  if (!p.ok() && p.status().code() != StatusCode::kNotFound) return p.status();
  if (!p.ok() || p->role != Role::kStudent) return NotFoundError("student {} not found", id);
  return p;
}

}  // namespace

json ToJson(const AuditEntry& e) {
  return {{"id", e.id},
          {"time", FormatTimestamp(e.time)},
          {"user_id", e.user_id == kNoId ? json(nullptr) : json(e.user_id)},
          {"actor", e.actor},
          {"action", e.action},
          {"student_id", e.student_id == kNoId ? json(nullptr) : json(e.student_id)},
          {"target", e.target},
          {"status", e.status},
          {"address", e.address}};
}

json ToJson(const DeletionCounts& c) {
  return {{"evidence", c.evidence},       {"attendance", c.attendance},
          {"behavior", c.behavior},       {"sel_scores", c.sel_scores},
          {"goals", c.goals},             {"enrollments", c.enrollments},
          {"guardian_links", c.guardian_links}, {"accounts", c.accounts}};
}

Status RecordAudit(Store& store, AuditEntry entry, const Clock& clock) {
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(store));
  entry.time = clock.Now();
  return accounts->AppendAudit(entry);
}

Result<json> ExportStudent(Store& store, Id student_id) {
  PW_ASSIGN_OR_RETURN(Person student, StudentOf(store, student_id));
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(store));
  json out;
  out["student"] = ToJson(student);

  PW_ASSIGN_OR_RETURN(auto enrollments, store.ListEnrollments(std::nullopt, student_id));
  json classes = json::array();
  for (const Enrollment& e : enrollments) {
    json row = ToJson(e);
    Result<ClassSection> cls = store.GetClass(e.class_id);
    if (cls.ok()) row["class_title"] = cls->title;
    classes.push_back(std::move(row));
  }
  out["enrollments"] = std::move(classes);

  PW_ASSIGN_OR_RETURN(auto links, store.ListGuardianLinks(student_id, std::nullopt));
  json guardians = json::array();
  for (const GuardianLink& link : links) {
    json row = ToJson(link);
    Result<Person> g = store.GetPerson(link.guardian_id);
    if (g.ok()) row["guardian"] = ToJson(*g);
    guardians.push_back(std::move(row));
  }
  out["guardians"] = std::move(guardians);

  json evidence = json::array();
  EvidenceFilter filter;
  filter.student_id = student_id;
  PW_RETURN_IF_ERROR(store.ScanEvidence(filter, [&](const EvidenceEvent& e) {
    evidence.push_back(ToJson(e));
    return OkStatus();
  }));
  out["evidence"] = std::move(evidence);
  PW_ASSIGN_OR_RETURN(auto attendance, store.ListAttendance(student_id, {}));
  out["attendance"] = ToJsonArray(attendance);
  PW_ASSIGN_OR_RETURN(auto behavior, store.ListBehavior(student_id, {}));
  out["behavior"] = ToJsonArray(behavior);
  PW_ASSIGN_OR_RETURN(auto sel, store.ListSel(student_id, {}));
  out["sel_scores"] = ToJsonArray(sel);
  PW_ASSIGN_OR_RETURN(auto goals, store.ListGoals(student_id));
  out["goals"] = ToJsonArray(goals);

  PW_ASSIGN_OR_RETURN(auto users, accounts->ListUsers());
  json logins = json::array();
  for (const UserAccount& u : users) {
    if (u.person_id != student_id) continue;
    logins.push_back({{"login", u.login},
                      {"role", RoleName(u.role)},
                      {"disabled", u.disabled},
                      {"created", FormatTimestamp(u.created)}});
  }
  out["accounts"] = std::move(logins);

  json audit = json::array();
  AuditFilter about;
  about.student_id = student_id;
  for (Id before = kNoId;;) {
    PW_ASSIGN_OR_RETURN(auto entries, accounts->ListAudit(about, before, 1000));
    for (const AuditEntry& e : entries) audit.push_back(ToJson(e));
    if (entries.size() < 1000) break;
    before = entries.back().id;
  }
  out["audit"] = std::move(audit);
  return out;
}

Result<DeletionCounts> DeleteStudent(Store& store, Id student_id) {
  PW_ASSIGN_OR_RETURN(AccountStore * accounts, AccountsOf(store));
  return accounts->DeleteStudentData(student_id);
}

Result<std::string> ResearchKey(Store& store) {
  std::string key;
  PW_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
    PW_ASSIGN_OR_RETURN(auto stored, store.GetMeta(kResearchKeyMeta));
    if (stored) {
      key = *stored;
      return OkStatus();
    }
    key = RandomHex(crypto_generichash_KEYBYTES);
    return store.SetMeta(kResearchKeyMeta, key);
  }));
  return key;
}

std::string Pseudonym(std::string_view key_hex, std::string_view kind, Id id) {
  InitCrypto().IgnoreError();
  unsigned char key[crypto_generichash_KEYBYTES] = {};
  std::size_t key_len = 0;
  sodium_hex2bin(key, sizeof key, key_hex.data(), key_hex.size(), nullptr, &key_len, nullptr);
  const std::string message = fmt::format("{}:{}", kind, id);
  unsigned char out[16];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), key, key_len);
  sodium_memzero(key, sizeof key);
  char hex[sizeof out * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

Result<json> ResearchExport(Store& store, const ResearchOptions& options) {
  if (options.min_cell < 1) {
    return InvalidArgumentError("min_cell: must be at least 1, got {}", options.min_cell);
  }
  PW_ASSIGN_OR_RETURN(std::string key, ResearchKey(store));
  struct Info {
    Id school;
    std::string grade;
  };
  std::map<Id, Info> students;
  std::map<std::pair<Id, std::string>, int> group_size;  // (school, grade) -> students
  for (PageRequest page{kNoId, 1000};;) {
    PW_ASSIGN_OR_RETURN(auto people, store.ListPeople({.role = Role::kStudent}, page));
    for (const Person& p : people.items) {
      students[p.id] = {p.org_id, p.grade};
      ++group_size[{p.org_id, p.grade}];
    }
    if (!people.next_after) break;
    page.after = *people.next_after;
  }
  struct Acc {
    std::set<Id> students;
    std::int64_t events = 0;
    double score = 0;
  };
  std::map<std::tuple<Id, std::string, Id>, Acc> cells;  // (school, grade, competency)
  std::map<std::pair<Id, Id>, Acc> per_student;           // (student, competency)
  PW_RETURN_IF_ERROR(store.ScanEvidence({}, [&](const EvidenceEvent& e) {
    auto it = students.find(e.student_id);
    if (it == students.end()) return OkStatus();
    Acc& cell = cells[{it->second.school, it->second.grade, e.competency_id}];
    cell.students.insert(e.student_id);
    ++cell.events;
    cell.score += e.score;
    Acc& mine = per_student[{e.student_id, e.competency_id}];
    ++mine.events;
    mine.score += e.score;
    return OkStatus();
  }));

  auto org_ref = [&](Id org) { return org == kNoId ? json(nullptr) : json(Pseudonym(key, "org", org)); };
  auto competency_ref = [](Id c) { return c == kNoId ? json(nullptr) : json(c); };
  json out;
  out["min_cell"] = options.min_cell;
  out["ids"] = "keyed BLAKE2b pseudonyms (per installation); competency ids are not personal";
  json groups = json::array();
  int suppressed_groups = 0;
  for (const auto& [g, n] : group_size) {
    const bool small = n < options.min_cell;
    suppressed_groups += small;
    groups.push_back({{"school", org_ref(g.first)},
                      {"grade", g.second},
                      {"students", small ? json(nullptr) : json(n)},
                      {"suppressed", small}});
  }
  out["groups"] = std::move(groups);
  json cell_rows = json::array();
  int suppressed_cells = 0;
  for (const auto& [k, acc] : cells) {
    const bool small = static_cast<int>(acc.students.size()) < options.min_cell;
    suppressed_cells += small;
    json row = {{"school", org_ref(std::get<0>(k))},
                {"grade", std::get<1>(k)},
                {"competency_id", competency_ref(std::get<2>(k))},
                {"suppressed", small}};
    row["students"] = small ? json(nullptr) : json(acc.students.size());
    row["events"] = small ? json(nullptr) : json(acc.events);
    row["mean_score"] = small ? json(nullptr) : json(acc.score / static_cast<double>(acc.events));
    cell_rows.push_back(std::move(row));
  }
  out["cells"] = std::move(cell_rows);
  out["suppressed_cells"] = suppressed_cells;
  json rows = json::array();
  std::int64_t withheld = 0;
  for (const auto& [k, acc] : per_student) {
    const Info& info = students[k.first];
    if (group_size[{info.school, info.grade}] < options.min_cell) {
      ++withheld;
      continue;
    }
    rows.push_back({{"student", Pseudonym(key, "person", k.first)},
                    {"school", org_ref(info.school)},
                    {"grade", info.grade},
                    {"competency_id", competency_ref(k.second)},
                    {"events", acc.events},
                    {"mean_score", acc.score / static_cast<double>(acc.events)}});
  }
  out["student_rows"] = std::move(rows);
  out["withheld_student_rows"] = withheld;
  out["suppressed_groups"] = suppressed_groups;
  return out;
}

}  // namespace pw::server
