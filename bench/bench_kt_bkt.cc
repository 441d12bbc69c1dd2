// BKT speed: EM throughput on simulated answers (2 threads vs 1), online updates per second
// on one core, and fitting assistments09-gervet side by side with hmm-scalable (when built).
//
//   build/release/bench/bench_kt_bkt [--answers N] [--hmm-scalable DIR] [--data DIR]
//
// DIR for hmm-scalable is a build of github.com/myudelson/hmm-scalable (outside this tree)
// holding trainhmm and predicthmm; without it that part is skipped. --data defaults to
// ../shared/data/assistments09-gervet.
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/random.h"
#include "ingest/kt_log.h"
#include "model/bkt.h"
#include "model/kt_model.h"
#include "model/metrics.h"

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
// CPU seconds used by this process (all threads): shows the per-core rate when the machine is
// shared and wall-clock time includes waiting for a core.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::vector<pw::model::BktSkillData> SimulateSkills(std::int64_t answers, int skills, int seq_len) {
  pw::Rng rng(42);
  std::vector<pw::model::BktSkillData> out(static_cast<std::size_t>(skills));
  const std::int64_t per_skill = answers / skills;
  for (int k = 0; k < skills; ++k) {
    auto& d = out[static_cast<std::size_t>(k)];
    d.obs.reserve(static_cast<std::size_t>(per_skill));
    const double prior = rng.Uniform(0.1, 0.6), learn = rng.Uniform(0.05, 0.3);
    const double guess = rng.Uniform(0.1, 0.3), slip = rng.Uniform(0.05, 0.2);
    while (static_cast<std::int64_t>(d.obs.size()) < per_skill) {
      bool known = rng.Bernoulli(prior);
      for (int t = 0; t < seq_len && static_cast<std::int64_t>(d.obs.size()) < per_skill; ++t) {
        d.obs.push_back((known ? !rng.Bernoulli(slip) : rng.Bernoulli(guess)) ? 1 : 0);
        if (!known) known = rng.Bernoulli(learn);
      }
      d.seq_begin.push_back(static_cast<std::int64_t>(d.obs.size()));
    }
  }
  return out;
}

void EmThroughput(std::int64_t answers) {
  const int iters = 10;
  auto skills = SimulateSkills(answers, 100, 40);
  pw::model::BktFitOptions o;
  o.starts = 1;
  o.max_iterations = iters - 1;  // the loop runs max_iterations + 1 E-steps
  o.tolerance = -1;              // fixed work: exactly `iters` E-steps per skill
  double rate[3] = {0, 0, 0};
  for (int threads : {1, 2}) {
    o.threads = threads;
    pw::model::BktFitStats stats;
    auto t0 = Clock::now();
    const double c0 = CpuSeconds();
    auto params = pw::model::BktFitSkills(skills, o, pw::model::BktParams{}, &stats);
    const double s = Since(t0), cpu = CpuSeconds() - c0;
    rate[threads] = static_cast<double>(stats.answer_iterations) / s;
    fmt::print(
        "BKT EM, {} answers x {} iterations, {} thread(s): {:.2f} s wall, {:.1f} M "
        "answer-iterations/s "
        "({:.1f} M per CPU-second)\n",
        answers, iters, threads, s, rate[threads] / 1e6,
        static_cast<double>(stats.answer_iterations) / cpu / 1e6);
    if (params.empty()) return;
  }
  fmt::print("  2 threads vs 1 thread: {:.2f}x; vs target 150 M/s on 2 cores: {:.2f}x\n",
             rate[2] / rate[1], rate[2] / 150e6);
}

