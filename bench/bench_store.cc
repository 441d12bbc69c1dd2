// Bulk evidence insert: Store::AppendEvidence into a fresh SQLite file versus a raw-SQLite
// baseline that inserts the same rows, in the same process, into an identical table (the DDL is
// copied from the Store's own database, so columns, foreign keys and indexes are the same) with
// the same pragmas, one plain prepared INSERT and one transaction.
//
//   build/release/bench/bench_store [--rows N] [--repeat R] [--seed S] [--dir DIR]
//
// Each round builds two fresh files and times both inserts (alternating which goes first).
// Prints rows/s for both, by wall-clock time and by the thread's CPU time (the machine may be
// shared), and the median ratio of times (ours / raw); the target is <= 1.5.
#include <fmt/core.h>
#include <sqlite3.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/random.h"
#include "store/store.h"

namespace {

using namespace pw;
using bench::Check;
using bench::CheckSql;
using bench::CpuSeconds;
using bench::Die;

struct Args {
  long rows = 1'000'000;
  int repeat = 3;  // rounds; the order of the two contenders alternates between rounds
  std::uint64_t seed = 20260901;
  std::string dir;  // default: a fresh directory under /tmp, removed afterwards
};

struct World {
  int students = 2000;
  int competencies = 200;
  int activities = 600;
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--rows") {
      a.rows = std::strtol(value().c_str(), nullptr, 10);
      if (a.rows < 1) Die("--rows must be a positive number");
    } else if (flag == "--repeat") {
      a.repeat = std::atoi(value().c_str());
      if (a.repeat < 1) Die("--repeat must be a positive number");
    } else if (flag == "--seed") {
      a.seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (flag == "--dir") {
      a.dir = value();
    } else {
      Die("unknown argument \"" + flag + "\" (expected --rows N, --repeat R, --seed S, --dir DIR)");
    }
  }
  return a;
}

std::string Uuid(Rng& rng) {
  const std::uint64_t a = rng.Next(), b = rng.Next();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                     0x8000 | (b >> 48 & 0x3fff), b & 0xffffffffffffULL);
}

// A semester of practice: students work through sessions of 5-30 items on one activity, each
// aligned to one competency; correctness rises with practice. Mostly digital-app answers (with
// xAPI statement ids), some teacher rubric scores and imported quiz scores.
std::vector<EvidenceEvent> MakeEvents(long n, const World& w, const std::vector<Id>& students,
                                      const std::vector<Id>& competencies,
                                      const std::vector<Id>& activities,
                                      const std::vector<Id>& activity_competency,
                                      std::uint64_t seed) {
  Rng rng(seed);
  std::vector<EvidenceEvent> events;
  events.reserve(static_cast<size_t>(n));
  std::int64_t clock = 1'788'000'000'000;  // 2026-08-30
  while (static_cast<long>(events.size()) < n) {
    const size_t s = rng.Below(static_cast<std::uint64_t>(w.students));
    const size_t a = rng.Below(static_cast<std::uint64_t>(w.activities));
    const int items = 5 + static_cast<int>(rng.Below(26));
    const double skill = rng.Normal(0.0, 1.0);
    const int source = static_cast<int>(rng.Below(10));
    clock += static_cast<std::int64_t>(rng.Below(60'000));
    std::int64_t t = clock;
    for (int k = 0; k < items && static_cast<long>(events.size()) < n; ++k) {
      EvidenceEvent e;
      e.student_id = students[s];
      e.activity_id = activities[a];
      e.competency_id = activity_competency[a];
      t += 5'000 + static_cast<std::int64_t>(rng.Below(90'000));
      e.time = Timestamp{t};
      const double p = 1.0 / (1.0 + std::exp(-(skill + 0.15 * k - 0.5)));
      if (source < 7) {
        const bool correct = rng.Bernoulli(p);
        e.kind = correct ? OutcomeKind::kCorrect : OutcomeKind::kIncorrect;
        e.score = correct ? 1.0 : 0.0;
        e.source_system = "xapi:mathapp";
        e.source_record = Uuid(rng);
      } else if (source < 9) {
        e.kind = OutcomeKind::kScore;
        e.score = std::min(1.0, std::max(0.0, p + rng.Normal(0.0, 0.1)));
        e.source_system = "import:scores";
        e.source_record = fmt::format("quiz-{}-{}", s, k);
      } else {
        e.kind = OutcomeKind::kRubric;
        e.rubric_max = 4;
        e.rubric_level = static_cast<std::int16_t>(std::min(4.0, std::floor(p * 5)));
        e.score = e.rubric_level / 4.0;
        e.activity_id = kNoId;  // a teacher observation about the competency
        e.source_system = "teacher";
      }
      events.push_back(std::move(e));
    }
  }
  (void)competencies;
  return events;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

sqlite3* OpenRaw(const std::string& path) {
  sqlite3* db = nullptr;
  // The same open flags as SqliteStore: no per-call mutex (one connection, one thread).
  CheckSql(
      db,
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr),
      "open raw");
  // The same settings SqliteStore uses.
  CheckSql(
      db,
      sqlite3_exec(db,
                   "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                   "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536;",
                   nullptr, nullptr, nullptr),
      "raw pragmas");
  return db;
}

