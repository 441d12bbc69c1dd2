#include "ingest/oneroster.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "ingest/csv_table.h"

namespace pw::ingest {
namespace {

enum class Version { k1_1, k1_2 };
enum class Mode { kAbsent, kBulk, kDelta };

// ---- column specs (OneRoster 1.1 / 1.2 CSV binding). Required columns are those a row
// cannot be imported without.
const std::vector<ColumnSpec> kOrgs = {{"sourcedId", true}, {"status"},     {"dateLastModified"},
                                       {"name", true},      {"type", true}, {"identifier"},
                                       {"parentSourcedId"}};
const std::vector<ColumnSpec> kSessions = {
    {"sourcedId", true}, {"status"},          {"dateLastModified"},
    {"title", true},     {"type", true},      {"startDate", true},
    {"endDate", true},   {"parentSourcedId"}, {"schoolYear", true}};
const std::vector<ColumnSpec> kCourses = {
    {"sourcedId", true}, {"status"},      {"dateLastModified"}, {"schoolYearSourcedId"},
    {"title", true},     {"courseCode"},  {"grades"},           {"orgSourcedId", true},
    {"subjects"},        {"subjectCodes"}};
const std::vector<ColumnSpec> kClasses = {{"sourcedId", true},
                                          {"status"},
                                          {"dateLastModified"},
                                          {"title", true},
                                          {"grades"},
                                          {"courseSourcedId", true},
                                          {"classCode"},
                                          {"classType", true},
                                          {"location"},
                                          {"schoolSourcedId", true},
                                          {"termSourcedIds", true},
                                          {"subjects"},
                                          {"subjectCodes"},
                                          {"periods"}};
const std::vector<ColumnSpec> kEnrollments = {{"sourcedId", true},
                                              {"status"},
                                              {"dateLastModified"},
                                              {"classSourcedId", true},
                                              {"schoolSourcedId", true},
                                              {"userSourcedId", true},
                                              {"role", true},
                                              {"primary"},
                                              {"beginDate"},
                                              {"endDate"}};
const std::vector<ColumnSpec> kUsers11 = {{"sourcedId", true},
                                          {"status"},
                                          {"dateLastModified"},
                                          {"enabledUser", true},
                                          {"orgSourcedIds", true},
                                          {"role", true},
                                          {"username", true},
                                          {"userIds"},
                                          {"givenName", true},
                                          {"familyName", true},
                                          {"middleName"},
                                          {"identifier"},
                                          {"email"},
                                          {"sms"},
                                          {"phone"},
                                          {"agentSourcedIds"},
                                          {"grades"},
                                          {"password"}};
const std::vector<ColumnSpec> kUsers12 = {{"sourcedId", true},
                                          {"status"},
                                          {"dateLastModified"},
                                          {"enabledUser", true},
                                          {"username", true},
                                          {"userIds"},
                                          {"givenName", true},
                                          {"familyName", true},
                                          {"middleName"},
                                          {"identifier"},
                                          {"email"},
                                          {"sms"},
                                          {"phone"},
                                          {"agentSourcedIds"},
                                          {"grades"},
                                          {"password"},
                                          {"userMasterIdentifier"},
                                          {"preferredGivenName"},
                                          {"preferredMiddleName"},
                                          {"preferredFamilyName"},
                                          {"primaryOrgSourcedId"},
                                          {"pronouns"}};
const std::vector<ColumnSpec> kRoles = {{"sourcedId", true},    {"status"},
                                        {"dateLastModified"},   {"userSourcedId", true},
                                        {"roleType", true},     {"role", true},
                                        {"beginDate"},          {"endDate"},
                                        {"orgSourcedId", true}, {"userProfileSourcedId"}};
const std::vector<ColumnSpec> kUserProfiles = {
    {"sourcedId", true},      {"status"},         {"dateLastModified"}, {"userSourcedId", true},
    {"profileType", true},    {"vendorId", true}, {"applicationId"},    {"description"},
    {"credentialType", true}, {"username", true}, {"password"}};
const std::vector<ColumnSpec> kDemographics = {{"sourcedId", true},
                                               {"status"},
                                               {"dateLastModified"},
                                               {"birthDate"},
                                               {"sex"},
                                               {"americanIndianOrAlaskaNative"},
                                               {"asian"},
                                               {"blackOrAfricanAmerican"},
                                               {"nativeHawaiianOrOtherPacificIslander"},
                                               {"white"},
                                               {"demographicRaceTwoOrMoreRaces"},
                                               {"hispanicOrLatinoEthnicity"},
                                               {"countryOfBirthCode"},
                                               {"stateOfBirthAbbreviation"},
                                               {"cityOfBirth"},
                                               {"publicSchoolResidenceStatus"}};

// Manifest file names: supported entities first (in import order), then the ones only warned
// about.
const std::vector<std::string> kSupported = {
    "orgs",         "academicSessions", "courses",     "users",       "roles",
    "userProfiles", "classes",          "enrollments", "demographics"};
const std::set<std::string> kKnownFiles = {"academicSessions",
                                           "categories",
                                           "classes",
                                           "classResources",
                                           "courses",
                                           "courseResources",
                                           "demographics",
                                           "enrollments",
                                           "lineItems",
                                           "orgs",
                                           "resources",
                                           "results",
                                           "users",
                                           "roles",
                                           "userProfiles",
                                           "userResources",
                                           "scoreScales",
                                           "lineItemLearningObjectiveIds",
                                           "lineItemScoreScales",
                                           "resultLearningObjectiveIds",
                                           "resultScoreScales"};

const std::vector<ColumnSpec>& SpecFor(const std::string& entity, Version v) {
  if (entity == "orgs") return kOrgs;
  if (entity == "academicSessions") return kSessions;
  if (entity == "courses") return kCourses;
  if (entity == "classes") return kClasses;
  if (entity == "enrollments") return kEnrollments;
  if (entity == "users") return v == Version::k1_1 ? kUsers11 : kUsers12;
  if (entity == "roles") return kRoles;
  if (entity == "userProfiles") return kUserProfiles;
  return kDemographics;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view part = s.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    start = end + 1;
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One data file, read whole.
struct Table {
  std::string entity, file;
  Mode mode = Mode::kBulk;
  std::unique_ptr<std::istringstream> text;
  std::unique_ptr<CsvTableReader> reader;
  std::vector<CsvRow> rows;
  std::vector<char> deleted;  // per row: status tobedeleted (or inactive in a 1.1 delta)
  std::vector<char> bad;      // per row: has an error
  const std::string& Get(std::size_t i, std::string_view col) const {
    return reader->Get(rows[i], col);
  }
};

// Maps a OneRoster user role to a Pathwise role; nullopt for an unknown one.
std::optional<Role> MapUserRole(std::string_view r) {
  if (r == "student") return Role::kStudent;
  if (r == "teacher" || r == "aide" || r == "proctor") return Role::kTeacher;
  if (r == "parent" || r == "guardian" || r == "relative") return Role::kGuardian;
  if (r == "administrator" || r == "districtAdministrator" || r == "siteAdministrator" ||
      r == "systemAdministrator" || r == "principal") {
    return Role::kAdministrator;
  }
  return std::nullopt;
}
constexpr const char* kUserRoles11 =
    "one of administrator, aide, guardian, parent, proctor, relative, student, teacher";
constexpr const char* kUserRoles12 =
    "one of administrator, aide, districtAdministrator, guardian, parent, principal, proctor, "
    "relative, siteAdministrator, student, systemAdministrator, teacher";

std::optional<EnrollmentRole> MapEnrollmentRole(std::string_view r) {
  if (r == "student") return EnrollmentRole::kStudent;
  if (r == "teacher" || r == "administrator") return EnrollmentRole::kTeacher;
  if (r == "aide" || r == "proctor") return EnrollmentRole::kAide;
  return std::nullopt;
}

class Importer {
 public:
  Importer(Store& store, const FilePackage& pkg, const ImportOptions& options)
      : store_(store), pkg_(pkg), options_(options), report_("oneroster", pkg.name()) {
    report_.check = options.check;
    report_.errors.set_max(options.max_errors);
  }

  Result<ImportReport> Run() {
    if (!ReadManifest()) return std::move(report_);
    ReadTables();
    if (!report_.ok()) return std::move(report_);
    PW_RETURN_IF_ERROR(LoadExisting());
    ValidateRows();
    if (!report_.ok()) {
      CountRejected();
      return std::move(report_);
    }
    PW_RETURN_IF_ERROR(
        RunImportTransaction(store_, options_, report_, [&]() -> Status { return Write(); }));
    return std::move(report_);
  }

 private:
  // ---- manifest
  bool ReadManifest() {
    if (!pkg_.Has("manifest.csv")) {
      report_.errors.Add(
          fmt::format("{}: manifest.csv: missing (a OneRoster package needs one)", pkg_.name()));
      return false;
    }
    Result<std::string> text = pkg_.Read("manifest.csv");
    if (!text.ok()) {
      report_.errors.Add(text.status().message());
      return false;
    }
    static const std::vector<ColumnSpec> kManifest = {{"propertyName", true}, {"value", true}};
    std::istringstream in(*text);
    CsvTableReader t(in, "manifest.csv", kManifest);
    ErrorList& errors = report_.errors;
    if (!t.ReadHeader(errors)) return false;
    CsvRow row;
    bool have_version = false;
    std::set<std::string> seen;
    while (t.Next(row, errors)) {
      const std::string& prop = t.Get(row, "propertyName");
      const std::string& value = t.Get(row, "value");
      if (!seen.insert(prop).second) {
        errors.Add(fmt::format("manifest.csv:{}: property \"{}\" appears twice", row.line, prop));
        continue;
      }
      if (prop == "oneroster.version") {
        have_version = true;
        if (value == "1.1") {
          version_ = Version::k1_1;
        } else if (value == "1.2") {
          version_ = Version::k1_2;
        } else {
          errors.Add(
              FieldError("manifest.csv", row.line, "value", "oneroster.version 1.1 or 1.2", value));
        }
      } else if (prop.starts_with("file.")) {
        const std::string entity = prop.substr(5);
        Mode mode;
        if (value == "bulk") {
          mode = Mode::kBulk;
        } else if (value == "delta") {
          mode = Mode::kDelta;
        } else if (value == "absent") {
          mode = Mode::kAbsent;
        } else {
          errors.Add(fmt::format("manifest.csv:{}: {}: expected bulk, delta or absent, got \"{}\"",
                                 row.line, prop, value));
          continue;
        }
        if (!kKnownFiles.count(entity)) {
          errors.Add(fmt::format("manifest.csv:{}: {}: not a OneRoster file", row.line, prop));
          continue;
        }
        modes_[entity] = mode;
        manifest_lines_[entity] = row.line;
      }
    }
    if (!have_version && errors.empty()) {
      errors.Add("manifest.csv: missing property \"oneroster.version\" (expected 1.1 or 1.2)");
    }
    if (!errors.empty()) return false;
    for (const auto& [entity, mode] : modes_) {
      if (mode == Mode::kAbsent) continue;
      if (version_ == Version::k1_1 && (entity == "roles" || entity == "userProfiles")) {
        errors.Add(fmt::format("manifest.csv:{}: file.{}: not part of OneRoster 1.1",
                               manifest_lines_[entity], entity));
        continue;
      }
      const std::string file = entity + ".csv";
      if (!pkg_.Has(file)) {
        std::optional<std::string> other = pkg_.FindIgnoringCase(file);
        errors.Add(fmt::format(
            "{}: missing, but the manifest lists file.{} as {}{}", file, entity,
            mode == Mode::kBulk ? "bulk" : "delta",
            other ? fmt::format(" (found \"{}\"; file names are case-sensitive)", *other) : ""));
        continue;
      }
      if (std::find(kSupported.begin(), kSupported.end(), entity) == kSupported.end()) {
        report_.warnings.push_back(
            fmt::format("{}: not imported (Pathwise reads rosters and demographics only)", file));
      }
    }
    return errors.empty();
  }

  // ---- reading every supported file
  void ReadTables() {
    for (const std::string& entity : kSupported) {
      auto it = modes_.find(entity);
      if (it == modes_.end() || it->second == Mode::kAbsent) continue;
      auto table = std::make_unique<Table>();
      table->entity = entity;
      table->file = entity + ".csv";
      table->mode = it->second;
      Result<std::string> text = pkg_.Read(table->file);
      if (!text.ok()) {
        report_.errors.Add(text.status().message());
        continue;
      }
      table->text = std::make_unique<std::istringstream>(std::move(*text));
      CsvTableOptions topts;
      topts.extension_prefix = "metadata.";
      table->reader = std::make_unique<CsvTableReader>(*table->text, table->file,
                                                       SpecFor(entity, version_), topts);
      EntityCounts& counts = report_.Entity(entity);
      if (!table->reader->ReadHeader(report_.errors)) continue;
      CsvRow row;
      while (table->reader->Next(row, report_.errors)) table->rows.push_back(std::move(row));
      counts.read = table->reader->rows_read();
      counts.rejected = counts.read - static_cast<std::int64_t>(table->rows.size());
      table->deleted.assign(table->rows.size(), 0);
      table->bad.assign(table->rows.size(), 0);
      tables_[entity] = std::move(table);
    }
  }

  Table* T(const std::string& entity) {
    auto it = tables_.find(entity);
    return it == tables_.end() ? nullptr : it->second.get();
  }

  void Error(Table& t, std::size_t i, std::string message) {
    t.bad[i] = 1;
    report_.errors.Add(std::move(message));
  }
  void FieldErr(Table& t, std::size_t i, std::string_view column, std::string_view expected,
                std::string_view value) {
    Error(t, i, FieldError(t.file, t.rows[i].line, column, expected, value));
  }

  // ---- what the store already has (references may point there)
  Status LoadExisting() {
    PW_ASSIGN_OR_RETURN(std::vector<Org> orgs, store_.ListOrgs());
    for (const Org& o : orgs) {
      if (!o.source_id.empty()) org_ids_[o.source_id] = o.id;
    }
    PW_ASSIGN_OR_RETURN(std::vector<AcademicSession> sessions, store_.ListSessions());
    for (const AcademicSession& s : sessions) {
      if (!s.source_id.empty()) session_ids_[s.source_id] = s.id;
    }
    PW_ASSIGN_OR_RETURN(std::vector<Course> courses, store_.ListCourses());
    for (const Course& c : courses) {
      if (!c.source_id.empty()) course_ids_[c.source_id] = c.id;
    }
    PW_ASSIGN_OR_RETURN(std::vector<ClassSection> classes, store_.ListClasses({}));
    for (const ClassSection& c : classes) {
      if (!c.source_id.empty()) class_ids_[c.source_id] = c.id;
    }
    return OkStatus();
  }

  // A person already stored, by sourcedId (cached).
  Result<std::optional<Person>> StoredPerson(const std::string& sid) {
    auto it = stored_people_.find(sid);
    if (it != stored_people_.end()) return it->second;
    PW_ASSIGN_OR_RETURN(std::optional<Person> p, store_.FindPersonBySourceId(sid));
    stored_people_[sid] = p;
    return p;
  }

  // ---- validation of every row, before anything is written
  void ValidateRows() {
    // The sourcedIds each file defines (rows not being deleted).
    for (auto& [entity, t] : tables_) {
      auto& ids = defined_[entity];
      std::unordered_map<std::string, std::int64_t> first_line;
      for (std::size_t i = 0; i < t->rows.size(); ++i) {
        ValidateCommon(*t, i);
        const std::string& sid = t->Get(i, "sourcedId");
        if (sid.empty()) continue;
        auto [pos, fresh] = first_line.emplace(sid, t->rows[i].line);
        if (!fresh) {
          Error(*t, i,
                fmt::format("{}:{}: column \"sourcedId\": \"{}\" appears twice (first on "
                            "line {})",
                            t->file, t->rows[i].line, sid, pos->second));
          continue;
        }
        if (!t->deleted[i]) ids.insert(sid);
      }
    }
    if (Table* t = T("orgs")) ValidateOrgs(*t);
    if (Table* t = T("academicSessions")) ValidateSessions(*t);
    if (Table* t = T("courses")) ValidateCourses(*t);
    if (Table* t = T("roles")) ValidateRoles(*t);
    if (Table* t = T("users")) ValidateUsers(*t);
    if (Table* t = T("userProfiles")) ValidateUserRefs(*t, "userSourcedId");
    if (Table* t = T("classes")) ValidateClasses(*t);
    if (Table* t = T("enrollments")) ValidateEnrollments(*t);
    if (Table* t = T("demographics")) ValidateDemographics(*t);
  }

  void CountRejected() {
    for (auto& [entity, t] : tables_) {
      EntityCounts& c = report_.Entity(entity);
      for (char b : t->bad) c.rejected += b ? 1 : 0;
    }
  }

  void ValidateCommon(Table& t, std::size_t i) {
    const std::string& status = t.Get(i, "status");
    if (t.mode == Mode::kBulk) {
      if (!status.empty() && status != "active") {
        FieldErr(t, i, "status",
                 "active or blank in a bulk file (tobedeleted belongs in a delta file)", status);
      }
    } else if (status == "tobedeleted" || (status == "inactive" && version_ == Version::k1_1)) {
      t.deleted[i] = 1;
    } else if (status != "active") {
      FieldErr(t, i, "status",
               version_ == Version::k1_1 ? "active, tobedeleted or inactive in a delta file"
                                         : "active or tobedeleted in a delta file",
               status);
    }
    const std::string& modified = t.Get(i, "dateLastModified");
    if (!modified.empty() && !ParseTimestamp(modified).ok()) {
      FieldErr(t, i, "dateLastModified", "an ISO 8601 date-time such as 2023-05-01T18:25:43.511Z",
               modified);
    }
    if (t.Get(i, "sourcedId").empty()) FieldErr(t, i, "sourcedId", "a sourcedId", "");
    if (t.deleted[i]) return;
    for (const ColumnSpec& c : SpecFor(t.entity, version_)) {
      if (c.required && c.name != "sourcedId" && t.Get(i, c.name).empty()) {
        FieldErr(t, i, c.name, "a value (the column is required)", "");
      }
    }
  }

  // A reference to another entity: in this package (not being deleted) or already stored.
  bool Known(const std::string& entity, const std::string& sid) {
    if (defined_[entity].count(sid)) return true;
    if (entity == "orgs") return org_ids_.count(sid) > 0;
    if (entity == "academicSessions") return session_ids_.count(sid) > 0;
    if (entity == "courses") return course_ids_.count(sid) > 0;
    if (entity == "classes") return class_ids_.count(sid) > 0;
    if (entity == "users") {
      Result<std::optional<Person>> p = StoredPerson(sid);
      return p.ok() && p->has_value();
    }
    return false;
  }
  void CheckRef(Table& t, std::size_t i, std::string_view column, const std::string& entity,
                const std::string& sid) {
    if (sid.empty() || Known(entity, sid)) return;
    const char* what = entity == "orgs"               ? "org"
                       : entity == "academicSessions" ? "academic session"
                       : entity == "courses"          ? "course"
                       : entity == "classes"          ? "class"
                                                      : "user";
    Error(t, i,
          fmt::format("{}:{}: column \"{}\": {} \"{}\" is neither in the package nor in the "
                      "database",
                      t.file, t.rows[i].line, column, what, sid));
  }
  void CheckDate(Table& t, std::size_t i, std::string_view column) {
    const std::string& v = t.Get(i, column);
    if (!v.empty() && !ParseDate(v).ok()) FieldErr(t, i, column, "a date YYYY-MM-DD", v);
  }
  void CheckBool(Table& t, std::size_t i, std::string_view column) {
    const std::string l = Lower(t.Get(i, column));
    if (!l.empty() && l != "true" && l != "false") {
      FieldErr(t, i, column, "true or false", t.Get(i, column));
    }
  }

  void ValidateOrgs(Table& t) {
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (t.deleted[i]) continue;
      const std::string& type = t.Get(i, "type");
      if (!type.empty() && !ParseOrgType(type).ok()) {
        FieldErr(t, i, "type", "one of department, district, local, national, school, state", type);
      }
      CheckRef(t, i, "parentSourcedId", "orgs", t.Get(i, "parentSourcedId"));
    }
  }

  void ValidateSessions(Table& t) {
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (t.deleted[i]) continue;
      const std::string& type = t.Get(i, "type");
      if (!type.empty() && !ParseSessionType(type).ok()) {
        FieldErr(t, i, "type", "one of gradingPeriod, schoolYear, semester, term", type);
      }
      CheckDate(t, i, "startDate");
      CheckDate(t, i, "endDate");
      const std::string& year = t.Get(i, "schoolYear");
      if (!year.empty() &&
          (year.size() != 4 || !std::all_of(year.begin(), year.end(), ::isdigit))) {
        FieldErr(t, i, "schoolYear", "a four-digit year", year);
      }
      CheckRef(t, i, "parentSourcedId", "academicSessions", t.Get(i, "parentSourcedId"));
    }
  }

