// Import speed: a simulated district's OneRoster 1.1 package (orgs, sessions, courses, classes,
// users with guardians, enrollments) and a daily-attendance CSV, each imported through the
// ingest layer (parse, validate every value and reference, one transaction) and compared with
// a raw-SQLite baseline that inserts the same rows, in the same process, into an identical
// schema (a freshly migrated Store database) with one prepared INSERT per table and one
// transaction, no validation, and the same SQLite settings (WAL, synchronous=NORMAL, foreign
// keys, the page cache the Store uses for that work). Attendance has a second, stronger
// baseline: raw inserts written the way our import writes them (key-sorted batches, 64-row
// INSERTs), the floor for this table.
//
//   build/release/bench/bench_import [--students N] [--attendance-rows M] [--seed S] [--dir DIR]
//                                    [--batch-rows R] [--no-baseline]   (only ours: for a profiler)
//
// Targets (issue 7): 100,000 students with their enrollments in under 10 s; 10 million
// attendance rows in under 20 s. Prints wall time and the thread's CPU time (the machine may be
// shared) for ours and for the baseline, and the ratio ours / baseline.
#include <fmt/core.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/random.h"
#include "ingest/file_package.h"
#include "ingest/oneroster.h"
#include "ingest/tabular.h"
#include "sim/framework_gen.h"
#include "sim/school.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace {

using namespace pw;
using bench::Check;
using bench::CheckSql;
using bench::CpuSeconds;
using bench::Die;

struct Args {
  int students = 100'000;
  long attendance_rows = 10'000'000;
  std::uint64_t seed = 20261126;
  std::string dir;
  std::size_t batch_rows = ingest::TabularOptions{}.batch_rows;
  bool baseline = true;  // --no-baseline: only ours (for profiling)
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--students") {
      a.students = std::atoi(value().c_str());
      if (a.students < 100) Die("--students must be at least 100");
    } else if (flag == "--attendance-rows") {
      a.attendance_rows = std::strtol(value().c_str(), nullptr, 10);
      if (a.attendance_rows < 1) Die("--attendance-rows must be positive");
    } else if (flag == "--seed") {
      a.seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (flag == "--dir") {
      a.dir = value();
    } else if (flag == "--batch-rows") {
      a.batch_rows = std::strtoul(value().c_str(), nullptr, 10);
      if (a.batch_rows < 1) Die("--batch-rows must be positive");
    } else if (flag == "--no-baseline") {
      a.baseline = false;
    } else {
      Die("unknown argument \"" + flag +
          "\" (expected --students N, --attendance-rows M, --seed S, --dir DIR, "
          "--batch-rows R, --no-baseline)");
    }
  }
  return a;
}

struct Timer {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  double cpu0 = Cpu();
  static double Cpu() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
  double Wall() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double CpuSeconds() const { return Cpu() - cpu0; }
};

std::string Sid(const std::string& kind, Id id) { return fmt::format("{}-{}", kind, id); }