void OnlineUpdates() {
  const std::size_t n = 1 << 20;
  const int passes = 100;
  pw::Rng rng(7);
  std::vector<double> m(n);
  std::vector<std::uint8_t> ans(n);
  for (std::size_t i = 0; i < n; ++i) {
    m[i] = rng.Uniform(0.05, 0.95);
    ans[i] = rng.Bernoulli(0.6) ? 1 : 0;
  }
  const pw::model::BktParams p{0.3, 0.12, 0.2, 0.1, 0.02};
  auto t0 = Clock::now();
  for (int r = 0; r < passes; ++r) {
    for (std::size_t i = 0; i < n; ++i)
      m[i] = pw::model::BktUpdate(p, m[i], ans[(i + static_cast<std::size_t>(r)) & (n - 1)] != 0);
  }
  const double s = Since(t0);
  double sum = 0;
  for (double x : m) sum += x;
  const double rate = static_cast<double>(n) * passes / s;
  fmt::print(
      "BKT online update (BktUpdate), 1 core: {:.1f} M updates/s (checksum {:.3f}); vs target 20 "
      "M/s: {:.2f}x\n",
      rate / 1e6, sum / static_cast<double>(n), rate / 20e6);
}

// hmm-scalable input: observation (1 correct, 2 wrong), student, step, skill.
void WriteHmm(const std::string& path, const pw::ingest::KtLog& log, const pw::ingest::KtVocab& v) {
  std::ofstream f(path);
  for (std::size_t i = 0; i < log.size(); ++i) {
    f << (log.correct[i] ? 1 : 2) << "\t" << v.students.Name(log.student[i]) << "\t"
      << v.items.Name(log.item[i]) << "\t"
      << v.skills.Name(log.skills[static_cast<std::size_t>(log.skill_begin[i])]) << "\n";
  }
}

