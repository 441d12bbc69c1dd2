// Bayesian Knowledge Tracing (Corbett & Anderson 1995): per-skill parameters, the online
// update the learner profile calls for every answer, and batch fitting by EM (Baum-Welch).
//
//   BktParams p{.prior = 0.3, .learn = 0.1, .guess = 0.2, .slip = 0.1};
//   double m = p.prior;
//   double p_correct = BktPredictCorrect(p, m);   // before seeing the answer
//   m = BktUpdate(p, m, /*correct=*/true);        // P(mastery) at the next opportunity
//
// Fitting: BktFitSkills() runs EM on each skill's answer sequences (several starts, the
// best log-likelihood kept), skills spread over `threads` std::threads; the result does not
// depend on the thread count. Guess and slip are bounded (default <= 0.4) so that
// "mastered" keeps meaning "answers mostly right".
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace pw::model {

struct BktParams {
  double prior = 0.4;   // P(mastered) before the first opportunity
  double learn = 0.1;   // P(unmastered -> mastered) after an opportunity
  double guess = 0.2;   // P(correct | unmastered)
  double slip = 0.1;    // P(wrong | mastered)
  double forget = 0.0;  // P(mastered -> unmastered) after an opportunity (0 = standard BKT)
};

// P(correct answer) when P(mastered) is `p_mastery`.
inline double BktPredictCorrect(const BktParams& p, double p_mastery) {
  return p_mastery * (1.0 - p.slip) + (1.0 - p_mastery) * p.guess;
}

// One answer -> P(mastered) at the next opportunity: the Bayesian posterior given the answer,
// then the learn/forget transition.
inline double BktUpdate(const BktParams& p, double p_mastery, bool correct) {
  const double e1 = correct ? 1.0 - p.slip : p.slip;
  const double e0 = correct ? p.guess : 1.0 - p.guess;
  const double num = p_mastery * e1;
  const double post = num / (num + (1.0 - p_mastery) * e0);
  return post * (1.0 - p.forget) + (1.0 - post) * p.learn;
}

struct BktFitOptions {
  bool fit_forget = false;     // also estimate `forget` (otherwise it stays 0)
  double max_guess = 0.4;      // upper bound on guess (guess + slip < 1 keeps mastery meaningful)
  double max_slip = 0.4;       // upper bound on slip
  int starts = 3;              // EM starts per skill: one fixed, the rest random
  int max_iterations = 200;    // EM iterations for the chosen start
  int screen_iterations = 5;   // every start first runs this many iterations; only the best
                               // is continued to convergence (0 = run every start fully)
  double tolerance = 1e-5;     // stop when the mean log-likelihood per answer gains less
  int threads = 2;             // worker threads across skills (results do not depend on it)
  std::uint64_t seed = 1;      // random starts: skill k uses Rng(seed).Fork(k)
};

// One skill's training answers: the concatenation of its per-student sequences.
// Sequence j is obs[seq_begin[j] .. seq_begin[j+1]); obs are 0/1.
struct BktSkillData {
  std::vector<std::uint8_t> obs;
  std::vector<std::int64_t> seq_begin{0};
};

struct BktFitStats {
  std::int64_t answer_iterations = 0;  // sum over skills and starts of answers x EM iterations
  double loglik = 0;                   // training log-likelihood of the chosen parameters
};

// Fits each skill independently. Skills with no answers get `fallback`.
std::vector<BktParams> BktFitSkills(std::span<const BktSkillData> skills,
                                    const BktFitOptions& options, const BktParams& fallback,
                                    BktFitStats* stats = nullptr);

// One EM run from `start` on one skill (exposed for tests and benchmarks). Returns the final
// log-likelihood; `params` receives the fitted parameters; `iterations` the EM steps taken.
double BktEm(const BktSkillData& data, const BktParams& start, const BktFitOptions& options,
             BktParams* params, int* iterations);

}  // namespace pw::model