// Writes the simulated school as a OneRoster 1.1 bulk package (one directory).
void WritePackage(const sim::SimulatedSchool& s, const std::string& dir) {
  std::filesystem::create_directories(dir);
  auto open = [&](const char* name) {
    std::ofstream f(dir + "/" + name);
    if (!f) Die(std::string("cannot write ") + name);
    return f;
  };
  {
    auto f = open("manifest.csv");
    f << "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
         "file.academicSessions,bulk\nfile.classes,bulk\nfile.courses,bulk\n"
         "file.enrollments,bulk\nfile.orgs,bulk\nfile.users,bulk\nfile.demographics,absent\n";
  }
  {
    auto f = open("orgs.csv");
    f << "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n";
    for (const Org& o : s.orgs) {
      f << Sid("org", o.id) << ",active,2026-08-01,\"" << o.name << "\"," << OrgTypeName(o.type)
        << ",," << (o.parent_id ? Sid("org", o.parent_id) : "") << "\n";
    }
  }
  {
    auto f = open("academicSessions.csv");
    f << "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,"
         "schoolYear\n";
    for (const AcademicSession& a : s.sessions) {
      f << Sid("as", a.id) << ",,,\"" << a.title << "\"," << SessionTypeName(a.type) << ","
        << FormatDate(a.start) << "," << FormatDate(a.end) << ","
        << (a.parent_id ? Sid("as", a.parent_id) : "") << "," << a.school_year << "\n";
    }
  }
  {
    auto f = open("courses.csv");
    f << "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
         "orgSourcedId,subjects,subjectCodes\n";
    for (const Course& c : s.courses) {
      f << Sid("crs", c.id) << ",,,,\"" << c.title << "\"," << c.code << ",06,"
        << Sid("org", c.org_id) << ",Math,\n";
    }
  }
  {
    auto f = open("classes.csv");
    f << "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
         "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n";
    for (const ClassSection& c : s.classes) {
      f << Sid("cls", c.id) << ",,,\"" << c.title << "\",06," << Sid("crs", c.course_id)
        << ",,scheduled,," << Sid("org", c.school_id) << "," << Sid("as", c.session_id) << ",Math,,"
        << c.period << "\n";
    }
  }
  {
    // Guardians name their children in agentSourcedIds (and children their guardians).
    std::vector<std::string> agents(s.people.size() + 1);
    std::vector<std::size_t> index_of(s.people.size() + 2, 0);
    for (std::size_t i = 0; i < s.people.size(); ++i) {
      if (static_cast<std::size_t>(s.people[i].id) < index_of.size()) {
        index_of[static_cast<std::size_t>(s.people[i].id)] = i;
      }
    }
    for (const GuardianLink& g : s.guardian_links) {
      std::string& a = agents[index_of[static_cast<std::size_t>(g.student_id)]];
      if (!a.empty()) a += ",";
      a += Sid("usr", g.guardian_id);
    }
    auto f = open("users.csv");
    f << "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
         "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
         "password\n";
    for (std::size_t i = 0; i < s.people.size(); ++i) {
      const Person& p = s.people[i];
      const char* role = p.role == Role::kStudent   ? "student"
                         : p.role == Role::kTeacher ? "teacher"
                                                    : "parent";
      f << Sid("usr", p.id) << ",,,true," << (p.org_id ? Sid("org", p.org_id) : "") << "," << role
        << ",u" << p.id << ",," << p.given_name << "," << p.family_name << ",,," << p.email
        << ",,,\"" << agents[i] << "\"," << p.grade << ",\n";
    }
  }
  {
    auto f = open("enrollments.csv");
    f << "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
         "primary,beginDate,endDate\n";
    std::vector<Id> school_of(s.classes.size() + 2, 0);
    for (const ClassSection& c : s.classes) {
      if (static_cast<std::size_t>(c.id) < school_of.size()) {
        school_of[static_cast<std::size_t>(c.id)] = c.school_id;
      }
    }
    for (const Enrollment& e : s.enrollments) {
      f << Sid("enr", e.id) << ",,," << Sid("cls", e.class_id) << ","
        << Sid("org", school_of[static_cast<std::size_t>(e.class_id)]) << ","
        << Sid("usr", e.person_id) << "," << EnrollmentRoleName(e.role) << ","
        << (e.primary ? "true" : "false") << ",,\n";
    }
  }
}

std::unique_ptr<Store> FreshStore(const std::string& path) {
  std::filesystem::remove(path);
  auto s = OpenStore("sqlite:" + path);
  if (!s.ok()) Die(s.status().ToString());
  Check((*s)->Migrate(), "migrate");
  return std::move(s).value();
}

// The same settings the Store uses for the same work: WAL, synchronous=NORMAL, foreign keys,
// and its page cache (`cache_mib`: SqliteOptions::cache_mib for the roster, bulk_cache_mib for
// attendance, which the Store raises the cache to for a bulk batch).
sqlite3* OpenRaw(const std::string& path, int cache_mib) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("sqlite3_open " + path);
  const std::string pragmas = fmt::format(
      "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
      "PRAGMA foreign_keys=ON; PRAGMA "
      "cache_size=-{};",
      cache_mib * 1024);
  CheckSql(db, sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, nullptr), "pragmas");
  return db;
}

