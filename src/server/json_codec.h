// JSON views of the domain types for the HTTP API. Field names are snake_case; times are
// ISO-8601 UTC; enums travel as their text names; internal ids as numbers.
#pragma once

#include <nlohmann/json.hpp>

#include "core/activity.h"
#include "core/competency.h"
#include "core/evidence.h"
#include "core/goal.h"
#include "core/roster.h"
#include "core/wellbeing.h"

namespace pw::server {

nlohmann::json ToJson(const Org& v);
nlohmann::json ToJson(const AcademicSession& v);
nlohmann::json ToJson(const Person& v);
nlohmann::json ToJson(const Course& v);
nlohmann::json ToJson(const ClassSection& v);
nlohmann::json ToJson(const Enrollment& v);
nlohmann::json ToJson(const GuardianLink& v);
nlohmann::json ToJson(const Framework& v);
nlohmann::json ToJson(const Competency& v);
nlohmann::json ToJson(const CompetencyEdge& v);
nlohmann::json ToJson(const Activity& v);
nlohmann::json ToJson(const EvidenceEvent& v);
nlohmann::json ToJson(const AttendanceRecord& v);
nlohmann::json ToJson(const BehaviorIncident& v);
nlohmann::json ToJson(const SelScore& v);
nlohmann::json ToJson(const Goal& v);

template <typename T>
nlohmann::json ToJsonArray(const std::vector<T>& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const T& item : items) out.push_back(ToJson(item));
  return out;
}

}  // namespace pw::server
