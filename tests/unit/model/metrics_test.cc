#include "model/metrics.h"

#include <gtest/gtest.h>

#include <vector>

namespace pw::model {
namespace {

// Expected values computed independently with scikit-learn 1.2.1 (roc_auc_score, log_loss,
// sqrt(mean_squared_error), accuracy_score at 0.5) on these exact vectors.
TEST(Metrics, MatchScikitLearn) {
  const std::vector<std::uint8_t> y = {1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1};
  const std::vector<double> p = {0.9, 0.1, 0.8, 0.4, 0.4, 0.6, 0.7, 0.2, 0.4, 0.95, 0.3, 0.55};
  KtMetrics m = ComputeMetrics(p, y);
  EXPECT_NEAR(m.auc, 0.8857142857142857, 1e-12);
  EXPECT_NEAR(m.logloss, 0.4399321780294303, 1e-12);
  EXPECT_NEAR(m.rmse, 0.37914377220257756, 1e-12);
  EXPECT_NEAR(m.accuracy, 0.75, 1e-12);
  EXPECT_EQ(m.n, 12);
}

// Many ties and probabilities of exactly 0 (log-loss clips at 1e-15 like scikit-learn).
TEST(Metrics, TiesAndClippingMatchScikitLearn) {
  const std::vector<std::uint8_t> y = {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
                                       1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1,
                                       0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1};
  const std::vector<double> p = {0.6, 0.4, 0.3, 0.4, 0.7, 0.4, 0.5, 0.0, 0.5, 0.1, 0.2, 0.8,
                                 0.6, 0.5, 0.4, 0.7, 0.1, 0.6, 0.3, 0.5, 0.5, 0.4, 0.0, 0.2,
                                 0.5, 0.1, 0.8, 0.2, 0.6, 0.7, 0.7, 0.7, 0.7, 0.4, 0.6, 0.4,
                                 0.5, 0.4, 0.6, 0.4, 0.4, 0.2, 0.8, 0.4, 0.4, 0.8, 0.6, 0.5,
                                 0.3, 0.1, 0.1, 0.9, 0.6, 0.1, 0.8, 0.7, 0.6, 0.5, 0.2, 0.4};
  KtMetrics m = ComputeMetrics(p, y);
  EXPECT_NEAR(m.auc, 0.8563348416289593, 1e-12);
  EXPECT_NEAR(m.logloss, 0.49541793446184473, 1e-12);
  EXPECT_NEAR(m.rmse, 0.4070217029430576, 1e-12);
}

TEST(Metrics, AucEdgeCases) {
  const std::vector<std::uint8_t> y = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(Auc(std::vector<double>{0.1, 0.2, 0.3, 0.4}, y), 1.0);
  EXPECT_DOUBLE_EQ(Auc(std::vector<double>{0.4, 0.3, 0.2, 0.1}, y), 0.0);
  EXPECT_DOUBLE_EQ(Auc(std::vector<double>{0.5, 0.5, 0.5, 0.5}, y), 0.5);
  EXPECT_DOUBLE_EQ(Auc(std::vector<double>{0.1, 0.2}, std::vector<std::uint8_t>{1, 1}), 0.5);
}

}  // namespace
}  // namespace pw::model
