// Learner-profile recompute from SQLite, and the latency of one profile read.
//
//   build/release/bench/bench_profile [--students N] [--competencies K] [--per-pair M]
//                                     [--db PATH] [--reads R] [--framework FILE]
//
// 1. Recompute: N students x K competencies, M evidence rows per pair (default 100,000 x 50 x 4
//    = 20 million rows) in a SQLite file built once by a bulk INSERT ... SELECT (cached at
//    --db, default /tmp/pathwise-bench-profile-<N>x<K>x<M>.db). The run streams every row
//    through Store::ScanEvidence (student, time order), applies the online BKT mastery update
//    per row (profile/mastery.h) and builds each student's profile (profile/profile.h) — the
//    scan on one core, the updates and profiles on the other — beside
//    the baseline: a plain sqlite3 SELECT of the same columns and rows in the same order,
//    stepped to the end. Target: recompute < 20 s.
// 2. Single profile read on the demo database (SeedDemo, 120 students, 4 weeks; cached in
//    /tmp): ProfileLoader::Load per request as the HTTP handler does, R reads round-robin over
//    the students; p50/p99, beside a plain Store::GetPerson read. Target: p99 < 10 ms.
// 3. RecordEvidence throughput in batches of 1,000 (append + mastery) beside AppendEvidence.
#include <fmt/core.h>
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench_util.h"
#include "ingest/framework_json.h"
#include "profile/kt_params.h"
#include "profile/mastery.h"
#include "profile/profile.h"
#include "server/demo_seed.h"
#include "server/evidence_service.h"
#include "server/profile_service.h"
#include "sim/framework_gen.h"
#include "store/store.h"

namespace {

using namespace pw;
using bench::Check;
using bench::CheckSql;
using bench::CpuSeconds;
using bench::Die;
using Clock = std::chrono::steady_clock;

struct Args {
  int students = 100'000;
  int competencies = 50;
  int per_pair = 4;
  std::string db;
  int reads = 2000;
  std::string framework = "data/frameworks/ccss-math-5-7.json";
};

template <typename T>
T Value(Result<T> r, const char* what) {
  if (!r.ok()) Die(fmt::format("{}: {}", what, r.status().ToString()));
  return std::move(r).value();
}

double Seconds(Clock::time_point a) {
  return std::chrono::duration<double>(Clock::now() - a).count();
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) Die("missing value after " + flag);
    const std::string v = argv[++i];
    if (flag == "--students") a.students = std::stoi(v);
    else if (flag == "--competencies") a.competencies = std::stoi(v);
    else if (flag == "--per-pair") a.per_pair = std::stoi(v);
    else if (flag == "--db") a.db = v;
    else if (flag == "--reads") a.reads = std::stoi(v);
    else if (flag == "--framework") a.framework = v;
    else Die("unknown flag " + flag);
  }
  if (a.db.empty()) {
    a.db = fmt::format("/tmp/pathwise-bench-profile-{}x{}x{}.db", a.students, a.competencies,
                       a.per_pair);
  }
  return a;
}

// The synthetic framework the big database uses (ids 1..K, framework id 1).
CompetencyGraph BenchGraph(int k) {
  Rng rng(7);
  return Value(sim::GenerateFrameworkGraph({.competencies = k, .framework_id = 1}, rng), "graph");
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    Die(fmt::format("sql: {}: {}", msg, sql.substr(0, 80)));
  }
}