// The baseline for the roster: the same rows, straight INSERTs, one transaction.
double RawRoster(const sim::SimulatedSchool& s, const std::string& path, double* cpu) {
  FreshStore(path);
  sqlite3* db = OpenRaw(path, SqliteOptions{}.cache_mib);
  Timer t;
  CheckSql(db, sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), "begin");
  auto prep = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    CheckSql(db, sqlite3_prepare_v2(db, sql, -1, &st, nullptr), sql);
    return st;
  };
  auto run = [&](sqlite3_stmt* st) {
    CheckSql(db, sqlite3_step(st), "step");
    sqlite3_reset(st);
  };
  auto text = [](sqlite3_stmt* st, int i, const std::string& v) {
    sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  };
  auto ref = [](sqlite3_stmt* st, int i, Id v) {
    if (v) {
      sqlite3_bind_int64(st, i, v);
    } else {
      sqlite3_bind_null(st, i);
    }
  };
  sqlite3_stmt* org =
      prep("INSERT INTO orgs(id, source_id, name, type, parent_id) VALUES (?,?,?,?,?)");
  for (const Org& o : s.orgs) {
    sqlite3_bind_int64(org, 1, o.id);
    text(org, 2, Sid("org", o.id));
    text(org, 3, o.name);
    text(org, 4, std::string(OrgTypeName(o.type)));
    ref(org, 5, o.parent_id);
    run(org);
  }
  sqlite3_stmt* ses = prep(
      "INSERT INTO sessions(id, source_id, title, type, start_day, end_day, "
      "parent_id, school_year) VALUES (?,?,?,?,?,?,?,?)");
  for (const AcademicSession& a : s.sessions) {
    sqlite3_bind_int64(ses, 1, a.id);
    text(ses, 2, Sid("as", a.id));
    text(ses, 3, a.title);
    text(ses, 4, std::string(SessionTypeName(a.type)));
    sqlite3_bind_int64(ses, 5, a.start.days);
    sqlite3_bind_int64(ses, 6, a.end.days);
    ref(ses, 7, a.parent_id);
    sqlite3_bind_int64(ses, 8, a.school_year);
    run(ses);
  }
  sqlite3_stmt* crs =
      prep("INSERT INTO courses(id, source_id, title, code, org_id) VALUES (?,?,?,?,?)");
  for (const Course& c : s.courses) {
    sqlite3_bind_int64(crs, 1, c.id);
    text(crs, 2, Sid("crs", c.id));
    text(crs, 3, c.title);
    text(crs, 4, c.code);
    ref(crs, 5, c.org_id);
    run(crs);
  }
  sqlite3_stmt* ppl = prep(
      "INSERT INTO people(id, source_id, given_name, family_name, role, "
      "email, grade, org_id) VALUES (?,?,?,?,?,?,?,?)");
  for (const Person& p : s.people) {
    sqlite3_bind_int64(ppl, 1, p.id);
    text(ppl, 2, Sid("usr", p.id));
    text(ppl, 3, p.given_name);
    text(ppl, 4, p.family_name);
    text(ppl, 5, std::string(RoleName(p.role)));
    text(ppl, 6, p.email);
    text(ppl, 7, p.grade);
    ref(ppl, 8, p.org_id);
    run(ppl);
  }
  sqlite3_stmt* cls = prep(
      "INSERT INTO classes(id, source_id, title, course_id, school_id, "
      "session_id, period) VALUES (?,?,?,?,?,?,?)");
  for (const ClassSection& c : s.classes) {
    sqlite3_bind_int64(cls, 1, c.id);
    text(cls, 2, Sid("cls", c.id));
    text(cls, 3, c.title);
    ref(cls, 4, c.course_id);
    ref(cls, 5, c.school_id);
    ref(cls, 6, c.session_id);
    text(cls, 7, c.period);
    run(cls);
  }
  sqlite3_stmt* enr = prep(
      "INSERT INTO enrollments(id, source_id, class_id, person_id, role, "
      "is_primary) VALUES (?,?,?,?,?,?)");
  for (const Enrollment& e : s.enrollments) {
    sqlite3_bind_int64(enr, 1, e.id);
    text(enr, 2, Sid("enr", e.id));
    sqlite3_bind_int64(enr, 3, e.class_id);
    sqlite3_bind_int64(enr, 4, e.person_id);
    text(enr, 5, std::string(EnrollmentRoleName(e.role)));
    sqlite3_bind_int(enr, 6, e.primary ? 1 : 0);
    run(enr);
  }
  sqlite3_stmt* gl =
      prep("INSERT INTO guardian_links(guardian_id, student_id, relation) VALUES (?,?,?)");
  for (const GuardianLink& g : s.guardian_links) {
    sqlite3_bind_int64(gl, 1, g.guardian_id);
    sqlite3_bind_int64(gl, 2, g.student_id);
    text(gl, 3, std::string("guardian"));
    run(gl);
  }
  for (sqlite3_stmt* st : {org, ses, crs, ppl, cls, enr, gl}) sqlite3_finalize(st);
  CheckSql(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
  const double wall = t.Wall();
  *cpu = t.CpuSeconds();
  sqlite3_close(db);
  return wall;
}

