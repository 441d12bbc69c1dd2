#include "model/bkt.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "core/random.h"

namespace pw::model {
namespace {

constexpr double kMinP = 1e-6;

struct Accum {
  double prior = 0;      // sum of P(L_1 = mastered)
  double n_seq = 0;
  double from0 = 0;      // sum over t < T of P(L_t = 0)
  double learn = 0;      // sum of P(L_t = 0, L_t+1 = 1)
  double from1 = 0;      // sum over t < T of P(L_t = 1)
  double forget = 0;     // sum of P(L_t = 1, L_t+1 = 0)
  double in0 = 0;        // sum over all t of P(L_t = 0)
  double in0_right = 0;  // ... with a correct answer
  double in1 = 0;
  double in1_wrong = 0;
};

BktParams Clamp(BktParams p, const BktFitOptions& o) {
  auto c = [](double x, double hi) { return std::clamp(x, kMinP, hi); };
  p.prior = c(p.prior, 1 - kMinP);
  p.learn = c(p.learn, 1 - kMinP);
  p.guess = c(p.guess, o.max_guess);
  p.slip = c(p.slip, o.max_slip);
  p.forget = o.fit_forget ? c(p.forget, 1 - kMinP) : 0.0;
  return p;
}

// Forward (filtering) and backward (smoothing) over every sequence; returns the
// log-likelihood. `alpha` has room for the longest sequence.
double EStep(const BktSkillData& d, const BktParams& p, double* alpha, Accum& acc) {
  const double l = p.learn, f = p.forget, g = p.guess, s = p.slip;
  // Emission factors indexed by the observation.
  const double e1[2] = {s, 1 - s};
  const double e0[2] = {1 - g, g};
  const std::uint8_t* obs = d.obs.data();
  const std::size_t nseq = d.seq_begin.size() - 1;
  double ll = 0;
  double prior_sum = 0, from0 = 0, learn = 0, from1 = 0, forget = 0;
  double in0 = 0, in0_right = 0, in1 = 0, in1_wrong = 0;
  for (std::size_t j = 0; j < nseq; ++j) {
    const std::int64_t b = d.seq_begin[j], e = d.seq_begin[j + 1];
    const std::int64_t n = e - b;
    if (n <= 0) continue;
    const std::uint8_t* o = obs + b;
    // Forward: alpha[t] = P(L_t = 1 | o_1..t).
    double pl = p.prior;
    double prod = 1.0;
    for (std::int64_t t = 0; t < n; ++t) {
      const double num = pl * e1[o[t]];
      const double den = num + (1 - pl) * e0[o[t]];
      const double a = num / den;
      alpha[t] = a;
      prod *= den;
      if ((t & 31) == 31) {
        ll += std::log(prod);
        prod = 1.0;
      }
      pl = a * (1 - f) + (1 - a) * l;
    }
    ll += std::log(prod);
    // Backward: gamma_t = P(L_t = 1 | all), from alpha and the next gamma.
    double gn = alpha[n - 1];
    {
      const double w = o[n - 1] ? 0.0 : 1.0;
      in1 += gn;
      in1_wrong += gn * w;
      in0 += 1 - gn;
      in0_right += (1 - gn) * (1 - w);
    }
    for (std::int64_t t = n - 2; t >= 0; --t) {
      const double a = alpha[t];
      const double pn1 = a * (1 - f) + (1 - a) * l;
      // pn1 can round to exactly 1 after a long run of right answers (a == 1, no forgetting);
      // then 1 - gn is 0 too and the unmastered branch has no mass.
      const double q0 = a * f + (1 - a) * (1 - l);
      const double r1 = gn / pn1;
      const double r0 = q0 > 1e-300 ? (1 - gn) / q0 : 0.0;
      const double x01 = (1 - a) * l * r1;
      const double x00 = (1 - a) * (1 - l) * r0;
      const double x11 = a * (1 - f) * r1;
      const double x10 = a * f * r0;
      const double g1 = x11 + x10;
      const double g0 = x00 + x01;
      from0 += g0;
      learn += x01;
      from1 += g1;
      forget += x10;
      const double w = o[t] ? 0.0 : 1.0;
      in1 += g1;
      in1_wrong += g1 * w;
      in0 += g0;
      in0_right += g0 * (1 - w);
      gn = g1;
    }
    prior_sum += gn;
  }
  acc.prior += prior_sum;
  acc.n_seq += static_cast<double>(nseq);
  acc.from0 += from0;
  acc.learn += learn;
  acc.from1 += from1;
  acc.forget += forget;
  acc.in0 += in0;
  acc.in0_right += in0_right;
  acc.in1 += in1;
  acc.in1_wrong += in1_wrong;
  return ll;
}

BktParams MStep(const Accum& a, const BktParams& old, const BktFitOptions& o) {
  BktParams p = old;
  auto ratio = [](double num, double den, double keep) { return den > 1e-12 ? num / den : keep; };
  p.prior = ratio(a.prior, a.n_seq, old.prior);
  p.learn = ratio(a.learn, a.from0, old.learn);
  p.forget = o.fit_forget ? ratio(a.forget, a.from1, old.forget) : 0.0;
  p.guess = ratio(a.in0_right, a.in0, old.guess);
  p.slip = ratio(a.in1_wrong, a.in1, old.slip);
  return Clamp(p, o);
}

std::int64_t MaxSeqLen(const BktSkillData& d) {
  std::int64_t m = 0;
  for (std::size_t j = 0; j + 1 < d.seq_begin.size(); ++j) m = std::max(m, d.seq_begin[j + 1] - d.seq_begin[j]);
  return m;
}

}  // namespace

double BktEm(const BktSkillData& data, const BktParams& start, const BktFitOptions& options,
             BktParams* params, int* iterations) {
  std::vector<double> alpha(static_cast<std::size_t>(std::max<std::int64_t>(1, MaxSeqLen(data))));
  BktParams p = Clamp(start, options);
  const double n = std::max<double>(1.0, static_cast<double>(data.obs.size()));
  double prev = -1e300, ll = 0;
  int it = 0;
  while (true) {
    Accum acc;
    ll = EStep(data, p, alpha.data(), acc);
    ++it;
    if (it > options.max_iterations || (ll - prev) / n < options.tolerance) break;
    prev = ll;
    p = MStep(acc, p, options);
  }
  // `ll` belongs to `p` (the E-step just run used it).
  if (params) *params = p;
  if (iterations) *iterations = it;
  return ll;
}

std::vector<BktParams> BktFitSkills(std::span<const BktSkillData> skills, const BktFitOptions& options,
                                    const BktParams& fallback, BktFitStats* stats) {
  std::vector<BktParams> out(skills.size(), fallback);
  std::vector<std::int64_t> work(skills.size(), 0);
  std::vector<double> lls(skills.size(), 0);
  std::atomic<std::size_t> next{0};
  auto worker = [&]() {
    while (true) {
      const std::size_t k = next.fetch_add(1);
      if (k >= skills.size()) break;
      const BktSkillData& d = skills[k];
      if (d.obs.empty()) continue;
      Rng rng = Rng(options.seed).Fork(k);
      double best = -1e300;
      BktParams best_p = fallback;
      for (int s = 0; s < std::max(1, options.starts); ++s) {
        BktParams start;
        if (s == 0) {
          start = BktParams{0.4, 0.1, 0.2, 0.1, options.fit_forget ? 0.05 : 0.0};
        } else {
          start.prior = rng.Uniform(0.05, 0.95);
          start.learn = rng.Uniform(0.01, 0.5);
          start.guess = rng.Uniform(0.02, options.max_guess);
          start.slip = rng.Uniform(0.02, options.max_slip);
          start.forget = options.fit_forget ? rng.Uniform(0.0, 0.2) : 0.0;
        }
        BktParams p;
        int iters = 0;
        const double ll = BktEm(d, start, options, &p, &iters);
        work[k] += static_cast<std::int64_t>(d.obs.size()) * iters;
        if (ll > best) {
          best = ll;
          best_p = p;
        }
      }
      out[k] = best_p;
      lls[k] = best;
    }
  };
  const int nt = std::max(1, options.threads);
  if (nt == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < nt; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  if (stats) {
    stats->answer_iterations = 0;
    stats->loglik = 0;
    for (std::size_t k = 0; k < skills.size(); ++k) {
      stats->answer_iterations += work[k];
      stats->loglik += lls[k];
    }
  }
  return out;
}

}  // namespace pw::model