// Builds the big database once: schema and framework through the Store, then people and
// evidence by INSERT ... SELECT over a recursive counter (in student, time order).
void BuildBigDb(const Args& a, const CompetencyGraph& g) {
  if (std::filesystem::exists(a.db)) return;
  const auto start = Clock::now();
  const std::string tmp = a.db + ".building";
  std::filesystem::remove(tmp);
  std::filesystem::remove(tmp + "-wal");
  std::filesystem::remove(tmp + "-shm");
  {
    auto store = Value(OpenStore("sqlite:" + tmp), "open");
    Check(store->Migrate(), "migrate");
    Check(store->Transaction([&]() -> Status {
            Org school{1, "bench-school", "Bench School", OrgType::kSchool, kNoId};
            PW_RETURN_IF_ERROR(store->PutOrg(school).status());
            Framework fw{1, "bench-fw", "Bench framework", "math", "synthetic"};
            PW_RETURN_IF_ERROR(store->PutFramework(fw).status());
            for (Competency c : g.nodes()) PW_RETURN_IF_ERROR(store->PutCompetency(c).status());
            return store->SetEdges(1, g.edges());
          }),
          "framework");
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(tmp.c_str(), &db) != SQLITE_OK) Die("open " + tmp);
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;");
  Exec(db, "BEGIN");
  Exec(db, fmt::format("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                       "{0}) INSERT INTO people(id, source_id, given_name, family_name, role, "
                       "email, grade, org_id) SELECT i, 'bench-student-' || i, 'Student', i, "
                       "'student', '', '6', 1 FROM n",
                       a.students));
  Exec(db, "INSERT INTO source_systems(id, name) VALUES (1, 'bench')");
  // Row r (0-based) of student s = r / (K*M): j = r % (K*M); competency j % K + 1, attempt
  // j / K; one answer a minute; right with a probability that grows with the attempt.
  const long per_student = static_cast<long>(a.competencies) * a.per_pair;
  Exec(db, fmt::format(
               "WITH RECURSIVE n(r) AS (SELECT 0 UNION ALL SELECT r + 1 FROM n WHERE r < {0} - 1) "
               "INSERT INTO evidence(id, student_id, activity_id, competency_id, time_ms, kind, "
               "score, rubric_level, rubric_max, source_system_id, source_record) "
               "SELECT r + 1, r / {1} + 1, NULL, (r % {1}) % {2} + 1, "
               "1788220800000 + (r / {1}) * 1000 + (r % {1}) * 86400000 / {3}, "
               "CASE WHEN ((r * 2654435761) % 1000) < 450 + 120 * ((r % {1}) / {2}) THEN 0 ELSE 1 "
               "END, "
               "CASE WHEN ((r * 2654435761) % 1000) < 450 + 120 * ((r % {1}) / {2}) THEN 1.0 "
               "ELSE 0.0 END, 0, 0, 1, NULL FROM n",
               static_cast<long>(a.students) * per_student, per_student, a.competencies,
               std::max(1L, per_student / 20)));
  Exec(db, "COMMIT");
  Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(db);
  std::filesystem::rename(tmp, a.db);
  std::filesystem::remove(tmp + "-wal");
  std::filesystem::remove(tmp + "-shm");
  std::printf("built %s in %.1f s\n", a.db.c_str(), Seconds(start));
}

// Baseline: the same rows and columns, in the same order, by a plain prepared SELECT.
double PlainSelect(const std::string& path, long* rows) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) Die("open");
  sqlite3_stmt* st = nullptr;
  const auto start = Clock::now();
  sqlite3_prepare_v2(db,
                     "SELECT id, student_id, activity_id, competency_id, time_ms, kind, score, "
                     "rubric_level, rubric_max, source_system_id, source_record FROM evidence "
                     "WHERE 1 ORDER BY student_id, time_ms, id",
                     -1, &st, nullptr);
  long n = 0;
  double sum = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    sum += sqlite3_column_double(st, 6) + static_cast<double>(sqlite3_column_int64(st, 3));
    ++n;
  }
  const double s = Seconds(start);
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (sum < 0) std::printf("%f\n", sum);
  *rows = n;
  return s;
}