  void ValidateCourses(Table& t) {
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (t.deleted[i]) continue;
      CheckRef(t, i, "orgSourcedId", "orgs", t.Get(i, "orgSourcedId"));
      CheckRef(t, i, "schoolYearSourcedId", "academicSessions", t.Get(i, "schoolYearSourcedId"));
    }
  }

  void ValidateRoles(Table& t) {
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (t.deleted[i]) continue;
      const std::string& type = t.Get(i, "roleType");
      if (type != "primary" && type != "secondary") {
        FieldErr(t, i, "roleType", "primary or secondary", type);
      }
      const std::string& role = t.Get(i, "role");
      if (!MapUserRole(role)) FieldErr(t, i, "role", kUserRoles12, role);
      CheckDate(t, i, "beginDate");
      CheckDate(t, i, "endDate");
      CheckRef(t, i, "userSourcedId", "users", t.Get(i, "userSourcedId"));
      CheckRef(t, i, "orgSourcedId", "orgs", t.Get(i, "orgSourcedId"));
      // The role that decides: the first primary one, else the first.
      const std::string& user = t.Get(i, "userSourcedId");
      auto it = role_row_.find(user);
      if (it == role_row_.end() ||
          (type == "primary" && t.Get(it->second, "roleType") != "primary")) {
        role_row_[user] = i;
      }
    }
  }

  void ValidateUsers(Table& t) {
    const bool v11 = version_ == Version::k1_1;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (t.deleted[i]) continue;
      CheckBool(t, i, "enabledUser");
      const std::string& sid = t.Get(i, "sourcedId");
      if (v11) {
        const std::string& role = t.Get(i, "role");
        if (!role.empty() && !MapUserRole(role)) FieldErr(t, i, "role", kUserRoles11, role);
        for (const std::string& org : SplitList(t.Get(i, "orgSourcedIds"))) {
          CheckRef(t, i, "orgSourcedIds", "orgs", org);
        }
      } else {
        CheckRef(t, i, "primaryOrgSourcedId", "orgs", t.Get(i, "primaryOrgSourcedId"));
        if (!role_row_.count(sid)) {
          Result<std::optional<Person>> stored = StoredPerson(sid);
          if (stored.ok() && !stored->has_value()) {
            Error(t, i,
                  fmt::format("{}:{}: user \"{}\" has no role (OneRoster 1.2 gives roles in "
                              "roles.csv, and it has none for this user)",
                              t.file, t.rows[i].line, sid));
          }
        }
      }
      for (const std::string& agent : SplitList(t.Get(i, "agentSourcedIds"))) {
        CheckRef(t, i, "agentSourcedIds", "users", agent);
      }
    }
  }

  void ValidateUserRefs(Table& t, std::string_view column) {
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (!t.deleted[i]) CheckRef(t, i, column, "users", t.Get(i, column));
    }
  }

  void ValidateClasses(Table& t) {
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (t.deleted[i]) continue;
      const std::string& type = t.Get(i, "classType");
      if (!type.empty() && type != "homeroom" && type != "scheduled") {
        FieldErr(t, i, "classType", "homeroom or scheduled", type);
      }
      CheckRef(t, i, "courseSourcedId", "courses", t.Get(i, "courseSourcedId"));
      CheckRef(t, i, "schoolSourcedId", "orgs", t.Get(i, "schoolSourcedId"));
      for (const std::string& term : SplitList(t.Get(i, "termSourcedIds"))) {
        CheckRef(t, i, "termSourcedIds", "academicSessions", term);
      }
    }
  }

  void ValidateEnrollments(Table& t) {
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (t.deleted[i]) continue;
      const std::string& role = t.Get(i, "role");
      if (!role.empty() && !MapEnrollmentRole(role)) {
        FieldErr(t, i, "role", "one of administrator, aide, proctor, student, teacher", role);
      }
      CheckBool(t, i, "primary");
      CheckDate(t, i, "beginDate");
      CheckDate(t, i, "endDate");
      CheckRef(t, i, "classSourcedId", "classes", t.Get(i, "classSourcedId"));
      CheckRef(t, i, "schoolSourcedId", "orgs", t.Get(i, "schoolSourcedId"));
      CheckRef(t, i, "userSourcedId", "users", t.Get(i, "userSourcedId"));
    }
  }

  void ValidateDemographics(Table& t) {
    static const char* kFlags[] = {"americanIndianOrAlaskaNative",
                                   "asian",
                                   "blackOrAfricanAmerican",
                                   "nativeHawaiianOrOtherPacificIslander",
                                   "white",
                                   "demographicRaceTwoOrMoreRaces",
                                   "hispanicOrLatinoEthnicity"};
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (t.deleted[i]) continue;
      CheckDate(t, i, "birthDate");
      const std::string& sex = t.Get(i, "sex");
      if (!sex.empty() && sex != "male" && sex != "female" && sex != "other" &&
          sex != "unspecified") {
        FieldErr(t, i, "sex", "one of female, male, other, unspecified", sex);
      }
      for (const char* flag : kFlags) CheckBool(t, i, flag);
      CheckRef(t, i, "sourcedId", "users", t.Get(i, "sourcedId"));
    }
  }

  // ---- writing (inside the transaction)
  Status Write() {
    if (Table* t = T("orgs")) PW_RETURN_IF_ERROR(WriteOrgs(*t));
    if (Table* t = T("academicSessions")) PW_RETURN_IF_ERROR(WriteSessions(*t));
    if (Table* t = T("courses")) PW_RETURN_IF_ERROR(WriteCourses(*t));
    if (Table* t = T("users")) PW_RETURN_IF_ERROR(WriteUsers(*t));
    if (Table* t = T("roles")) CountFolded(*t, "roles fold into users");
    if (Table* t = T("userProfiles")) {
      CountFolded(*t, "");
      report_.warnings.push_back(fmt::format(
          "userProfiles.csv: {} rows checked, not stored (Pathwise keeps its own sign-in "
          "accounts)",
          t->rows.size()));
    }
    if (Table* t = T("classes")) PW_RETURN_IF_ERROR(WriteClasses(*t));
    if (Table* t = T("enrollments")) PW_RETURN_IF_ERROR(WriteEnrollments(*t));
    if (Table* t = T("users")) PW_RETURN_IF_ERROR(WriteGuardians(*t));
    if (Table* t = T("demographics")) PW_RETURN_IF_ERROR(WriteDemographics(*t));
    return OkStatus();
  }

  void CountFolded(Table& t, std::string_view) {
    report_.Entity(t.entity).unchanged += static_cast<std::int64_t>(t.rows.size());
  }

  // Where a row failed in the store: prefix the store's message with the file position.
  Status At(const Table& t, std::size_t i, const Status& s) {
    return s.WithPrefix(fmt::format("{}:{}", t.file, t.rows[i].line));
  }

  // Writes rows whose parent (same entity) must be written first, in parent-first order.
  Status WriteParentFirst(Table& t, std::unordered_map<std::string, Id>& ids,
                          const std::function<Status(std::size_t)>& put) {
    std::vector<std::size_t> pending;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (!t.deleted[i]) pending.push_back(i);
    }
    while (!pending.empty()) {
      std::vector<std::size_t> later;
      for (std::size_t i : pending) {
        const std::string& parent = t.Get(i, "parentSourcedId");
        if (parent.empty() || ids.count(parent)) {
          PW_RETURN_IF_ERROR(put(i));
        } else {
          later.push_back(i);
        }
      }
      if (later.size() == pending.size()) {
        return InvalidArgumentError("{}:{}: column \"parentSourcedId\": the parents form a cycle",
                                    t.file, t.rows[later.front()].line);
      }
      pending = std::move(later);
    }
    return OkStatus();
  }

  void KeepDeleted(Table& t, std::string_view what) {
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (!t.deleted[i]) continue;
      report_.Entity(t.entity).unchanged++;
      report_.warnings.push_back(fmt::format(
          "{}:{}: {} \"{}\" is marked tobedeleted; kept, since classes and history refer to it",
          t.file, t.rows[i].line, what, t.Get(i, "sourcedId")));
    }
  }

  Status WriteOrgs(Table& t) {
    PW_RETURN_IF_ERROR(WriteParentFirst(t, org_ids_, [&](std::size_t i) -> Status {
      Org o;
      o.source_id = t.Get(i, "sourcedId");
      o.name = t.Get(i, "name");
      o.type = *ParseOrgType(t.Get(i, "type"));
      const std::string& parent = t.Get(i, "parentSourcedId");
      o.parent_id = parent.empty() ? kNoId : org_ids_.at(parent);
      Result<PutOutcome> r = store_.PutOrg(o);
      if (!r.ok()) return At(t, i, r.status());
      report_.Count(t.entity, *r);
      org_ids_[o.source_id] = o.id;
      return OkStatus();
    }));
    KeepDeleted(t, "org");
    return OkStatus();
  }

  Status WriteSessions(Table& t) {
    PW_RETURN_IF_ERROR(WriteParentFirst(t, session_ids_, [&](std::size_t i) -> Status {
      AcademicSession s;
      s.source_id = t.Get(i, "sourcedId");
      s.title = t.Get(i, "title");
      s.type = *ParseSessionType(t.Get(i, "type"));
      s.start = *ParseDate(t.Get(i, "startDate"));
      s.end = *ParseDate(t.Get(i, "endDate"));
      s.school_year = std::stoi(t.Get(i, "schoolYear"));
      const std::string& parent = t.Get(i, "parentSourcedId");
      s.parent_id = parent.empty() ? kNoId : session_ids_.at(parent);
      Result<PutOutcome> r = store_.PutSession(s);
      if (!r.ok()) return At(t, i, r.status());
      report_.Count(t.entity, *r);
      session_ids_[s.source_id] = s.id;
      return OkStatus();
    }));
    KeepDeleted(t, "academic session");
    return OkStatus();
  }

  Status WriteCourses(Table& t) {
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (t.deleted[i]) continue;
      Course c;
      c.source_id = t.Get(i, "sourcedId");
      // Keep what Pathwise adds to a course (framework, required competencies).
      if (auto it = course_ids_.find(c.source_id); it != course_ids_.end()) {
        PW_ASSIGN_OR_RETURN(c, store_.GetCourse(it->second));
        c.id = kNoId;
      }
      c.title = t.Get(i, "title");
      c.code = t.Get(i, "courseCode");
      c.org_id = org_ids_.at(t.Get(i, "orgSourcedId"));
      Result<PutOutcome> r = store_.PutCourse(c);
      if (!r.ok()) return At(t, i, r.status());
      report_.Count(t.entity, *r);
      course_ids_[c.source_id] = c.id;
    }
    KeepDeleted(t, "course");
    return OkStatus();
  }

  Result<Id> PersonId(const std::string& sid) {
    auto it = person_ids_.find(sid);
    if (it != person_ids_.end()) return it->second;
    PW_ASSIGN_OR_RETURN(std::optional<Person> p, StoredPerson(sid));
    if (!p) return InvalidArgumentError("user \"{}\" does not exist", sid);
    person_ids_[sid] = p->id;
    person_roles_[sid] = p->role;
    return p->id;
  }

  Status WriteUsers(Table& t) {
    Table* roles = T("roles");
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      const std::string& sid = t.Get(i, "sourcedId");
      if (t.deleted[i]) continue;
      Person p;
      p.source_id = sid;
      p.given_name = t.Get(i, "givenName");
      p.family_name = t.Get(i, "familyName");
      p.email = t.Get(i, "email");
      std::string org;
      if (version_ == Version::k1_1) {
        p.role = *MapUserRole(t.Get(i, "role"));
        std::vector<std::string> orgs = SplitList(t.Get(i, "orgSourcedIds"));
        if (!orgs.empty()) org = orgs.front();
      } else {
        org = t.Get(i, "primaryOrgSourcedId");
        auto rr = role_row_.find(sid);
        if (rr != role_row_.end() && roles != nullptr) {
          p.role = *MapUserRole(roles->Get(rr->second, "role"));
          if (org.empty()) org = roles->Get(rr->second, "orgSourcedId");
        } else {
          PW_ASSIGN_OR_RETURN(std::optional<Person> stored, StoredPerson(sid));
          p.role = stored->role;
        }
      }
      if (p.role == Role::kStudent) {
        std::vector<std::string> grades = SplitList(t.Get(i, "grades"));
        if (!grades.empty()) p.grade = grades.front();
      }
      p.org_id = org.empty() ? kNoId : org_ids_.at(org);
      Result<PutOutcome> r = store_.PutPerson(p);
      if (!r.ok()) return At(t, i, r.status());
      report_.Count(t.entity, *r);
      person_ids_[sid] = p.id;
      person_roles_[sid] = p.role;
    }
    // Deletions: the person keeps their record and history, loses enrollments and links.
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (!t.deleted[i]) continue;
      PW_ASSIGN_OR_RETURN(std::optional<Person> p, StoredPerson(t.Get(i, "sourcedId")));
      if (!p) {
        report_.Entity(t.entity).unchanged++;
        continue;
      }
      PW_ASSIGN_OR_RETURN(std::vector<Enrollment> enrollments,
                          store_.ListEnrollments(std::nullopt, p->id));
      for (const Enrollment& e : enrollments) {
        PW_ASSIGN_OR_RETURN(bool gone, store_.DeleteEnrollment(e.id));
        (void)gone;
      }
      PW_ASSIGN_OR_RETURN(std::vector<GuardianLink> as_student,
                          store_.ListGuardianLinks(p->id, std::nullopt));
      PW_ASSIGN_OR_RETURN(std::vector<GuardianLink> as_guardian,
                          store_.ListGuardianLinks(std::nullopt, p->id));
      for (const auto* links : {&as_student, &as_guardian}) {
        for (const GuardianLink& l : *links) {
          PW_ASSIGN_OR_RETURN(bool gone, store_.DeleteGuardianLink(l.guardian_id, l.student_id));
          (void)gone;
        }
      }
      report_.Entity(t.entity).deleted++;
    }
    return OkStatus();
  }

  Status WriteClasses(Table& t) {
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      const std::string& sid = t.Get(i, "sourcedId");
      if (t.deleted[i]) {
        auto it = class_ids_.find(sid);
        if (it == class_ids_.end()) {
          report_.Entity(t.entity).unchanged++;
          continue;
        }
        PW_ASSIGN_OR_RETURN(std::vector<Enrollment> enrollments,
                            store_.ListEnrollments(it->second, std::nullopt));
        for (const Enrollment& e : enrollments) {
          PW_ASSIGN_OR_RETURN(bool gone, store_.DeleteEnrollment(e.id));
          (void)gone;
        }
        report_.Entity(t.entity).deleted++;
        continue;
      }
      ClassSection c;
      c.source_id = sid;
      c.title = t.Get(i, "title");
      c.course_id = course_ids_.at(t.Get(i, "courseSourcedId"));
      c.school_id = org_ids_.at(t.Get(i, "schoolSourcedId"));
      std::vector<std::string> terms = SplitList(t.Get(i, "termSourcedIds"));
      c.session_id = terms.empty() ? kNoId : session_ids_.at(terms.front());
      c.period = t.Get(i, "periods");
      Result<PutOutcome> r = store_.PutClass(c);
      if (!r.ok()) return At(t, i, r.status());
      report_.Count(t.entity, *r);
      class_ids_[sid] = c.id;
    }
    return OkStatus();
  }

  Status WriteEnrollments(Table& t) {
    // Stored enrollments by sourcedId, only needed for deletions.
    std::unordered_map<std::string, Id> stored;
    bool loaded = false;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      const std::string& sid = t.Get(i, "sourcedId");
      if (t.deleted[i]) {
        if (!loaded) {
          PW_ASSIGN_OR_RETURN(std::vector<Enrollment> all,
                              store_.ListEnrollments(std::nullopt, std::nullopt));
          for (const Enrollment& e : all) {
            if (!e.source_id.empty()) stored[e.source_id] = e.id;
          }
          loaded = true;
        }
        auto it = stored.find(sid);
        bool gone = false;
        if (it != stored.end()) {
          PW_ASSIGN_OR_RETURN(gone, store_.DeleteEnrollment(it->second));
        }
        if (gone) {
          report_.Entity(t.entity).deleted++;
        } else {
          report_.Entity(t.entity).unchanged++;
        }
        continue;
      }
      Enrollment e;
      e.source_id = sid;
      e.class_id = class_ids_.at(t.Get(i, "classSourcedId"));
      Result<Id> person = PersonId(t.Get(i, "userSourcedId"));
      if (!person.ok()) return At(t, i, person.status());
      e.person_id = *person;
      e.role = *MapEnrollmentRole(t.Get(i, "role"));
      e.primary = Lower(t.Get(i, "primary")) == "true";
      if (const std::string& b = t.Get(i, "beginDate"); !b.empty()) e.begin = *ParseDate(b);
      if (const std::string& d = t.Get(i, "endDate"); !d.empty()) e.end = *ParseDate(d);
      Result<PutOutcome> r = store_.PutEnrollment(e);
      if (!r.ok()) return At(t, i, r.status());
      report_.Count(t.entity, *r);
    }
    return OkStatus();
  }

  Status WriteGuardians(Table& t) {
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (t.deleted[i]) continue;
      const std::string& sid = t.Get(i, "sourcedId");
      for (const std::string& agent : SplitList(t.Get(i, "agentSourcedIds"))) {
        PW_ASSIGN_OR_RETURN(Id agent_id, PersonId(agent));
        const Role mine = person_roles_.at(sid);
        const Role theirs = person_roles_.at(agent);
        GuardianLink link;
        if (mine == Role::kStudent && theirs == Role::kGuardian) {
          link = {agent_id, person_ids_.at(sid), "guardian"};
        } else if (mine == Role::kGuardian && theirs == Role::kStudent) {
          link = {person_ids_.at(sid), agent_id, "guardian"};
        } else {
          if (report_.warnings.size() < 50) {
            report_.warnings.push_back(fmt::format(
                "{}:{}: agentSourcedIds \"{}\": a {} is the agent of a {}; only guardian-student "
                "pairs become guardian links",
                t.file, t.rows[i].line, agent, RoleName(theirs), RoleName(mine)));
          }
          continue;
        }
        Result<PutOutcome> r = store_.PutGuardianLink(link);
        if (!r.ok()) return At(t, i, r.status());
        report_.Count("guardianLinks", *r);
        report_.Entity("guardianLinks").read++;
      }
    }
    return OkStatus();
  }

  Status WriteDemographics(Table& t) {
    static const char* kRaces[] = {
        "americanIndianOrAlaskaNative",         "asian", "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces"};
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      if (t.deleted[i]) {
        report_.Entity(t.entity).unchanged++;
        continue;
      }
      Demographics d;
      Result<Id> person = PersonId(t.Get(i, "sourcedId"));
      if (!person.ok()) return At(t, i, person.status());
      d.person_id = *person;
      if (const std::string& b = t.Get(i, "birthDate"); !b.empty()) d.birth_date = *ParseDate(b);
      d.sex = t.Get(i, "sex");
      for (const char* race : kRaces) {
        if (Lower(t.Get(i, race)) == "true") {
          if (!d.races.empty()) d.races += ",";
          d.races += race;
        }
      }
      const std::string h = Lower(t.Get(i, "hispanicOrLatinoEthnicity"));
      if (!h.empty()) d.hispanic_or_latino = h == "true";
      d.country_of_birth = t.Get(i, "countryOfBirthCode");
      d.state_of_birth = t.Get(i, "stateOfBirthAbbreviation");
      d.city_of_birth = t.Get(i, "cityOfBirth");
      d.public_school_residence_status = t.Get(i, "publicSchoolResidenceStatus");
      Result<PutOutcome> r = store_.PutDemographics(d);
      if (!r.ok()) return At(t, i, r.status());
      report_.Count(t.entity, *r);
    }
    return OkStatus();
  }

  Store& store_;
  const FilePackage& pkg_;
  ImportOptions options_;
  ImportReport report_;
  Version version_ = Version::k1_1;
  std::map<std::string, Mode> modes_;
  std::map<std::string, std::int64_t> manifest_lines_;
  std::map<std::string, std::unique_ptr<Table>> tables_;
  std::unordered_map<std::string, std::unordered_set<std::string>> defined_;
  std::unordered_map<std::string, std::size_t> role_row_;  // user sourcedId -> roles.csv row
  std::unordered_map<std::string, Id> org_ids_, session_ids_, course_ids_, class_ids_;
  std::unordered_map<std::string, Id> person_ids_;
  std::unordered_map<std::string, Role> person_roles_;
  std::unordered_map<std::string, std::optional<Person>> stored_people_;
};

}  // namespace

Result<ImportReport> ImportOneRoster(Store& store, const FilePackage& package,
                                     const ImportOptions& options) {
  Importer importer(store, package, options);
  return importer.Run();
}

}  // namespace pw::ingest