void VersusHmmScalable(const std::string& hmm_dir, const std::string& data_dir) {
  const std::string train = data_dir + "/preprocessed_data_train.csv",
                    test = data_dir + "/preprocessed_data_test.csv";
  if (!std::filesystem::exists(train)) {
    fmt::print("BKT fit vs hmm-scalable: skipped ({} absent)\n", train);
    return;
  }
  pw::ingest::KtVocab vocab;
  auto tr = pw::ingest::ReadKtLogFile(train, pw::ingest::KtFormat::kLong, {}, vocab);
  auto te = pw::ingest::ReadKtLogFile(test, pw::ingest::KtFormat::kLong, {}, vocab);
  if (!tr.ok() || !te.ok()) {
    fmt::print("BKT fit vs hmm-scalable: skipped (cannot read the data)\n");
    return;
  }
  auto to_data = [&](const pw::ingest::KtLog& l) {
    pw::model::KtData d;
    d.student = l.student, d.item = l.item, d.time = l.time, d.correct = l.correct;
    d.skill_begin = l.skill_begin, d.skills = l.skills;
    d.n_students = static_cast<std::int32_t>(vocab.students.size());
    d.n_items = static_cast<std::int32_t>(vocab.items.size());
    d.n_skills = static_cast<std::int32_t>(vocab.skills.size());
    return d;
  };
  pw::model::KtData dtr = to_data(*tr), dte = to_data(*te);
  struct Config {
    const char* name;
    int starts;
    double tolerance;
  };
  double ours_cpu[2] = {0, 0}, ours_wall[2] = {0, 0}, ours_ll[2] = {0, 0};
  const pw::model::BktFitOptions defaults;
  const std::string default_name =
      fmt::format("defaults: {} starts screened {} iterations, tolerance {:g}", defaults.starts,
                  defaults.screen_iterations, defaults.tolerance);
  const Config configs[2] = {{default_name.c_str(), defaults.starts, defaults.tolerance},
                             {"1 start, tolerance 1e-5", 1, 1e-5}};
  for (int c = 0; c < 2; ++c) {
    pw::model::KtModelOptions mo;
    mo.bkt.starts = configs[c].starts;
    mo.bkt.tolerance = configs[c].tolerance;
    auto m = pw::model::MakeKtModel("bkt", mo);
    auto t0 = Clock::now();
    const double c0 = CpuSeconds();
    if (!(*m)->Fit(dtr).ok()) return;
    ours_wall[c] = Since(t0);
    ours_cpu[c] = CpuSeconds() - c0;
    auto mm = pw::model::ComputeMetrics((*m)->Predict(dte), dte.correct);
    ours_ll[c] = mm.loglik;
    fmt::print(
        "BKT fit on assistments09-gervet train, Pathwise ({}; 2 threads): {:.3f} s wall, {:.3f} "
        "CPU-s; "
        "test AUC {:.4f}, test log-likelihood {:.1f}\n",
        configs[c].name, ours_wall[c], ours_cpu[c], mm.auc, mm.loglik);
  }
  const std::string trainhmm = hmm_dir + "/trainhmm", predicthmm = hmm_dir + "/predicthmm";
  if (hmm_dir.empty() || !std::filesystem::exists(trainhmm) ||
      !std::filesystem::exists(predicthmm)) {
    fmt::print(
        "BKT fit vs hmm-scalable: skipped (pass --hmm-scalable DIR with trainhmm and "
        "predicthmm)\n");
    return;
  }
  const auto tmp = std::filesystem::temp_directory_path() / "pw_bench_kt_hmm";
  std::filesystem::create_directories(tmp);
  const std::string htr = (tmp / "train.txt").string(), hte = (tmp / "test.txt").string();
  const std::string model = (tmp / "model.txt").string(), pred = (tmp / "pred.txt").string();
  WriteHmm(htr, *tr, vocab);
  WriteHmm(hte, *te, vocab);
  // Time only the fit (no train predictions: -p 0); the test predictions are made after.
  const std::string cmd =
      fmt::format("'{}' -s 1.1 -m 1 -p 0 '{}' '{}' > /dev/null", trainhmm, htr, model);
  rusage r0{}, r1{};
  getrusage(RUSAGE_CHILDREN, &r0);
  auto t0 = Clock::now();
  const int rc = std::system(cmd.c_str());
  const double theirs = Since(t0);
  getrusage(RUSAGE_CHILDREN, &r1);
  auto tv = [](const timeval& v) {
    return static_cast<double>(v.tv_sec) + 1e-6 * static_cast<double>(v.tv_usec);
  };
  const double theirs_cpu = tv(r1.ru_utime) - tv(r0.ru_utime) + tv(r1.ru_stime) - tv(r0.ru_stime);
  if (rc != 0) {
    fmt::print("hmm-scalable trainhmm failed (exit {})\n", rc);
    return;
  }
  const std::string pcmd =
      fmt::format("'{}' -p 1 '{}' '{}' '{}' > /dev/null", predicthmm, hte, model, pred);
  if (std::system(pcmd.c_str()) != 0) {
    fmt::print("hmm-scalable predicthmm failed\n");
    return;
  }
  std::ifstream pf(pred);
  std::vector<double> p;
  double a = 0, b = 0;
  while (pf >> a >> b) p.push_back(a);
  if (p.size() != dte.size()) {
    fmt::print("hmm-scalable predictions: expected {} rows, got {}\n", dte.size(), p.size());
    return;
  }
  auto theirs_m = pw::model::ComputeMetrics(p, dte.correct);
  fmt::print(
      "BKT fit, hmm-scalable trainhmm -s 1.1 -m 1 (its defaults): {:.3f} s wall, {:.3f} CPU-s; "
      "test AUC {:.4f}, "
      "test log-likelihood {:.1f}\n",
      theirs, theirs_cpu, theirs_m.auc, theirs_m.loglik);
  for (int c = 0; c < 2; ++c) {
    fmt::print(
        "  Pathwise ({}) vs hmm-scalable: {:.1f}x faster wall, {:.1f}x less CPU (target >= 10x); "
        "test "
        "log-likelihood {} ({:+.1f})\n",
        configs[c].name, theirs / ours_wall[c], theirs_cpu / ours_cpu[c],
        ours_ll[c] >= theirs_m.loglik ? "equal or better" : "WORSE", ours_ll[c] - theirs_m.loglik);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t answers = 50'000'000;
  std::string hmm, data = std::string(PATHWISE_SOURCE_DIR) + "/../shared/data/assistments09-gervet";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--answers") answers = std::atoll(argv[i + 1]);
    if (a == "--hmm-scalable") hmm = argv[i + 1];
    if (a == "--data") data = argv[i + 1];
  }
  if (const char* e = std::getenv("HMM_SCALABLE"); e && hmm.empty()) hmm = e;
  EmThroughput(answers);
  OnlineUpdates();
  VersusHmmScalable(hmm, data);
  return 0;
}
