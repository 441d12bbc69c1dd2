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
  double prior = 0;  // sum of P(L_1 = mastered)
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

// Sequences are processed kLanes at a time in lockstep: the forward and backward recursions
// of one sequence are a serial chain of dependent multiplies and a division (latency-bound),
// so interleaving independent sequences keeps the pipeline full. Within a skill the order of
// sequences does not matter, so they are sorted by length and grouped, which keeps padding
// small; a padded step has emission factors 1 and is masked out of every sum.
constexpr int kLanes = 8;

struct LaneBlock {
  std::int64_t begin[kLanes];
  std::int32_t len[kLanes];
  std::int32_t steps;  // the longest lane
  std::int64_t codes;  // offset of this block's steps x kLanes observation codes
};

// Observation codes per block, lane-interleaved: 0 wrong, 1 right, 2 padding.
struct Lanes {
  std::vector<LaneBlock> blocks;
  std::vector<std::uint8_t> codes;
};

Lanes MakeBlocks(const BktSkillData& d) {
  const std::size_t nseq = d.seq_begin.size() - 1;
  std::vector<std::uint32_t> order;
  order.reserve(nseq);
  for (std::size_t j = 0; j < nseq; ++j) {
    if (d.seq_begin[j + 1] > d.seq_begin[j]) order.push_back(static_cast<std::uint32_t>(j));
  }
  auto len = [&](std::uint32_t j) { return d.seq_begin[j + 1] - d.seq_begin[j]; };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return len(a) > len(b); });
  std::vector<LaneBlock> blocks;
  for (std::size_t i = 0; i < order.size(); i += kLanes) {
    LaneBlock b{};
    b.steps = 0;
    for (int l = 0; l < kLanes; ++l) {
      if (i + l < order.size()) {
        b.begin[l] = d.seq_begin[order[i + l]];
        b.len[l] = static_cast<std::int32_t>(len(order[i + l]));
      } else {
        b.begin[l] = 0;
        b.len[l] = 0;
      }
      b.steps = std::max(b.steps, b.len[l]);
    }
    blocks.push_back(b);
  }
  Lanes out;
  std::int64_t total = 0;
  for (auto& b : blocks) b.codes = total, total += static_cast<std::int64_t>(b.steps) * kLanes;
  out.codes.assign(static_cast<std::size_t>(total), 2);
  for (const auto& b : blocks) {
    for (int k = 0; k < kLanes; ++k) {
      for (std::int32_t t = 0; t < b.len[k]; ++t) {
        out.codes[static_cast<std::size_t>(b.codes + static_cast<std::int64_t>(t) * kLanes + k)] =
            d.obs[static_cast<std::size_t>(b.begin[k] + t)];
      }
    }
  }
  out.blocks = std::move(blocks);
  return out;
}

