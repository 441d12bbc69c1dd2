// Imports a CASE 1.0 package (JSON: CFDocument, CFItems, CFAssociations) as a competency
// framework, all or nothing, through the same writer as Pathwise's own framework files
// (ingest/framework_json.h).
//
//   PW_ASSIGN_OR_RETURN(ImportReport report, ImportCaseFile(store, "ccss-math.json", {}));
//
// Mapping:
// - CFDocument -> the framework (source_id = its identifier, attribution = its creator).
// - CFItem -> a competency: source_id = identifier, code = humanCodingScheme (the identifier
//   when there is none), statement = fullStatement, grade = the first educationLevel ("06"
//   read as "6").
// - isChildOf -> the hierarchy (the destination is the parent; the document means "top").
//   precedes -> a prerequisite edge (origin before destination). isRelatedTo between two items
//   of the package -> a "related" edge. Every other association (exactMatchOf, exemplar, ...,
//   and precedes/isRelatedTo whose destination is outside the package) is kept as a
//   CompetencyAssociation with the destination's identifier.
// Pre-1.0 packages still in circulation are read with warnings, not errors: educationalLevel
// as a string instead of an educationLevel array, identifiers that are not UUIDs, a null
// CFAssociationGroupingURI, originNodeIdentifier/destinationNodeIdentifier instead of the
// node URI objects.
// Limits: the file at most 64 MiB, 100,000 items, 500,000 associations. Errors name the JSON
// path: "ccss.json: CFItems[3].fullStatement: expected a string".
#pragma once

#include <string>
#include <string_view>

#include "ingest/framework_json.h"
#include "ingest/import_report.h"
#include "store/store.h"

namespace pw::ingest {

// Parses a CASE package into a FrameworkPackage; problems go to report.errors (fatal) and
// report.warnings (tolerated). Check report.ok() before using the result.
FrameworkPackage ParseCasePackage(std::string_view text, std::string_view source_name,
                                  ImportReport& report);

Result<ImportReport> ImportCase(Store& store, std::string_view text, std::string_view source_name,
                                const ImportOptions& options);
Result<ImportReport> ImportCaseFile(Store& store, const std::string& path,
                                    const ImportOptions& options);

}  // namespace pw::ingest
