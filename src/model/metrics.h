// Prediction metrics for binary answers: AUC (exact, ties get half credit), RMSE, log-loss
// (probabilities clipped to [1e-15, 1 - 1e-15], as scikit-learn does) and accuracy (p >= 0.5).
#pragma once

#include <cstdint>
#include <span>

namespace pw::model {

struct KtMetrics {
  double auc = 0.5;  // 0.5 when only one class is present
  double rmse = 0;
  double logloss = 0;
  double accuracy = 0;
  double loglik = 0;  // sum of log P(observed answer)
  std::int64_t n = 0;
};

// Area under the ROC curve by sorting (O(n log n)); tied scores count one half.
double Auc(std::span<const double> p, std::span<const std::uint8_t> y);

KtMetrics ComputeMetrics(std::span<const double> p, std::span<const std::uint8_t> y);

}  // namespace pw::model