// Forward (filtering, scaled) and backward (scaled beta) over every sequence; accumulates the
// expected counts and returns the log-likelihood. `alpha` and `inv` hold steps x kLanes.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx2", "default")))
#endif
double
EStep(const Lanes& lanes, const BktParams& p, double* alpha, double* inv, Accum& acc) {
  const std::vector<LaneBlock>& blocks = lanes.blocks;
  const double l = p.learn, f = p.forget, g = p.guess, s = p.slip;
  // Emission factors indexed by [observation]; index 2 = padding (factor 1).
  const double e1[3] = {s, 1 - s, 1.0};
  const double e0[3] = {1 - g, g, 1.0};
  static constexpr double kMask[3] = {1.0, 1.0, 0.0};
  static constexpr double kRight[3] = {0.0, 1.0, 0.0};
  static constexpr double kWrong[3] = {1.0, 0.0, 0.0};
  double ll = 0;
  double prior_sum = 0, from0 = 0, learn = 0, from1 = 0, forget = 0;
  double in0 = 0, in0_right = 0, in1 = 0, in1_wrong = 0;
  for (const LaneBlock& b : blocks) {
    const std::int32_t T = b.steps;
    double pl[kLanes], prod[kLanes];
    for (int k = 0; k < kLanes; ++k) pl[k] = p.prior, prod[k] = 1.0;
    const std::uint8_t* codes = lanes.codes.data() + b.codes;
    for (std::int32_t t = 0; t < T; ++t) {
      double* at = alpha + static_cast<std::ptrdiff_t>(t) * kLanes;
      double* it = inv + static_cast<std::ptrdiff_t>(t) * kLanes;
      const std::uint8_t* ct = codes + static_cast<std::ptrdiff_t>(t) * kLanes;
      for (int k = 0; k < kLanes; ++k) {
        const int o = ct[k];
        const double num = pl[k] * e1[o];
        const double den = num + (1 - pl[k]) * e0[o];
        const double iv = 1.0 / den;
        const double a = num * iv;
        at[k] = a;
        it[k] = iv;
        prod[k] *= den;
        pl[k] = a * (1 - f) + (1 - a) * l;
      }
      if ((t & 31) == 31) {
        for (int k = 0; k < kLanes; ++k) ll += std::log(prod[k]), prod[k] = 1.0;
      }
    }
    for (int k = 0; k < kLanes; ++k) ll += std::log(prod[k]);
    // Backward: beta_T = 1; gamma_t(i) = alpha_t(i) beta_t(i);
    // xi_{t-1}(i, j) = alpha_{t-1}(i) A(i, j) e_j(o_t) beta_t(j) / c_t.
    double b1[kLanes], b0[kLanes];
    for (int k = 0; k < kLanes; ++k) b1[k] = 1.0, b0[k] = 1.0;
    for (std::int32_t t = T - 1; t >= 0; --t) {
      const double* at = alpha + static_cast<std::ptrdiff_t>(t) * kLanes;
      const double* it = inv + static_cast<std::ptrdiff_t>(t) * kLanes;
      const double* ap = at - kLanes;  // alpha_{t-1}
      const std::uint8_t* ct = codes + static_cast<std::ptrdiff_t>(t) * kLanes;
      for (int k = 0; k < kLanes; ++k) {
        const int o = ct[k];
        const double m = kMask[o];
        const double g1 = at[k] * b1[k];
        const double g0 = (1 - at[k]) * b0[k];
        const double right = kRight[o];
        const double wrong = kWrong[o];
        in1 += m * g1;
        in1_wrong += wrong * g1;
        in0 += m * g0;
        in0_right += right * g0;
        if (t > 0) {
          const double w1 = e1[o] * b1[k] * it[k];
          const double w0 = e0[o] * b0[k] * it[k];
          const double a = ap[k];
          const double x01 = (1 - a) * l * w1;
          const double x00 = (1 - a) * (1 - l) * w0;
          const double x11 = a * (1 - f) * w1;
          const double x10 = a * f * w0;
          learn += m * x01;
          from0 += m * (x00 + x01);
          forget += m * x10;
          from1 += m * (x11 + x10);
          b1[k] = (1 - f) * w1 + f * w0;
          b0[k] = l * w1 + (1 - l) * w0;
        } else {
          prior_sum += m * g1;
        }
      }
    }
  }
  acc.prior += prior_sum;
  std::int64_t nseq = 0;
  for (const LaneBlock& b : blocks) {
    for (int k = 0; k < kLanes; ++k) nseq += b.len[k] > 0 ? 1 : 0;
  }
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
  for (std::size_t j = 0; j + 1 < d.seq_begin.size(); ++j)
    m = std::max(m, d.seq_begin[j + 1] - d.seq_begin[j]);
  return m;
}

}  // namespace

double BktEm(const BktSkillData& data, const BktParams& start, const BktFitOptions& options,
             BktParams* params, int* iterations) {
  const Lanes lanes = MakeBlocks(data);
  const auto room = static_cast<std::size_t>(std::max<std::int64_t>(1, MaxSeqLen(data))) * kLanes;
  std::vector<double> alpha(room), inv(room);
  BktParams p = Clamp(start, options);
  const double n = std::max<double>(1.0, static_cast<double>(data.obs.size()));
  double prev = -1e300, ll = 0;
  int it = 0;
  while (true) {
    Accum acc;
    ll = EStep(lanes, p, alpha.data(), inv.data(), acc);
    ++it;
    if (it > options.max_iterations || !std::isfinite(ll) || (ll - prev) / n < options.tolerance)
      break;
    prev = ll;
    p = MStep(acc, p, options);
  }
  // `ll` belongs to `p` (the E-step just run used it).
  if (params) *params = p;
  if (iterations) *iterations = it;
  return ll;
}

std::vector<BktParams> BktFitSkills(std::span<const BktSkillData> skills,
                                    const BktFitOptions& options, const BktParams& fallback,
                                    BktFitStats* stats) {
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
      const int starts = std::max(1, options.starts);
      // With several starts, screen each briefly, then continue the best one.
      const bool screen = starts > 1 && options.screen_iterations > 0 &&
                          options.screen_iterations < options.max_iterations;
      BktFitOptions first = options;
      if (screen) first.max_iterations = options.screen_iterations - 1;  // E-steps = max + 1
      double best = -1e300;
      BktParams best_p = fallback;
      bool best_converged = false;
      for (int s = 0; s < starts; ++s) {
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
        const double ll = BktEm(d, start, first, &p, &iters);
        work[k] += static_cast<std::int64_t>(d.obs.size()) * iters;
        if (ll > best) {
          best = ll;
          best_p = p;
          best_converged = iters <= first.max_iterations;  // stopped by the tolerance
        }
      }
      if (screen && !best_converged) {
        BktParams p;
        int iters = 0;
        best = BktEm(d, best_p, options, &p, &iters);
        work[k] += static_cast<std::int64_t>(d.obs.size()) * iters;
        best_p = p;
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