// The attendance CSV: `rows` records over the students, one row per student per school day.
std::vector<Id> WriteAttendance(const sim::SimulatedSchool& s, long rows, const std::string& path) {
  std::vector<Id> students;
  for (const Person& p : s.people) {
    if (p.role == Role::kStudent) students.push_back(p.id);
  }
  std::ofstream f(path);
  f << "student,date,status\n";
  static const char* kStatus[] = {"present", "present", "present", "present", "present",
                                  "present", "present", "tardy",   "excused", "unexcused"};
  Rng rng(7);
  Date day = DateFromCivil(2026, 9, 7);
  long written = 0;
  while (written < rows) {
    const std::string date = FormatDate(day);
    for (Id id : students) {
      if (written == rows) break;
      f << "usr-" << id << ',' << date << ',' << kStatus[rng.Below(10)] << '\n';
      ++written;
    }
    day.days += Weekday(day) == 4 ? 3 : 1;
  }
  return students;
}

double RawAttendance(const std::string& csv, const std::string& db_path, double* cpu) {
  sqlite3* db = OpenRaw(db_path, SqliteOptions{}.bulk_cache_mib);
  Timer t;
  // The baseline still has to read the file; it splits lines by hand and looks ids up in a
  // prebuilt table (usr-<id> -> id), then inserts.
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  CheckSql(db, sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), "begin");
  sqlite3_stmt* st = nullptr;
  CheckSql(db,
           sqlite3_prepare_v2(db,
                              "INSERT INTO attendance(student_id, day, status, source_system) "
                              "VALUES (?,?,?,?)",
                              -1, &st, nullptr),
           "prepare");
  while (std::getline(in, line)) {
    const std::size_t a = line.find(','), b = line.find(',', a + 1);
    const Id id = std::strtoll(line.c_str() + 4, nullptr, 10);
    Result<Date> d = ParseDate(std::string_view(line).substr(a + 1, b - a - 1));
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, d.ok() ? d->days : 0);
    sqlite3_bind_text(st, 3, line.data() + b + 1, static_cast<int>(line.size() - b - 1),
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, "import:attendance", -1, SQLITE_STATIC);
    CheckSql(db, sqlite3_step(st), "insert");
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  CheckSql(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
  const double wall = t.Wall();
  *cpu = t.CpuSeconds();
  sqlite3_close(db);
  return wall;
}

