// Simulator throughput (simple mode), side by side with two baselines in the same process:
//   floor  — drawing the same number of random numbers from the same generator and nothing
//            else: no simulator can be cheaper than this;
//   naive  — a straightforward simulator of the same model (std::mt19937_64,
//            std::bernoulli_distribution, std::map lookups of the state per event, events
//            pushed into a vector of structs).
// Target (issue 3): >= 5 million events per second on one core, without CSV writing.
//
//   build/release/bench/bench_sim [students skills events_per_student repeats]
//   (default 1000 50 2000 5)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sim/event_log.h"

namespace {

using Clock = std::chrono::steady_clock;
using pw::sim::EventBatch;
using pw::sim::SimpleSimOptions;
using pw::sim::SimpleSimulation;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Runs `fn` `repeats` times and returns the best wall time (least disturbed by the other
// engineers' builds on this shared machine).
template <typename Fn>
double Best(int repeats, Fn fn) {
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = Clock::now();
    fn();
    best = std::min(best, Seconds(t0, Clock::now()));
  }
  return best;
}

std::uint64_t g_sink = 0;  // keeps results alive

std::uint64_t RunOurs(const SimpleSimOptions& o, std::uint64_t seed, int csv_mode,
                      std::FILE* devnull) {
  auto sim = SimpleSimulation::Create(o, seed);
  if (!sim.ok()) {
    std::fprintf(stderr, "bench_sim: %s\n", sim.status().message().c_str());
    std::exit(1);
  }
  std::string buffer;
  buffer.reserve(1 << 22);
  std::uint64_t check = 0;
  pw::Status s = sim->Run([&](const EventBatch& b) {
    if (csv_mode == 0) {
      check += b.correct[b.size() - 1] + static_cast<std::uint64_t>(b.time_ms[b.size() - 1]);
      return;
    }
    pw::sim::AppendEventsCsv(b, &buffer);
    if (buffer.size() >= (1 << 20)) {
      if (csv_mode == 2) std::fwrite(buffer.data(), 1, buffer.size(), devnull);
      check += buffer.size();
      buffer.clear();
    }
  });
  if (!s.ok()) std::exit(1);
  if (csv_mode == 2) std::fwrite(buffer.data(), 1, buffer.size(), devnull);
  g_sink += check + buffer.size();
  return sim->random_draws();
}

// The floor: the same number of draws from the same generator, summed.
void RunFloor(std::uint64_t draws, std::uint64_t seed) {
  pw::Rng rng(seed);
  std::uint64_t acc = 0;
  for (std::uint64_t i = 0; i < draws; ++i) acc ^= rng.Next();
  g_sink += acc;
}

// The naive simulator: same model and policy, written the obvious way.
struct NaiveEvent {
  int student, skill, item;
  long long time;
  bool correct, known;
};

void RunNaive(int students, int skills, long long events, int items_per_skill, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  std::map<int, std::vector<int>> prereqs, dependents;
  std::map<int, std::map<std::string, double>> params;
  for (int c = 0; c < skills; ++c) {
    if (c > 0) {
      prereqs[c].push_back(c - 1);
      dependents[c - 1].push_back(c);
    }
    params[c]["prior"] = 0.05 + 0.3 * unif(gen);
    params[c]["learn"] = 0.25 + 0.2 * unif(gen);
    params[c]["guess"] = 0.1 + 0.15 * unif(gen);
    params[c]["slip"] = 0.05 + 0.1 * unif(gen);
    params[c]["forget"] = 0.02 * unif(gen);
  }
  std::vector<NaiveEvent> log;
  std::map<std::pair<int, int>, bool> known;
  for (int s = 0; s < students; ++s) {
    std::normal_distribution<double> normal(0, 1);
    const double rate = std::clamp(std::exp(0.3 * normal(gen)), 0.8, 2.0);
    for (int c = 0; c < skills; ++c) {
      known[{s, c}] = std::bernoulli_distribution(params[c]["prior"])(gen);
    }
    std::set<int> passed;
    std::vector<int> ready = {0};
    int current = 0, attempts = 0, streak = 0;
    long long t = 1788220800000LL;
    for (long long e = 0; e < events; ++e) {
      int c = current;
      bool review = false;
      if (!passed.empty() && (current < 0 || std::bernoulli_distribution(0.1)(gen))) {
        auto it = passed.begin();
        std::advance(it, std::uniform_int_distribution<int>(0, passed.size() - 1)(gen));
        c = *it;
        review = true;
      }
      if (c < 0) c = 0;
      const int item = std::uniform_int_distribution<int>(0, items_per_skill - 1)(gen);
      const bool k = known[{s, c}];
      const bool correct =
          std::bernoulli_distribution(k ? 1 - params[c]["slip"] : params[c]["guess"])(gen);
      if (k) {
        if (std::bernoulli_distribution(params[c]["forget"])(gen)) known[{s, c}] = false;
      } else {
        double p = params[c]["learn"] * rate;
        for (int pre : prereqs[c]) {
          if (!known[{s, pre}]) p *= 0.05;
        }
        if (std::bernoulli_distribution(std::min(p, 1.0))(gen)) known[{s, c}] = true;
      }
      log.push_back({s + 1, c + 1, c * items_per_skill + item + 1, t, correct, k});
      t += 10000 + std::uniform_int_distribution<int>(0, 60000)(gen);
      if (!review && current >= 0) {
        ++attempts;
        streak = correct ? streak + 1 : 0;
        if (streak >= 4 || attempts >= 20) {
          if (streak >= 4) {
            passed.insert(current);
            for (int d : dependents[current]) ready.push_back(d);
          }
          ready.erase(std::remove(ready.begin(), ready.end(), current), ready.end());
          current = ready.empty() ? -1 : ready[0];
          attempts = streak = 0;
        }
      }
    }
  }
  g_sink += log.size() + (log.empty() ? 0 : log.back().correct);
}

}  // namespace

