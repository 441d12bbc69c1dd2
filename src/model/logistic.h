// The logistic family of knowledge-tracing models: each answer becomes a sparse feature
// vector built only from that student's earlier answers, and an L2-regularized logistic
// regression (liblinear's trust-region Newton solver, L2R_LR) maps it to P(correct).
//
//   irt      student + item one-hots (1PL / Rasch)
//   afm      student + skill one-hots + per-skill opportunity counts (Cen et al.)
//   pfa      skill one-hots + per-skill counts of prior successes and failures (Pavlik et al.)
//   das3h    student + item + skill one-hots + per-skill log(1+attempts), log(1+wins) in time
//            windows 1h, 1d, 1w, 30d, all (Choffin et al. 2019; only "all" without times)
//   best-lr  item + skill one-hots + per-skill log(1+correct), log(1+wrong) + the same two
//            counts over all skills (Gervet et al. 2020)
//   best-lr+ best-lr + das3h windows + per-item counts + recent-answer features (see
//            docs/knowledge-tracing.md)
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/kt_data.h"

namespace pw::model {

struct LogisticFeatures {
  bool student = false;       // student one-hot
  bool item = false;          // item one-hot
  bool skill = false;         // skill one-hot
  bool afm_counts = false;    // per-skill prior attempts (raw)
  bool pfa_counts = false;    // per-skill prior successes and failures (raw)
  bool log_counts = false;    // per-skill log(1+correct), log(1+wrong)
  bool total_counts = false;  // log(1+correct), log(1+wrong) over all skills
  bool windows = false;       // per-skill log(1+attempts), log(1+wins) in time windows
  bool extras = false;        // best-lr+: item counts, last answers, recent accuracy

  // The preset for a model name (irt, afm, pfa, das3h, best-lr, best-lr+).
  static Result<LogisticFeatures> ForModel(std::string_view name);
};

struct LogisticOptions {
  double c = 1.0;         // liblinear C (inverse L2 strength; sklearn's C means the same)
  double epsilon = 0.01;  // liblinear stopping tolerance (its default for L2R_LR)
};

// A sparse design matrix in CSR form, 0-based columns.
struct SparseRows {
  std::vector<std::int64_t> row_begin{0};
  std::vector<std::int32_t> col;
  std::vector<double> val;
  std::int32_t n_cols = 0;
  std::size_t rows() const { return row_begin.size() - 1; }
};

class LogisticModel {
 public:
  LogisticModel(std::string name, LogisticFeatures features, LogisticOptions options)
      : name_(std::move(name)), f_(features), opt_(options) {}

  // Sizes the column layout from `data`'s id spaces, builds the features and fits.
  Status Fit(const KtData& train);
  // P(correct) for every answer, each from that student's earlier answers in `data`.
  std::vector<double> Predict(const KtData& data) const;

  // The features of `data` under the fitted (or, before Fit, `data`'s own) layout.
  SparseRows Features(const KtData& data) const;

  nlohmann::json ToJson() const;
  Status FromJson(const nlohmann::json& j);
  const std::vector<double>& weights() const { return w_; }

 private:
  std::string name_;
  LogisticFeatures f_;
  LogisticOptions opt_;
  std::int32_t n_students_ = 0, n_items_ = 0, n_skills_ = 0;
  bool has_time_ = false;
  std::vector<double> w_;  // one per column, then the bias
};

// Fits an L2-regularized logistic regression (bias unpenalized-ish as liblinear does: a
// constant column) on `x` with 0/1 labels `y`; returns n_cols + 1 weights (last = bias).
Result<std::vector<double>> FitLogistic(const SparseRows& x, const std::vector<std::uint8_t>& y,
                                        const LogisticOptions& options);

}  // namespace pw::model
