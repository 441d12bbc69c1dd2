// Knowledge-tracing models behind one interface, chosen by name:
//   bkt, bkt-forget              per-skill BKT by EM (model/bkt.h)
//   irt, afm, pfa, das3h, best-lr, best-lr+   the logistic family (model/logistic.h)
//   elo                          Elo ratings of students (global and per skill) and items
//                                with an uncertainty-based step K(n) = a / (1 + b n)
//
//   PW_ASSIGN_OR_RETURN(auto m, MakeKtModel("best-lr", {}));
//   PW_RETURN_IF_ERROR(m->Fit(train));
//   std::vector<double> p = m->Predict(test);   // each answer from earlier answers only
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/bkt.h"
#include "model/kt_data.h"
#include "model/logistic.h"

namespace pw::model {

struct EloOptions {
  double a = 1.0;       // step size scale
  double b = 0.05;      // how fast the step shrinks with the number of answers seen
  int item_passes = 2;  // passes over the training data to settle item difficulties
};

struct KtModelOptions {
  BktFitOptions bkt;  // fit_forget is set by the model name
  LogisticOptions logistic;
  EloOptions elo;
};

class KtModel {
 public:
  virtual ~KtModel() = default;
  virtual std::string_view name() const = 0;
  virtual Status Fit(const KtData& train) = 0;
  // P(correct) for every answer of `data`, each predicted from that student's earlier answers
  // in `data` only (the true answer is revealed after its prediction).
  virtual std::vector<double> Predict(const KtData& data) const = 0;
  // The fitted parameters ("model" names the model); FromJson reads what ToJson wrote.
  virtual nlohmann::json ToJson() const = 0;
  virtual Status FromJson(const nlohmann::json& j) = 0;
};

// The model names MakeKtModel accepts, comma-separated (for messages and --help).
std::string_view KtModelNames();

// InvalidArgument "--model: expected one of ..., got "x"" for an unknown name.
Result<std::unique_ptr<KtModel>> MakeKtModel(std::string_view name, const KtModelOptions& options);

// BKT's view of the data: per skill, the per-student answer sequences (exposed for tests and
// benchmarks). An answer with several skills counts as an opportunity for each of them.
std::vector<BktSkillData> BuildBktSkillData(const KtData& data);

}  // namespace pw::model