// The recompute: every row through the Store, the online update, a profile per student. The
// scan (this thread) hands blocks of rows, in order, to one worker thread that updates mastery
// and builds the profiles, so the two cores share the work; the result is the same as serial.
double Recompute(const Args& a, const CompetencyGraph& g, long* rows, long* mastered) {
  auto store = Value(OpenStore("sqlite:" + a.db), "open");
  Course course;
  course.id = 1;
  course.title = "Bench course";
  course.framework_id = 1;
  for (const Competency& c : g.nodes()) course.required_competencies.push_back(c.id);
  const model::BktParams bkt = profile::DefaultBktParams();
  const profile::MasteryOptions options;
  struct Row {
    Id student, competency, activity;
    Timestamp time;
    double score;
  };
  constexpr std::size_t kBlock = 1 << 15;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<Row>> queue;
  bool done = false;
  long m = 0;
  Status worker_status;
  const auto start = Clock::now();
  std::thread worker([&] {
    profile::ProfileInputs in;
    in.frameworks.push_back({&g, options});
    in.courses = {course};
    in.term_start = Date{20697};
    in.term_end = Date{20697 + 120};
    in.now = Timestamp{1788220800000 + 30 * kMillisPerDay};
    Id current = kNoId;
    auto finish = [&]() -> Status {
      if (current == kNoId) return OkStatus();
      in.student.id = current;
      PW_ASSIGN_OR_RETURN(profile::LearnerProfile p, profile::BuildProfile(in));
      m += p.count(profile::MasteryState::kMastered);
      in.mastery.clear();
      return OkStatus();
    };
    while (true) {
      std::vector<Row> block;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return !queue.empty() || done; });
        if (queue.empty()) break;
        block = std::move(queue.front());
        queue.pop_front();
      }
      cv.notify_all();
      for (const Row& r : block) {
        if (r.student != current) {
          if (Status s = finish(); !s.ok()) worker_status = s;
          current = r.student;
        }
        profile::ApplyEvidence(bkt, options, {r.time, r.score, r.activity},
                               &in.mastery[r.competency].estimate);
      }
    }
    if (Status s = finish(); !s.ok()) worker_status = s;
  });
  long n = 0;
  std::vector<Row> block;
  block.reserve(kBlock);
  auto hand_over = [&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return queue.size() < 8; });
    queue.push_back(std::move(block));
    block = {};
    block.reserve(kBlock);
    cv.notify_all();
  };
  Check(store->ScanEvidence({},
                            [&](const EvidenceEvent& e) -> Status {
                              block.push_back(
                                  {e.student_id, e.competency_id, e.activity_id, e.time, e.score});
                              if (block.size() == kBlock) hand_over();
                              ++n;
                              return OkStatus();
                            }),
        "scan");
  if (!block.empty()) hand_over();
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  worker.join();
  Check(worker_status, "profile");
  *rows = n;
  *mastered = m;
  return Seconds(start);
}

void SingleReads(const Args& a) {
  const std::string path = "/tmp/pathwise-bench-profile-demo.db";
  auto store = Value(OpenStore("sqlite:" + path), "open demo");
  auto package = Value(ReadFrameworkFile(a.framework), "framework");
  server::DemoSummary summary = Value(server::SeedDemo(*store, package, {}), "seed demo");
  auto people = Value(store->ListPeople({.role = Role::kStudent}, {.after = kNoId, .limit = 10000}),
                      "students");
  std::vector<Id> ids;
  for (const Person& p : people.items) ids.push_back(p.id);
  if (ids.empty()) Die("the demo has no students");
  const Timestamp now = Timestamp{1790000000000};
  auto time_reads = [&](auto&& read) {
    for (Id id : ids) read(id);  // warm: a running server has its pages cached
    std::vector<double> ms;
    for (int i = 0; i < a.reads; ++i) {
      const auto t0 = Clock::now();
      read(ids[static_cast<std::size_t>(i) % ids.size()]);
      ms.push_back(Seconds(t0) * 1000);
    }
    std::sort(ms.begin(), ms.end());
    return std::pair<double, double>(ms[ms.size() / 2], ms[ms.size() * 99 / 100]);
  };
  long flags = 0;
  auto [p50, p99] = time_reads([&](Id id) {
    server::ProfileLoader loader(*store);
    auto p = Value(loader.Load(id, now), "profile");
    flags += static_cast<long>(p.flags.size());
  });
  auto [b50, b99] = time_reads([&](Id id) { Value(store->GetPerson(id), "person"); });
  std::printf(
      "single profile read, demo DB (%d students, %lld evidence rows), %d reads:\n"
      "  ProfileLoader::Load  p50 %.3f ms  p99 %.3f ms   (target p99 < 10 ms: %s)\n"
      "  baseline GetPerson   p50 %.3f ms  p99 %.3f ms   (profile p99 = %.0fx)\n",
      summary.students, static_cast<long long>(summary.evidence), a.reads, p50, p99,
      p99 < 10 ? "met" : "MISSED", b50, b99, p99 / std::max(1e-9, b99));
  if (flags < 0) std::printf("%ld\n", flags);
}

