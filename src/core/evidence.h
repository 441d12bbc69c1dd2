// Evidence: one observed piece of student work (an answer, a score, a rubric rating) from any
// source system. The unit the knowledge-tracing models learn from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"

namespace pw {

enum class OutcomeKind : std::uint8_t {
  kCorrect,    // a right answer (score 1)
  kIncorrect,  // a wrong answer (score 0)
  kScore,      // a scaled score in [0, 1]
  kRubric,     // a rubric level (score = level / max level)
};
std::string_view OutcomeKindName(OutcomeKind k);
Result<OutcomeKind> ParseOutcomeKind(std::string_view s);

struct EvidenceEvent {
  Id id = kNoId;
  Id student_id = kNoId;
  Id activity_id = kNoId;    // kNoId when the evidence is about a competency directly
  Id competency_id = kNoId;  // kNoId when only the activity is known
  Timestamp time;
  OutcomeKind kind = OutcomeKind::kCorrect;
  double score = 1.0;        // in [0, 1]; 1/0 for correct/incorrect
  std::int16_t rubric_level = 0;
  std::int16_t rubric_max = 0;
  std::string source_system;  // "pathwise-sim", "xapi:<client>", "import:scores", ...
  std::string source_record;  // the record's id in its source, for de-duplication
  // Time on task as the source reported it (xAPI result.duration), in milliseconds.
  std::optional<std::int64_t> duration_ms;

  bool correct() const { return score >= 0.5; }
};

// Checks the invariants above (score range, kind/score agreement, a student, something it is
// about). The message names the field.
Status ValidateEvidence(const EvidenceEvent& e);

}  // namespace pw
