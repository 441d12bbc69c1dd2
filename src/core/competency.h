// Competency frameworks: competencies with a parent/child hierarchy and a prerequisite graph
// (CASE CFDocument / CFItem / CFAssociation in spirit).
#pragma once

#include <string>
#include <vector>

#include "core/ids.h"

namespace pw {

struct Framework {
  Id id = kNoId;
  std::string source_id;  // CASE CFDocument identifier, or a name for local frameworks
  std::string title;
  std::string subject;
  std::string attribution;  // where it came from and under which licence
};

struct Competency {
  Id id = kNoId;
  Id framework_id = kNoId;
  std::string source_id;  // CASE CFItem identifier, if any
  std::string code;       // human code, unique in its framework: "6.EE.A.2"
  std::string statement;  // what a student can do
  std::string grade;      // "6"
  Id parent_id = kNoId;   // cluster or domain it belongs to
};

enum class EdgeKind { kPrerequisite, kRelated };

// `from` must be mastered before `to` opens (kPrerequisite), or the two are related.
struct CompetencyEdge {
  Id from = kNoId;
  Id to = kNoId;
  EdgeKind kind = EdgeKind::kPrerequisite;
};

}  // namespace pw
