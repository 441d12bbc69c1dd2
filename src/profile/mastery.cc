#include "profile/mastery.h"

#include <algorithm>
#include <cmath>

#include "core/enum_names.h"

namespace pw::profile {
namespace {

constexpr EnumNames<MasteryState, 4> kStates{{{
    {"not_started", MasteryState::kNotStarted},
    {"learning", MasteryState::kLearning},
    {"mastered", MasteryState::kMastered},
    {"needs_review", MasteryState::kNeedsReview},
}}};

// The state for P(mastered) `p` given the state before it (hysteresis once mastered).
MasteryState Classify(const MasteryEstimate& m, const MasteryOptions& o, double p) {
  if (m.attempts == 0) return MasteryState::kNotStarted;
  const bool enough = m.independent >= o.min_evidence;
  if (enough && p >= o.mastery_threshold) return MasteryState::kMastered;
  if (m.state == MasteryState::kMastered && p >= o.review_below) return MasteryState::kMastered;
  if (m.mastered_at) return MasteryState::kNeedsReview;
  return MasteryState::kLearning;
}

double Days(Timestamp from, Timestamp to) {
  return std::max<double>(0.0, static_cast<double>(to.millis - from.millis) / kMillisPerDay);
}

}  // namespace

std::string_view MasteryStateName(MasteryState s) { return kStates.Name(s); }

std::string_view MasteryStateWords(MasteryState s) {
  switch (s) {
    case MasteryState::kNotStarted: return "not started";
    case MasteryState::kLearning: return "learning";
    case MasteryState::kMastered: return "mastered";
    case MasteryState::kNeedsReview: return "needs review";
  }
  return "?";
}

Result<MasteryState> ParseMasteryState(std::string_view s) {
  return kStates.Parse(s, "mastery state");
}

Status ValidateMasteryOptions(const MasteryOptions& o) {
  if (!(o.mastery_threshold > 0.5 && o.mastery_threshold <= 1.0)) {
    return InvalidArgumentError("mastery_threshold: expected a number in (0.5, 1], got {}",
                                o.mastery_threshold);
  }
  if (o.min_evidence < 1 || o.min_evidence > 1000) {
    return InvalidArgumentError("min_evidence: expected an integer in [1, 1000], got {}",
                                o.min_evidence);
  }
  if (!(o.review_below > 0 && o.review_below <= o.mastery_threshold)) {
    return InvalidArgumentError("review_below: expected a number in (0, mastery_threshold], got {}",
                                o.review_below);
  }
  if (!(o.half_life_days > 0)) {
    return InvalidArgumentError("half_life_days: expected a positive number, got {}",
                                o.half_life_days);
  }
  if (o.retry_minutes < 0) {
    return InvalidArgumentError("retry_minutes: expected a non-negative integer, got {}",
                                o.retry_minutes);
  }
  return OkStatus();
}

double DecayedP(double p, double days, const MasteryOptions& o) {
  if (days <= 0) return p;
  return p * std::exp2(-days / o.half_life_days);
}

void ApplyEvidence(const model::BktParams& bkt, const MasteryOptions& o,
                   const EvidenceOutcome& e, MasteryEstimate* m) {
  double p = bkt.prior;
  bool independent = true;
  if (m->attempts > 0) {
    p = DecayedP(m->p, Days(m->last_evidence, e.time), o);
    const std::int64_t gap = e.time.millis - m->last_evidence.millis;
    independent = !(e.activity_id != kNoId && e.activity_id == m->last_activity_id && gap >= 0 &&
                    gap <= std::int64_t{o.retry_minutes} * 60'000);
  }
  const double s = std::clamp(e.score, 0.0, 1.0);
  if (s >= 1.0) {
    p = model::BktUpdate(bkt, p, true);
  } else if (s <= 0.0) {
    p = model::BktUpdate(bkt, p, false);
  } else {
    p = s * model::BktUpdate(bkt, p, true) + (1 - s) * model::BktUpdate(bkt, p, false);
  }
  m->p = p;
  ++m->attempts;
  if (independent) ++m->independent;
  if (s >= 0.5) ++m->correct;
  if (m->attempts == 1 || e.time > m->last_evidence) m->last_evidence = e.time;
  m->last_activity_id = e.activity_id;
  m->state = Classify(*m, o, p);
  if (m->state == MasteryState::kMastered && !m->mastered_at) m->mastered_at = e.time;
}

double PAt(const MasteryEstimate& m, const MasteryOptions& o, Timestamp now) {
  if (m.attempts == 0) return 0;
  return DecayedP(m.p, Days(m.last_evidence, now), o);
}

MasteryState StateAt(const MasteryEstimate& m, const MasteryOptions& o, Timestamp now) {
  return Classify(m, o, PAt(m, o, now));
}

}  // namespace pw::profile
