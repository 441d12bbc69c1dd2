#include "eval/distributions.h"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/policies/policy.hpp>
#include <cmath>
#include <limits>

namespace pw::eval {
namespace {

using Policy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>>;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool UseNormal(double df) { return !std::isfinite(df) || df > 1e7; }

}  // namespace

double NormalCdf(double x) {
  if (std::isnan(x)) return kNaN;
  return boost::math::cdf(boost::math::normal_distribution<double, Policy>(), x);
}

double NormalQuantile(double prob) {
  if (!(prob > 0 && prob < 1)) return kNaN;
  return boost::math::quantile(boost::math::normal_distribution<double, Policy>(), prob);
}

double TCdf(double x, double df) {
  if (std::isnan(x) || std::isnan(df) || df <= 0) return kNaN;
  if (UseNormal(df)) return NormalCdf(x);
  return boost::math::cdf(boost::math::students_t_distribution<double, Policy>(df), x);
}

double TwoSidedP(double t, double df) {
  if (std::isnan(t) || std::isnan(df) || df <= 0) return kNaN;
  const double a = std::fabs(t);
  if (UseNormal(df)) {
    return 2 * boost::math::cdf(
                   boost::math::complement(boost::math::normal_distribution<double, Policy>(), a));
  }
  return 2 * boost::math::cdf(boost::math::complement(
                 boost::math::students_t_distribution<double, Policy>(df), a));
}

double TQuantile(double prob, double df) {
  if (!(prob > 0 && prob < 1) || std::isnan(df) || df <= 0) return kNaN;
  if (UseNormal(df)) return NormalQuantile(prob);
  return boost::math::quantile(boost::math::students_t_distribution<double, Policy>(df), prob);
}

}  // namespace pw::eval