struct Ids {
  std::vector<Id> students, competencies, activities, activity_competency;
};

// The referenced rows, through the Store (not timed). Ids come out the same in every round.
Ids SeedStore(Store& store, const World& w, std::uint64_t seed) {
  Ids ids;
  Check(store.Migrate(), "migrate");
  Check(store.Transaction([&]() -> Status {
    Org school{kNoId, "school-1", "Bench Middle School", OrgType::kSchool, kNoId};
    PW_RETURN_IF_ERROR(store.PutOrg(school).status());
    for (int i = 0; i < w.students; ++i) {
      Person p{.source_id = fmt::format("student-{}", i),
               .given_name = std::string("Student"),
               .family_name = std::to_string(i),
               .role = Role::kStudent,
               .email = std::string(),
               .grade = std::string("6"),
               .org_id = school.id};
      PW_RETURN_IF_ERROR(store.PutPerson(p).status());
      ids.students.push_back(p.id);
    }
    Framework f{kNoId, "bench", "Bench framework", "math", ""};
    PW_RETURN_IF_ERROR(store.PutFramework(f).status());
    for (int i = 0; i < w.competencies; ++i) {
      Competency c;
      c.framework_id = f.id;
      c.code = fmt::format("C.{}", i);
      PW_RETURN_IF_ERROR(store.PutCompetency(c).status());
      ids.competencies.push_back(c.id);
    }
    Rng rng(seed ^ 0x5eed);
    for (int i = 0; i < w.activities; ++i) {
      Activity a;
      a.source_id = fmt::format("https://bench.example/activity/{}", i);
      a.title = fmt::format("Activity {}", i);
      a.competencies = {ids.competencies[rng.Below(ids.competencies.size())]};
      PW_RETURN_IF_ERROR(store.PutActivity(a).status());
      ids.activities.push_back(a.id);
      ids.activity_competency.push_back(a.competencies[0]);
    }
    return OkStatus();
  }),
        "seed");
  return ids;
}

