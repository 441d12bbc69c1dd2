// Mastery per competency: the online knowledge-tracing update the learner profile runs for
// every piece of evidence, forgetting by time, and the mastery state a teacher sees.
//
//   MasteryEstimate m;                                  // not started
//   ApplyEvidence(bkt, options, {.time = t, .score = 1}, &m);
//   MasteryState s = StateAt(m, options, now);          // decay applied up to `now`
//
// Per evidence: P(mastered) first decays with the time since the previous evidence
// (half-life `half_life_days`), then takes one BKT step (model/bkt.h BktUpdate). A score in
// (0, 1) — partial credit, rubric — mixes the right and wrong updates by the score.
//
// States (docs/profiles.md):
//   not started   no evidence yet
//   mastered      decayed P >= mastery_threshold AND >= min_evidence independent pieces of
//                 evidence; once mastered it stays so while P >= review_below
//   needs review  was mastered once, P has fallen below review_below (by time or by answers)
//   learning      everything else
// A teacher's override replaces the state shown (EffectiveState) and is reported as such.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "model/bkt.h"

namespace pw::profile {

enum class MasteryState : std::uint8_t { kNotStarted, kLearning, kMastered, kNeedsReview };

// "not_started", "learning", "mastered", "needs_review".
std::string_view MasteryStateName(MasteryState s);
// Words for people: "not started", "learning", "mastered", "needs review".
std::string_view MasteryStateWords(MasteryState s);
// InvalidArgument: unknown mastery state "x" (expected one of: not_started, learning, ...).
Result<MasteryState> ParseMasteryState(std::string_view s);

struct MasteryOptions {
  double mastery_threshold = 0.95;  // P(mastered) needed for "mastered" (per framework)
  int min_evidence = 3;             // independent pieces of evidence needed for "mastered"
  double review_below = 0.85;       // a mastered competency needs review below this P
  double half_life_days = 120;      // P(mastered) halves after this long without evidence
  // Evidence on the same activity as the previous evidence, within this many minutes, is a
  // retry, not an independent piece of evidence.
  int retry_minutes = 10;
};

// Checks ranges: InvalidArgument naming the field ("mastery_threshold: expected a number in
// (0.5, 1], got 1.2").
Status ValidateMasteryOptions(const MasteryOptions& options);

// The running estimate for one (student, competency).
struct MasteryEstimate {
  double p = 0;              // P(mastered) right after the last evidence
  std::int32_t attempts = 0;
  std::int32_t independent = 0;
  std::int32_t correct = 0;
  Timestamp last_evidence;
  Id last_activity_id = kNoId;
  MasteryState state = MasteryState::kNotStarted;  // as of the last evidence
  std::optional<Timestamp> mastered_at;             // first time it reached mastered
};

struct EvidenceOutcome {
  Timestamp time;
  double score = 1;  // 1 right, 0 wrong, in between partial credit
  Id activity_id = kNoId;
};

// P(mastered) after `days` without evidence.
double DecayedP(double p, double days, const MasteryOptions& options);

// One piece of evidence (given in time order per pair; an older one counts with no decay).
void ApplyEvidence(const model::BktParams& bkt, const MasteryOptions& options,
                   const EvidenceOutcome& outcome, MasteryEstimate* m);

// P(mastered) at `now`, decayed since the last evidence (the prior-free 0 when not started).
double PAt(const MasteryEstimate& m, const MasteryOptions& options, Timestamp now);

// The state at `now` (decay applied; no override).
MasteryState StateAt(const MasteryEstimate& m, const MasteryOptions& options, Timestamp now);

}  // namespace pw::profile