// A second, stronger baseline: the same rows written the way our import writes them (batches
// sorted by key, 64-row INSERT statements) but without validation, id lookups or counting —
// the floor of what SQLite can do with this table.
double RawAttendanceSorted(const std::string& csv, const std::string& db_path,
                           std::size_t batch_rows, double* cpu) {
  sqlite3* db = OpenRaw(db_path, SqliteOptions{}.bulk_cache_mib);
  Timer t;
  struct Row {
    Id student;
    std::int32_t day;
    std::uint32_t status;  // index into `statuses`
  };
  std::vector<std::string> statuses;
  std::vector<Row> rows;
  rows.reserve(batch_rows);
  CheckSql(db, sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), "begin");
  constexpr std::size_t kChunk = 64;
  auto prepare = [&](std::size_t n) {
    std::string sql = "INSERT INTO attendance(student_id, day, status, source_system) VALUES ";
    for (std::size_t k = 0; k < n; ++k) sql += k ? ", (?, ?, ?, ?)" : "(?, ?, ?, ?)";
    sqlite3_stmt* st = nullptr;
    CheckSql(db, sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), "prepare");
    return st;
  };
  sqlite3_stmt* full = prepare(kChunk);
  auto flush = [&] {
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return a.student != b.student ? a.student < b.student : a.day < b.day;
    });
    for (std::size_t begin = 0; begin < rows.size(); begin += kChunk) {
      const std::size_t n = std::min(kChunk, rows.size() - begin);
      sqlite3_stmt* st = n == kChunk ? full : prepare(n);
      for (std::size_t k = 0; k < n; ++k) {
        const Row& r = rows[begin + k];
        const int i = static_cast<int>(4 * k);
        sqlite3_bind_int64(st, i + 1, r.student);
        sqlite3_bind_int64(st, i + 2, r.day);
        const std::string& status = statuses[r.status];
        sqlite3_bind_text(st, i + 3, status.data(), static_cast<int>(status.size()), SQLITE_STATIC);
        sqlite3_bind_text(st, i + 4, "import:attendance", -1, SQLITE_STATIC);
      }
      CheckSql(db, sqlite3_step(st), "insert");
      sqlite3_reset(st);
      if (st != full) sqlite3_finalize(st);
    }
    rows.clear();
  };
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const std::size_t a = line.find(','), b = line.find(',', a + 1);
    Result<Date> d = ParseDate(std::string_view(line).substr(a + 1, b - a - 1));
    const std::string_view status = std::string_view(line).substr(b + 1);
    std::uint32_t si = 0;
    while (si < statuses.size() && statuses[si] != status) ++si;
    if (si == statuses.size()) statuses.emplace_back(status);
    rows.push_back({std::strtoll(line.c_str() + 4, nullptr, 10), d.ok() ? d->days : 0, si});
    if (rows.size() == batch_rows) flush();
  }
  flush();
  sqlite3_finalize(full);
  CheckSql(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
  const double wall = t.Wall();
  *cpu = t.CpuSeconds();
  sqlite3_close(db);
  return wall;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  const bool own_dir = args.dir.empty();
  const std::string dir =
      own_dir ? (std::filesystem::temp_directory_path() / fmt::format("bench-import-{}", getpid()))
                    .string()
              : args.dir;
  std::filesystem::create_directories(dir);

  // The district: one class per 25 students, 20 schools.
  Rng rng(args.seed);
  sim::FrameworkOptions fo;
  fo.competencies = 20;
  fo.grade = "6";
  auto graph = sim::GenerateFrameworkGraph(fo, rng);
  Check(graph.status(), "framework");
  sim::SchoolOptions so;
  so.students = args.students;
  so.classes = std::max(1, args.students / 25);
  so.schools = std::max(1, std::min(20, so.classes));
  so.weeks = 1;
  so.answers_per_day_min = so.answers_per_day_max = 1;
  Timer sim_t;
  auto school = sim::SimulateSchool(so, *graph, rng);
  Check(school.status(), "simulate");
  const std::string pkg_dir = dir + "/oneroster";
  WritePackage(*school, pkg_dir);
  std::printf(
      "district: %d students, %zu people, %zu classes, %zu enrollments, %zu guardian "
      "links (simulated and written in %.1f s)\n",
      args.students, school->people.size(), school->classes.size(), school->enrollments.size(),
      school->guardian_links.size(), sim_t.Wall());

  // OneRoster: ours, then the raw baseline.
  double raw_cpu = 0;
  const double raw_wall = args.baseline ? RawRoster(*school, dir + "/raw.db", &raw_cpu) : 0;
  auto store = FreshStore(dir + "/ours.db");
  Timer t;
  auto pkg = ingest::FilePackage::Open(pkg_dir);
  Check(pkg.status(), "open package");
  auto report = ingest::ImportOneRoster(*store, *pkg, {});
  Check(report.status(), "import");
  if (!report->ok()) Die(report->ErrorStatus().ToString());
  const double wall = t.Wall(), cpu = t.CpuSeconds();
  std::int64_t rows = 0;
  for (const auto& [name, c] : report->entities) rows += c.created;
  std::printf(
      "oneroster import: %lld rows in %.2f s wall (%.2f s cpu); raw SQLite inserts of "
      "the same rows: %.2f s wall (%.2f s cpu); ratio %.2f (cpu %.2f); target < 10 s: "
      "%s\n",
      static_cast<long long>(rows), wall, cpu, raw_wall, raw_cpu, wall / raw_wall, cpu / raw_cpu,
      wall < 10 ? "met" : "MISSED");

  // Attendance: ours into the imported roster; the baseline into a copy of it.
  const std::string csv = dir + "/attendance.csv";
  WriteAttendance(*school, args.attendance_rows, csv);
  store.reset();
  double att_raw_cpu = 0, att_raw_wall = 0, sorted_cpu = 0, sorted_wall = 0;
  if (args.baseline) {
    std::filesystem::copy_file(dir + "/ours.db", dir + "/raw-att.db",
                               std::filesystem::copy_options::overwrite_existing);
    att_raw_wall = RawAttendance(csv, dir + "/raw-att.db", &att_raw_cpu);
    std::filesystem::copy_file(dir + "/ours.db", dir + "/raw-sorted.db",
                               std::filesystem::copy_options::overwrite_existing);
    sorted_wall = RawAttendanceSorted(csv, dir + "/raw-sorted.db", args.batch_rows, &sorted_cpu);
  }
  auto store2 = OpenStore("sqlite:" + dir + "/ours.db");
  Check(store2.status(), "reopen");
  Timer t2;
  std::ifstream in(csv);
  ingest::TabularOptions topts;
  topts.batch_rows = args.batch_rows;
  auto att = ingest::ImportTabular(**store2, ingest::TabularKind::kAttendance, in, csv, topts);
  Check(att.status(), "attendance import");
  if (!att->ok()) Die(att->ErrorStatus().ToString());
  const double att_wall = t2.Wall(), att_cpu = t2.CpuSeconds();
  std::printf(
      "attendance import: %lld rows in %.2f s wall (%.2f s cpu); raw SQLite inserts of "
      "the same rows: %.2f s wall (%.2f s cpu); ratio %.2f (cpu %.2f); target < 20 s: "
      "%s\n",
      static_cast<long long>(att->entities[0].second.created), att_wall, att_cpu, att_raw_wall,
      att_raw_cpu, att_wall / att_raw_wall, att_cpu / att_raw_cpu,
      att_wall < 20 ? "met" : "MISSED");
  if (args.baseline) {
    std::printf(
        "attendance floor: raw SQLite, key-sorted batches of %zu and 64-row INSERTs (no "
        "validation, lookups or counts): %.2f s wall (%.2f s cpu); ours / floor %.2f (cpu %.2f)\n",
        args.batch_rows, sorted_wall, sorted_cpu, att_wall / sorted_wall, att_cpu / sorted_cpu);
  }
  store2->reset();
  if (own_dir) std::filesystem::remove_all(dir);
  return 0;
}
