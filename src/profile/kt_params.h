// Knowledge-tracing parameters and mastery options per competency framework, read from the
// JSON that `pathwise kt fit` writes (model/kt_model.h ToJson inside the kt-fit envelope) and
// stored under the meta keys below.
//
//   {"pathwise_kt_params": 1, "model": "bkt", "skills": ["12", "13"],
//    "params": {"model": "bkt", "skills": [[prior, learn, guess, slip, forget], ...],
//               "fallback": [prior, learn, guess, slip, forget]}}
//
// skills[i] is a competency id as decimal text; params.skills[i] are its BKT parameters;
// every other competency of the framework gets params.fallback. Without stored parameters,
// DefaultBktParams() applies to every competency.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "core/ids.h"
#include "core/status.h"
#include "model/bkt.h"
#include "profile/mastery.h"

namespace pw::profile {

// "kt.params.framework.<id>": the kt-fit JSON above.
std::string KtParamsKey(Id framework_id);
// "profile.options.framework.<id>": {"mastery_threshold": 0.95, "min_evidence": 3, ...}
// (any subset of the MasteryOptions fields; the rest keep their defaults).
std::string MasteryOptionsKey(Id framework_id);

// The defaults when a framework has no fitted parameters (docs/profiles.md): prior 0.2,
// learn 0.15, guess 0.2, slip 0.1, forget 0 — a new competency starts unlikely to be
// mastered, and three right answers in a row on top of earlier practice reach 0.95.
model::BktParams DefaultBktParams();

struct FrameworkKtParams {
  std::string model = "default";  // "bkt", "bkt-forget" or "default"
  std::unordered_map<Id, model::BktParams> by_competency;
  model::BktParams fallback = DefaultBktParams();

  const model::BktParams& For(Id competency_id) const {
    auto it = by_competency.find(competency_id);
    return it == by_competency.end() ? fallback : it->second;
  }
};

// Parses the kt-fit JSON. Errors name the key (prefixed by `what`, e.g. the meta key):
//   kt.params.framework.1: model: expected "bkt" or "bkt-forget", got "elo"
//   kt.params.framework.1: params.skills[2]: expected [prior, learn, guess, slip, forget] in [0, 1]
Result<FrameworkKtParams> ParseKtParams(std::string_view json, std::string_view what);

// Parses the mastery options JSON (a subset of fields) over the defaults, then validates.
Result<MasteryOptions> ParseMasteryOptions(std::string_view json, std::string_view what);

}  // namespace pw::profile
