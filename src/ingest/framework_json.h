// Reads Pathwise's own framework file (data/frameworks/*.json; see data/frameworks/README.md)
// and imports it into a store in one transaction.
//
//   PW_ASSIGN_OR_RETURN(FrameworkPackage pkg, ReadFrameworkFile("data/frameworks/ccss-math-5-7.json"));
//   PW_ASSIGN_OR_RETURN(Id framework_id, ImportFramework(store, pkg));
//
// CASE packages have their own reader (ingest/case.h); this format is the small, committed one
// the demo needs without ../shared.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/competency.h"
#include "core/status.h"
#include "ingest/import_report.h"
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
  // The parent (cluster, domain) of a competency, by code: child code -> parent code. Empty
  // for Pathwise framework files; CASE isChildOf fills it.
  std::map<std::string, std::string> parents;
  // Other associations, kept as given (CASE exactMatchOf, isRelatedTo, exemplar, and
  // precedes whose destination is outside the package).
  struct CodeAssociation {
    std::string from;    // a code of this package
    std::string kind;    // "exactMatchOf", ...
    std::string to;      // a code of this package, or "" when the target is outside it
    std::string target;  // the target's identifier as given
  };
  std::vector<CodeAssociation> associations;
};

// Limits on outside data: the whole file at most 64 MiB, 100,000 competencies.
// Errors name the source and the JSON path: "f.json: competencies[3].code: expected a string".
// Also checks that codes are unique, edges name known codes, and prerequisites are acyclic.
Result<FrameworkPackage> ParseFrameworkJson(std::string_view text, std::string_view source_name);
Result<FrameworkPackage> ReadFrameworkFile(const std::string& path);

// Upserts the framework (by source_id), its competencies (by code; parents before children)
// and replaces its edges and associations, all in one transaction. Returns the framework id.
Result<Id> ImportFramework(Store& store, const FrameworkPackage& package);

// The writing half of ImportFramework, for importers that build a FrameworkPackage from another
// format (CASE): joins the caller's transaction and counts into `report` under "frameworks",
// "competencies", "edges" and "associations" (edges and associations are replaced: the
// ones no longer present count as deleted). Sets *framework_id.
Status WriteFrameworkPackage(Store& store, const FrameworkPackage& package,
                             ingest::ImportReport& report, Id* framework_id);

}  // namespace pw
