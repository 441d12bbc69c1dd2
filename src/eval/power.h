// Power and minimum detectable effect (MDE) for a planned study, in effect-size (SD) units,
// following Bloom (2006) and the PowerUp! formulas (Dong & Maynard 2013):
//
//   individual random assignment:  MDE = M(df) * sqrt((1 - R1^2) / (P (1 - P) n)),  df = n - g - 2
//   cluster random assignment (J clusters of n students, intraclass correlation rho):
//     MDE = M(df) * sqrt(rho (1 - R2^2) / (P (1 - P) J) + (1 - rho)(1 - R1^2) / (P (1 - P) J n)),
//     df = J - g - 2
//   M(df) = t(1 - alpha/2, df) + t(power, df)   (two-sided test)
//
// Power at an effect d: 1 - T_df(t(1 - alpha/2, df) - d / SE), SE = MDE / M.
#pragma once

#include <limits>

#include "core/status.h"

namespace pw::eval {

struct PowerOptions {
  int students = 0;  // individual design: total students; cluster design: students per cluster
  int clusters = 0;  // 0 = individual random assignment; else clusters randomized
  double icc = 0.2;  // intraclass correlation (cluster design)
  double r2_student = 0.0;  // share of student-level variance explained by covariates (pretest)
  double r2_cluster = 0.0;  // share of cluster-level variance explained by covariates
  double p_treated = 0.5;   // share assigned to the program
  int covariates = 0;       // g: covariates in the model (cluster-level for the cluster design)
  double alpha = 0.05;      // two-sided
  double power = 0.80;      // target power for the MDE and the required sample size
  double effect = std::numeric_limits<double>::quiet_NaN();  // if set: power at this effect
};

struct PowerResult {
  bool cluster_design = false;
  double df = 0;
  double multiplier = 0;  // M(df)
  double mde = 0;         // in SD units
  double se = 0;          // standard error of the impact in SD units
  double power_at_effect = std::numeric_limits<double>::quiet_NaN();
  // Smallest number of students (individual) or clusters (cluster design) that reaches the
  // target power at `effect` (0 if no effect was given; -1 if over a million).
  long long required = 0;
};

// Errors: fewer than g + 3 students or clusters, shares outside (0, 1), an ICC outside [0, 1).
Result<PowerResult> ComputePower(const PowerOptions& options);

}  // namespace pw::eval
