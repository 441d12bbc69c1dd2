#include "sim/practice_policy.h"

#include <algorithm>

namespace pw::sim {

PracticePolicy::PracticePolicy(const CompetencyGraph& graph, const PracticePolicyOptions& options,
                               std::vector<bool> in_scope)
    : graph_(graph),
      options_(options),
      in_scope_(in_scope.empty() ? std::vector<bool>(graph.size(), true) : std::move(in_scope)),
      review_threshold_(static_cast<std::uint32_t>(
          std::clamp(options.review_probability, 0.0, 0.999) * 4294967296.0)),
      status_(graph.size()),
      unmet_(graph.size()),
      visits_(graph.size()) {
  ready_.reserve(graph.size());
  passed_list_.reserve(graph.size());
  given_up_.reserve(graph.size());
}

void PracticePolicy::Reset(Rng& rng) {
  const int k = graph_.size();
  ready_.clear();
  passed_list_.clear();
  given_up_.clear();
  for (int c = 0; c < k; ++c) {
    status_[c] = in_scope_[c] ? kOpen : kOutOfScope;
    visits_[c] = 0;
    int unmet = 0;
    for (int pre : graph_.Prerequisites(c)) unmet += in_scope_[pre] ? 1 : 0;
    unmet_[c] = unmet;
    if (in_scope_[c] && unmet == 0) ready_.push_back(c);
  }
  current_ = -1;
  Advance(rng);
}

void PracticePolicy::Pass(int c) {
  status_[c] = kPassed;
  passed_list_.push_back(c);
  for (int d : graph_.Dependents(c)) {
    if (--unmet_[d] == 0 && status_[d] == kOpen) ready_.push_back(d);
  }
}

void PracticePolicy::Advance(Rng& rng) {
  attempts_ = 0;
  streak_ = 0;
  if (!ready_.empty()) {
    const std::size_t i = rng.Below(ready_.size());
    current_ = ready_[i];
    ready_[i] = ready_.back();
    ready_.pop_back();
    return;
  }
  if (!given_up_.empty()) {
    const std::size_t i = rng.Below(given_up_.size());
    current_ = given_up_[i];
    given_up_[i] = given_up_.back();
    given_up_.pop_back();
    status_[current_] = kOpen;
    return;
  }
  current_ = -1;
}

}  // namespace pw::sim