// RecordEvidence (append + online mastery) in batches of 1,000 events against
// AppendEvidence alone on an identical fresh database: the cost the mastery update adds to
// every ingest path (xAPI needs >= 50k statements/s through it).
void RecordThroughput(const Args& a) {
  const CompetencyGraph g = BenchGraph(a.competencies);
  constexpr int kStudents = 2000, kBatches = 100, kBatch = 1000;
  auto make_db = [&](const std::string& path) {
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
    auto store = Value(OpenStore("sqlite:" + path), "open");
    Check(store->Migrate(), "migrate");
    Check(store->Transaction([&]() -> Status {
            Org school{1, "s", "School", OrgType::kSchool, kNoId};
            PW_RETURN_IF_ERROR(store->PutOrg(school).status());
            Framework fw{1, "bench-fw", "Bench framework", "math", "synthetic"};
            PW_RETURN_IF_ERROR(store->PutFramework(fw).status());
            for (Competency c : g.nodes()) PW_RETURN_IF_ERROR(store->PutCompetency(c).status());
            for (int s = 1; s <= kStudents; ++s) {
              Person p{.id = s,
                       .source_id = fmt::format("s-{}", s),
                       .given_name = std::string("S"),
                       .family_name = std::string("T"),
                       .role = Role::kStudent,
                       .email = std::string(),
                       .grade = std::string("6"),
                       .org_id = 1};
              PW_RETURN_IF_ERROR(store->PutPerson(p).status());
            }
            return OkStatus();
          }),
          "roster");
    return store;
  };
  // Batches as an xAPI client sends them: 1,000 statements from ~100 students.
  Rng rng(11);
  std::vector<std::vector<EvidenceEvent>> batches(kBatches);
  std::int64_t t = 1788220800000;
  for (auto& b : batches) {
    const int first = static_cast<int>(rng.Below(kStudents - 100)) + 1;
    for (int i = 0; i < kBatch; ++i) {
      EvidenceEvent e;
      e.student_id = first + static_cast<int>(rng.Below(100));
      e.competency_id = static_cast<Id>(rng.Below(static_cast<std::uint64_t>(a.competencies))) + 1;
      e.time = Timestamp{t += 250};
      const bool right = rng.Bernoulli(0.6);
      e.kind = right ? OutcomeKind::kCorrect : OutcomeKind::kIncorrect;
      e.score = right ? 1 : 0;
      e.source_system = "xapi:bench";
      e.source_record = fmt::format("stmt-{}", t);
      b.push_back(std::move(e));
    }
  }
  auto run = [&](bool record) {
    auto store = make_db(record ? "/tmp/pathwise-bench-record-a.db" : "/tmp/pathwise-bench-record-b.db");
    auto copy = batches;
    const auto start = Clock::now();
    for (auto& b : copy) {
      if (record) {
        Check(server::RecordEvidence(*store, b), "record");
      } else {
        Check(store->AppendEvidence(b), "append");
      }
    }
    return static_cast<double>(kBatches) * kBatch / Seconds(start);
  };
  const double append = run(false);
  const double record = run(true);
  std::printf(
      "evidence ingest, %d batches of %d events (SQLite):\n"
      "  RecordEvidence (append + mastery)  %10.0f events/s\n"
      "  baseline AppendEvidence alone      %10.0f events/s   (RecordEvidence = %.2fx its time)\n",
      kBatches, kBatch, record, append, append / record);
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = ParseArgs(argc, argv);
  const CompetencyGraph g = BenchGraph(a.competencies);
  BuildBigDb(a, g);
  long base_rows = 0, rows = 0, mastered = 0;
  const double base = PlainSelect(a.db, &base_rows);
  const double ours = Recompute(a, g, &rows, &mastered);
  if (rows != base_rows) Die(fmt::format("row counts differ: {} vs {}", rows, base_rows));
  std::printf(
      "profile recompute: %d students x %d competencies, %ld evidence rows from SQLite (%s)\n"
      "  baseline plain SELECT (sqlite3, same rows/order)  %7.2f s  %12.0f rows/s\n"
      "  Store::ScanEvidence + BKT update + BuildProfile   %7.2f s  %12.0f rows/s  (%.2fx "
      "baseline time; target < 20 s: %s)\n"
      "  %ld mastered pairs\n",
      a.students, a.competencies, rows, a.db.c_str(), base, base_rows / base, ours, rows / ours,
      ours / base, ours < 20 ? "met" : "MISSED", mastered);
  SingleReads(a);
  RecordThroughput(a);
  return 0;
}