// The raw database: the Store file's DDL replayed (identical tables, foreign keys and
// indexes), the parent rows copied over, and the source systems numbered up front (the raw
// baseline gets its source_system_id column for free; the Store maps strings itself).
sqlite3* PrepareRaw(const std::string& raw_path, const std::string& ours_path,
                    const std::vector<EvidenceEvent>& events,
                    std::vector<std::int64_t>* system_of_row) {
  sqlite3* raw = OpenRaw(raw_path);
  sqlite3_stmt* attach = nullptr;
  CheckSql(raw, sqlite3_prepare_v2(raw, "ATTACH ? AS ours", -1, &attach, nullptr), "attach");
  sqlite3_bind_text(attach, 1, ours_path.c_str(), -1, SQLITE_TRANSIENT);
  CheckSql(raw, sqlite3_step(attach), "attach");
  sqlite3_finalize(attach);
  std::vector<std::string> schema;
  sqlite3_stmt* q = nullptr;
  CheckSql(raw,
           sqlite3_prepare_v2(raw,
                              "SELECT sql FROM ours.sqlite_master WHERE sql IS NOT NULL AND "
                              "name NOT LIKE 'sqlite_%' ORDER BY rowid",
                              -1, &q, nullptr),
           "read schema");
  while (sqlite3_step(q) == SQLITE_ROW) {
    schema.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
  }
  sqlite3_finalize(q);
  CheckSql(raw, sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr), "raw begin");
  for (const std::string& sql : schema) {
    CheckSql(raw, sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), sql.c_str());
  }
  for (const char* table :
       {"orgs", "people", "frameworks", "competencies", "activities", "activity_competencies"}) {
    const std::string copy = fmt::format("INSERT INTO main.{0} SELECT * FROM ours.{0}", table);
    CheckSql(raw, sqlite3_exec(raw, copy.c_str(), nullptr, nullptr, nullptr), copy.c_str());
  }
  std::vector<std::string> system_names;
  system_of_row->assign(events.size(), 0);
  for (size_t i = 0; i < events.size(); ++i) {
    size_t k = 0;
    while (k < system_names.size() && system_names[k] != events[i].source_system) ++k;
    if (k == system_names.size()) system_names.push_back(events[i].source_system);
    (*system_of_row)[i] = static_cast<std::int64_t>(k + 1);
  }
  for (size_t k = 0; k < system_names.size(); ++k) {
    const std::string sql = fmt::format("INSERT INTO source_systems(id, name) VALUES ({}, '{}')",
                                        k + 1, system_names[k]);
    CheckSql(raw, sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), "source systems");
  }
  CheckSql(raw, sqlite3_exec(raw, "COMMIT; DETACH ours", nullptr, nullptr, nullptr), "raw commit");
  return raw;
}

void InsertRaw(sqlite3* raw, const std::vector<EvidenceEvent>& events,
               const std::vector<std::int64_t>& system_of_row) {
  CheckSql(raw, sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr), "raw begin");
  sqlite3_stmt* ins = nullptr;
  CheckSql(raw,
           sqlite3_prepare_v2(raw,
                              "INSERT INTO evidence(student_id, activity_id, competency_id, "
                              "time_ms, kind, score, rubric_level, rubric_max, "
                              "source_system_id, source_record) VALUES (?, ?, ?, ?, ?, ?, ?, "
                              "?, ?, ?)",
                              -1, &ins, nullptr),
           "raw prepare");
  for (size_t i = 0; i < events.size(); ++i) {
    const EvidenceEvent& e = events[i];
    sqlite3_bind_int64(ins, 1, e.student_id);
    if (e.activity_id != kNoId) {
      sqlite3_bind_int64(ins, 2, e.activity_id);
    } else {
      sqlite3_bind_null(ins, 2);
    }
    if (e.competency_id != kNoId) {
      sqlite3_bind_int64(ins, 3, e.competency_id);
    } else {
      sqlite3_bind_null(ins, 3);
    }
    sqlite3_bind_int64(ins, 4, e.time.millis);
    sqlite3_bind_int(ins, 5, static_cast<int>(e.kind));
    sqlite3_bind_double(ins, 6, e.score);
    sqlite3_bind_int(ins, 7, e.rubric_level);
    sqlite3_bind_int(ins, 8, e.rubric_max);
    sqlite3_bind_int64(ins, 9, system_of_row[i]);
    if (!e.source_record.empty()) {
      sqlite3_bind_text(ins, 10, e.source_record.data(), static_cast<int>(e.source_record.size()),
                        SQLITE_STATIC);
    } else {
      sqlite3_bind_null(ins, 10);
    }
    const int rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    if (rc != SQLITE_DONE) CheckSql(raw, rc, "raw insert");
  }
  sqlite3_finalize(ins);
  CheckSql(raw, sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr), "raw commit");
}

std::int64_t CountRaw(sqlite3* raw) {
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(raw, "SELECT count(*) FROM evidence", -1, &q, nullptr);
  sqlite3_step(q);
  const std::int64_t n = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  return n;
}

struct Timing {
  double wall = 0;  // seconds
  double cpu = 0;   // seconds of this thread's CPU time
};

