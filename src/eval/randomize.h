// Blocked random assignment for a randomized pilot, with a recorded seed and a balance check.
//
// Within each block (for example school x grade) the students are shuffled and half of them
// (the odd one out by a coin flip) assigned to the program. The draw is repeated, from the same
// seeded generator, until every baseline measure's standardized difference is at most
// `max_std_diff` (WWC: 0.05 SD needs no adjustment) or `max_draws` is reached; the accepted
// draw number and the seed reproduce the assignment exactly.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/status.h"
#include "eval/balance.h"

namespace pw::eval {

struct AssignOptions {
  std::uint64_t seed = 1;
  double max_std_diff = 0.05;  // re-draw while any |standardized difference| is larger
  int max_draws = 1000;
};

struct Assignment {
  std::vector<int> treated;  // 0/1 per student
  std::uint64_t seed = 0;
  int draw = 0;           // 1-based number of the accepted draw
  bool balanced = false;  // false: no draw within max_draws met the target; the best is kept
  std::vector<BalanceRow> balance;
};

// `block`: one label per student (empty = one block); `baseline`: measures to balance (may have
// zero columns). Errors: sizes that disagree, fewer than 2 students.
Result<Assignment> AssignBlocked(const std::vector<std::string>& block,
                                 const Eigen::MatrixXd& baseline,
                                 const std::vector<std::string>& names,
                                 const AssignOptions& options);

}  // namespace pw::eval
