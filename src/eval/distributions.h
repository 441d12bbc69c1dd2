// Small wrappers over Boost.Math distributions for the evaluation statistics: two-sided
// t-test p-values, t and normal quantiles. Never throw (Boost errors become NaN).
#pragma once

namespace pw::eval {

// Two-sided p-value of a t statistic with `df` degrees of freedom (df = +inf -> normal).
double TwoSidedP(double t, double df);
// Quantile of Student's t with `df` degrees of freedom (df = +inf -> normal).
double TQuantile(double prob, double df);
// Cumulative t distribution.
double TCdf(double x, double df);
double NormalCdf(double x);
double NormalQuantile(double prob);

}  // namespace pw::eval
