// Learning activities: what a student can do to learn or show a competency.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"

namespace pw {

enum class Modality {
  kTeacherLed,
  kSmallGroup,
  kCollaborative,
  kIndependentDigital,
  kTutoring,
  kProject,
};
std::string_view ModalityName(Modality m);
Result<Modality> ParseModality(std::string_view s);

struct Activity {
  Id id = kNoId;
  std::string source_id;  // e.g. an xAPI activity IRI
  std::string title;
  Modality modality = Modality::kIndependentDigital;
  int duration_minutes = 0;
  std::vector<Id> competencies;  // aligned competencies
  double difficulty = 0.0;       // logit scale, 0 = average
  std::vector<std::string> tags; // topic tags ("sports", "money", ...), used for interests
};

}  // namespace pw
