// Reads Pathwise's own framework file (data/frameworks/*.json; see data/frameworks/README.md)
// and imports it into a store in one transaction.
//
//   PW_ASSIGN_OR_RETURN(FrameworkPackage pkg, ReadFrameworkFile("data/frameworks/ccss-math-5-7.json"));
//   PW_ASSIGN_OR_RETURN(Id framework_id, ImportFramework(store, pkg));
//
// CASE packages have their own reader (ingest/case.h); this format is the small, committed one
// the demo needs without ../shared.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/competency.h"
#include "core/status.h"
#include "store/store.h"

namespace pw {

struct FrameworkPackage {
  Framework framework;
  std::vector<Competency> competencies;  // ids unset; codes unique
  struct CodeEdge {
    std::string from, to;
    EdgeKind kind = EdgeKind::kPrerequisite;
  };
  std::vector<CodeEdge> edges;
};

// Limits on outside data: the whole file at most 64 MiB, 100,000 competencies.
// Errors name the source and the JSON path: "f.json: competencies[3].code: expected a string".
// Also checks that codes are unique, edges name known codes, and prerequisites are acyclic.
Result<FrameworkPackage> ParseFrameworkJson(std::string_view text, std::string_view source_name);
Result<FrameworkPackage> ReadFrameworkFile(const std::string& path);

// Upserts the framework (by source_id), its competencies (by code) and replaces its edges, all
// in one transaction. Returns the framework id.
Result<Id> ImportFramework(Store& store, const FrameworkPackage& package);

}  // namespace pw
