#include "eval/power.h"

#include <cmath>

#include "eval/distributions.h"

namespace pw::eval {
namespace {

struct Core {
  double df, m, se;
};

Core Evaluate(const PowerOptions& o, double n, double j) {
  const double pq = o.p_treated * (1 - o.p_treated);
  Core c;
  double var;
  if (o.clusters > 0) {
    c.df = j - o.covariates - 2;
    var = o.icc * (1 - o.r2_cluster) / (pq * j) + (1 - o.icc) * (1 - o.r2_student) / (pq * j * n);
  } else {
    c.df = n - o.covariates - 2;
    var = (1 - o.r2_student) / (pq * n);
  }
  c.se = std::sqrt(var);
  c.m = TQuantile(1 - o.alpha / 2, c.df) + TQuantile(o.power, c.df);
  return c;
}

double PowerAt(const PowerOptions& o, const Core& c, double effect) {
  return 1 - TCdf(TQuantile(1 - o.alpha / 2, c.df) - std::fabs(effect) / c.se, c.df);
}

}  // namespace

Result<PowerResult> ComputePower(const PowerOptions& o) {
  if (!(o.p_treated > 0 && o.p_treated < 1))
    return InvalidArgumentError("power: --p-treated must be between 0 and 1, got {}", o.p_treated);
  if (!(o.alpha > 0 && o.alpha < 1))
    return InvalidArgumentError("power: --alpha must be between 0 and 1, got {}", o.alpha);
  if (!(o.power > 0 && o.power < 1))
    return InvalidArgumentError("power: --power must be between 0 and 1, got {}", o.power);
  if (!(o.r2_student >= 0 && o.r2_student < 1) || !(o.r2_cluster >= 0 && o.r2_cluster < 1))
    return InvalidArgumentError("power: R-squared values must be in [0, 1)");
  if (o.covariates < 0) return InvalidArgumentError("power: --covariates must be >= 0");
  PowerResult r;
  r.cluster_design = o.clusters > 0;
  if (r.cluster_design) {
    if (!(o.icc >= 0 && o.icc < 1))
      return InvalidArgumentError("power: --icc must be in [0, 1), got {}", o.icc);
    if (o.clusters < o.covariates + 3)
      return InvalidArgumentError(
          "power: {} clusters is too few (need at least {} with {} covariates)", o.clusters,
          o.covariates + 3, o.covariates);
    if (o.students < 1)
      return InvalidArgumentError("power: --students (per cluster) must be at least 1");
  } else if (o.students < o.covariates + 3) {
    return InvalidArgumentError(
        "power: {} students is too few (need at least {} with {} covariates)", o.students,
        o.covariates + 3, o.covariates);
  }
  const Core c = Evaluate(o, o.students, o.clusters);
  r.df = c.df;
  r.multiplier = c.m;
  r.se = c.se;
  r.mde = c.m * c.se;
  if (!std::isnan(o.effect)) {
    r.power_at_effect = PowerAt(o, c, o.effect);
    r.required = -1;
    const long long lo = o.covariates + 3;
    for (long long k = lo; k <= 1000000; k += (k < 1000 ? 1 : k / 1000)) {
      const Core ck = r.cluster_design ? Evaluate(o, o.students, static_cast<double>(k))
                                       : Evaluate(o, static_cast<double>(k), 0);
      if (PowerAt(o, ck, o.effect) >= o.power) {
        r.required = k;
        break;
      }
    }
  }
  return r;
}

}  // namespace pw::eval