int main(int argc, char** argv) {
  SimpleSimOptions o;
  o.students = argc > 1 ? std::atoi(argv[1]) : 1000;
  o.skills = argc > 2 ? std::atoi(argv[2]) : 50;
  o.events_per_student = argc > 3 ? std::atoll(argv[3]) : 2000;
  const int repeats = argc > 4 ? std::atoi(argv[4]) : 5;
  const double events = static_cast<double>(o.students) * o.events_per_student;
  const std::uint64_t seed = 7;
  std::FILE* devnull = std::fopen("/dev/null", "wb");
  if (devnull == nullptr) return 1;

  std::printf(
      "bench_sim: simple mode, %d students x %d skills x %lld events = %.0f events per "
      "run, best of %d, one thread\n",
      o.students, o.skills, static_cast<long long>(o.events_per_student), events, repeats);
  std::uint64_t draws = 0;
  SimpleSimOptions no_truth = o;
  no_truth.keep_truth = false;
  const double t_core = Best(repeats, [&] { draws = RunOurs(no_truth, seed, 0, devnull); });
  const double t_truth = Best(repeats, [&] { RunOurs(o, seed, 0, devnull); });
  const double t_mem = Best(repeats, [&] { RunOurs(no_truth, seed, 1, devnull); });
  const double t_null = Best(repeats, [&] { RunOurs(no_truth, seed, 2, devnull); });
  const double t_floor = Best(repeats, [&] { RunFloor(draws, seed); });
  // The naive simulator is slow; one run of a tenth of the students is plenty.
  const int naive_students = std::max(1, o.students / 10);
  const double t_naive =
      Best(1,
           [&] {
             RunNaive(naive_students, o.skills, o.events_per_student, o.items_per_skill, seed);
           }) *
      (static_cast<double>(o.students) / naive_students);
  std::fclose(devnull);

  auto row = [&](const char* name, double t) {
    std::printf("  %-46s %8.2f M events/s  %6.3f s  %6.2fx floor time\n", name, events / t / 1e6, t,
                t / t_floor);
  };
  std::printf(
      "  (%llu random draws per run, %.3f per event; the policy's rare next-skill picks "
      "are not counted)\n",
      static_cast<unsigned long long>(draws), draws / events);
  row("floor: the same random draws only", t_floor);
  row("pathwise sim, core loop (no truth, no CSV)", t_core);
  row("pathwise sim, with ground truth (no CSV)", t_truth);
  row("pathwise sim + CSV rows into memory", t_mem);
  row("pathwise sim + CSV to /dev/null", t_null);
  row("naive simulator (mt19937_64, std::map, scaled)", t_naive);
  std::printf(
      "ratio: pathwise core loop is %.1fx faster than the naive simulator and costs "
      "%.2fx the floor\n",
      t_naive / t_core, t_core / t_floor);
  const double rate = events / t_core;
  std::printf("target >= 5.00 M events/s on one core (core loop): %.2f M events/s — %s\n",
              rate / 1e6, rate >= 5e6 ? "met" : "MISSED");
  std::printf("(checksum %llu)\n", static_cast<unsigned long long>(g_sink % 1000));
  return 0;
}
