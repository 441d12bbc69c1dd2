// Random-intercept REML on a simulated district: 1,000,000 students in 500 schools.
//
//   bench_eval_reml [--students N] [--schools S] [--seed K] [--write-csv PATH] [--repeat R]
//
// Prints the time of Pathwise's fit (one pass over the rows for per-school sufficient
// statistics, then the 1-D REML optimization) and its estimates. With --write-csv it also
// writes the data so that scripts/bench-eval-lmer.sh can fit lme4::lmer to the same rows and
// print the ratio (lmer time / Pathwise time).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/random.h"
#include "eval/reml.h"

int main(int argc, char** argv) {
  long long students = 1000000;
  int schools = 500;
  unsigned long long seed = 20261126;
  int repeat = 5;
  std::string csv;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--students"))
      students = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--schools"))
      schools = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--seed"))
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--write-csv"))
      csv = argv[i + 1];
    else if (!std::strcmp(argv[i], "--repeat"))
      repeat = std::atoi(argv[i + 1]);
  }
  // y = 0.2 + 0.1 treat + 0.6 pretest + 0.05 girl + u_school (sd 0.3) + e (sd 0.8);
  // half of the schools are treated.
  pw::Rng rng(seed);
  std::vector<double> u(schools);
  std::vector<int> treat(schools);
  for (int s = 0; s < schools; ++s) {
    u[s] = rng.Normal(0, 0.3);
    treat[s] = s % 2;
  }
  const int p = 4;
  std::vector<double> x(static_cast<std::size_t>(students) * p), y(students);
  std::vector<int> group(students);
  for (long long i = 0; i < students; ++i) {
    const int s = static_cast<int>(rng.Below(schools));
    const double pre = rng.Normal() + 0.2 * u[s];
    const double girl = rng.Bernoulli(0.5) ? 1 : 0;
    double* xi = &x[i * p];
    xi[0] = 1;
    xi[1] = treat[s];
    xi[2] = pre;
    xi[3] = girl;
    y[i] = 0.2 + 0.1 * treat[s] + 0.6 * pre + 0.05 * girl + u[s] + rng.Normal(0, 0.8);
    group[i] = s;
  }
  if (!csv.empty()) {
    FILE* f = std::fopen(csv.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "bench_eval_reml: cannot write %s\n", csv.c_str());
      return 1;
    }
    std::fprintf(f, "y,treat,pretest,girl,school\n");
    for (long long i = 0; i < students; ++i)
      std::fprintf(f, "%.17g,%d,%.17g,%d,%d\n", y[i], static_cast<int>(x[i * p + 1]), x[i * p + 2],
                   static_cast<int>(x[i * p + 3]), group[i]);
    std::fclose(f);
  }
  const std::vector<std::string> names{"(Intercept)", "treat", "pretest", "girl"};
  std::vector<double> secs;
  pw::eval::RandomInterceptFit fit;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    pw::eval::RandomInterceptAccumulator acc(p, schools);
    for (long long i = 0; i < students; ++i) acc.Add(&x[i * p], y[i], group[i]);
    auto res = acc.Fit(names);
    const auto t1 = std::chrono::steady_clock::now();
    if (!res.ok()) {
      std::fprintf(stderr, "bench_eval_reml: %s\n", res.status().ToString().c_str());
      return 1;
    }
    fit = *res;
    secs.push_back(std::chrono::duration<double>(t1 - t0).count());
  }
  std::sort(secs.begin(), secs.end());
  const double median = secs[secs.size() / 2];
  std::printf("pathwise REML random intercept: %lld students, %d schools: %.4f s (median of %d)\n",
              students, schools, median, repeat);
  for (int k = 0; k < p; ++k)
    std::printf("  %-12s %.10f  se %.10f\n", names[k].c_str(), fit.beta(k), fit.se(k));
  std::printf("  sigma2_between %.10f  sigma2_within %.10f  REML criterion %.6f\n",
              fit.sigma2_between, fit.sigma2_within, fit.reml_criterion);
  std::printf("PATHWISE_SECONDS %.6f\n", median);
  return 0;
}