template <typename Fn>
Timing Time(Fn fn) {
  const auto w0 = std::chrono::steady_clock::now();
  const double c0 = CpuSeconds();
  fn();
  return {Seconds(std::chrono::steady_clock::now() - w0), CpuSeconds() - c0};
}

void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  const World w;
  std::filesystem::path dir = args.dir;
  bool remove_dir = false;
  if (dir.empty()) {
    char tmpl[] = "/tmp/bench_store.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) Die("cannot create a temporary directory");
    dir = tmpl;
    remove_dir = true;
  }
  const double n = static_cast<double>(args.rows);
  fmt::print(
      "bench_store: {} evidence rows ({} students, {} competencies, {} activities), "
      "SQLite {}, seed {}, {} rounds\n",
      args.rows, w.students, w.competencies, w.activities, sqlite3_libversion(), args.seed,
      args.repeat);
  std::vector<EvidenceEvent> events;
  std::vector<double> wall_ratios, cpu_ratios, raw_rates, ours_rates;
  for (int round = 0; round < args.repeat; ++round) {
    const std::string ours_path = (dir / fmt::format("ours-{}.db", round)).string();
    const std::string raw_path = (dir / fmt::format("raw-{}.db", round)).string();
    RemoveDb(ours_path);
    RemoveDb(raw_path);
    auto opened = OpenStore("sqlite:" + ours_path);
    Check(opened.status(), "open store");
    std::unique_ptr<Store> store = std::move(opened).value();
    const Ids ids = SeedStore(*store, w, args.seed);
    if (round == 0) {
      events = MakeEvents(args.rows, w, ids.students, ids.competencies, ids.activities,
                          ids.activity_competency, args.seed);
    }
    std::vector<std::int64_t> system_of_row;
    sqlite3* raw = PrepareRaw(raw_path, ours_path, events, &system_of_row);

    Timing raw_t, ours_t;
    auto run_raw = [&] { raw_t = Time([&] { InsertRaw(raw, events, system_of_row); }); };
    auto run_ours = [&] {
      ours_t = Time([&] { Check(store->AppendEvidence(events), "AppendEvidence"); });
    };
    if (round % 2 == 0) {
      run_raw();
      run_ours();
    } else {
      run_ours();
      run_raw();
    }
    auto count = store->CountEvidence({});
    Check(count.status(), "count");
    const std::int64_t raw_count = CountRaw(raw);
    sqlite3_close(raw);
    store.reset();
    if (*count != args.rows || raw_count != args.rows) {
      Die(fmt::format("row counts differ: store {}, raw {}, expected {}", *count, raw_count,
                      args.rows));
    }
    RemoveDb(ours_path);
    RemoveDb(raw_path);
    fmt::print(
        "  round {} ({} first): raw {:>8.0f} rows/s ({:.2f} s wall, {:.2f} s cpu) | "
        "Store {:>8.0f} rows/s ({:.2f} s wall, {:.2f} s cpu) | ratio wall {:.2f}, cpu "
        "{:.2f}\n",
        round + 1, round % 2 == 0 ? "raw" : "Store", n / raw_t.wall, raw_t.wall, raw_t.cpu,
        n / ours_t.wall, ours_t.wall, ours_t.cpu, ours_t.wall / raw_t.wall, ours_t.cpu / raw_t.cpu);
    wall_ratios.push_back(ours_t.wall / raw_t.wall);
    cpu_ratios.push_back(ours_t.cpu / raw_t.cpu);
    raw_rates.push_back(n / raw_t.wall);
    ours_rates.push_back(n / ours_t.wall);
  }
  const double ratio = Median(wall_ratios);
  fmt::print("  raw SQLite (one prepared INSERT, one transaction): {:>10.0f} rows/s (median)\n",
             Median(raw_rates));
  fmt::print("  Store::AppendEvidence (validated, ids filled in):  {:>10.0f} rows/s (median)\n",
             Median(ours_rates));
  fmt::print("  ratio ours/raw time: {:.2f} wall, {:.2f} cpu (medians; target <= 1.50: {})\n",
             ratio, Median(cpu_ratios), ratio <= 1.5 ? "met" : "MISSED");
  if (remove_dir) std::filesystem::remove_all(dir);
  return 0;
}
