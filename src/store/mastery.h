// Stored mastery: one row per (student, competency) that the learner profile keeps up to date
// online (server/evidence_service.h), plus course credits and stated interests. The store keeps
// these as plain values; what they mean (states, thresholds, BKT) is profile/mastery.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/ids.h"
#include "core/time.h"

namespace pw {

struct MasteryRecord {
  Id student_id = kNoId;
  Id competency_id = kNoId;
  double p = 0;                   // P(mastered) right after the last evidence (no decay applied)
  std::int32_t attempts = 0;      // evidence events seen
  std::int32_t independent = 0;   // independent pieces of evidence (profile/mastery.h)
  std::int32_t correct = 0;       // of the attempts, correct ones
  Timestamp last_evidence;        // time of the newest evidence
  Id last_activity_id = kNoId;    // activity of the newest evidence (kNoId: none)
  std::string state;              // as of the last evidence: not_started, learning, mastered,
                                  // needs_review
  std::optional<Timestamp> mastered_at;  // first time it reached mastered
  // A teacher's override ("" = none): the state shown instead, why, who (login), when.
  std::string override_state;
  std::string override_reason;
  std::string override_by;
  std::optional<Timestamp> override_at;
};

// A course credited to a student when every required competency was mastered.
struct CourseCredit {
  Id student_id = kNoId;
  Id course_id = kNoId;
  Timestamp credited_at;
  std::string evidence;  // JSON text: per competency, when it was mastered and on how much evidence
};

}  // namespace pw
