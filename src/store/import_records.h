// Records that arrive through imports and have no home in src/core yet: OneRoster
// demographics, assessment (diagnostic) scale scores with competency sub-scores, and CASE
// associations between competencies that are neither a hierarchy nor a prerequisite
// (exactMatchOf, isRelatedTo, exemplar, ...). Stored by the Store (store/store.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/time.h"

namespace pw {

// One person's OneRoster demographics row. Empty strings / nullopt are "not given".
struct Demographics {
  Id person_id = kNoId;
  std::optional<Date> birth_date;
  std::string sex;    // OneRoster: male, female, other, unspecified
  std::string races;  // the race flags that are true, comma-separated in OneRoster order
                      // (americanIndianOrAlaskaNative,asian,...,demographicRaceTwoOrMoreRaces)
  std::optional<bool> hispanic_or_latino;
  std::string country_of_birth;  // countryOfBirthCode
  std::string state_of_birth;    // stateOfBirthAbbreviation
  std::string city_of_birth;
  std::string public_school_residence_status;
  friend bool operator==(const Demographics&, const Demographics&) = default;
};

// A score on one competency (or a named strand) reported with an assessment score.
struct SubScore {
  std::string name;          // as the file names it ("6.EE", "Geometry")
  Id competency_id = kNoId;  // the competency it was matched to, if any
  double score = 0;
  friend bool operator==(const SubScore&, const SubScore&) = default;
};

// A scaled score from an assessment (a MAP-like diagnostic, a state test). Keyed by
// (student_id, assessment, date): a second score for the same key replaces the first.
struct AssessmentScore {
  Id id = kNoId;
  Id student_id = kNoId;
  std::string assessment;  // "MAP Growth Math 6+"
  Date date;
  double scale_score = 0;
  std::optional<double> sem;         // standard error of measurement, on the same scale
  std::vector<SubScore> sub_scores;  // in file order
  std::string source_system;
  friend bool operator==(const AssessmentScore&, const AssessmentScore&) = default;
};

// A CASE association kept as given: `competency_id` --kind--> target. The target is another
// competency of the store when known (target_id), else only its identifier (target, e.g. a
// URI in another framework).
struct CompetencyAssociation {
  Id competency_id = kNoId;
  std::string kind;  // CASE associationType: "exactMatchOf", "isRelatedTo", "exemplar", ...
  Id target_id = kNoId;
  std::string target;  // the destination's identifier or URI as given
  friend bool operator==(const CompetencyAssociation&, const CompetencyAssociation&) = default;
};

}  // namespace pw
