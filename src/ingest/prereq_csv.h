// Imports prerequisite (and related) edges between competencies of a stored framework from a
// CSV file with the header `from,to[,kind]`, all or nothing. The edges are added to the
// framework's existing ones (the result must stay acyclic).
//
//   PrereqOptions opts;
//   opts.framework = "http://purl.org/ASN/resources/D10003FB";  // source_id, title or id
//   PW_ASSIGN_OR_RETURN(ImportReport r, ImportPrereqCsv(store, in, "edges.csv", opts));
//
// `kind`: prerequisite (also "Arrow", the Coherence Map's word; the default when the column is
// absent or blank) or related (also "Nondirectional link").
// A code names a competency of the framework by its code, else by its Common Core alias:
// without the "CCSS.Math.Content." prefix, K written 0, the cluster letter dropped from a
// standard (6.RP.A.1 -> 6.RP.1), a sub-standard letter split off (4.NF.B.4a -> 4.NF.4.a), and
// GRADE.DOMAIN for the domain (the parent of its clusters). Node syntax of the Coherence Map:
// "CODE||qualifier" is folded into CODE, "6.EE.3,4" means 6.EE.3 and 6.EE.4, "X;Y" means X and
// Y. An edge that folds onto itself is skipped with a warning.
#pragma once

#include <istream>
#include <map>
#include <string>

#include "ingest/import_report.h"
#include "store/store.h"

namespace pw::ingest {

struct PrereqOptions : ImportOptions {
  // The framework: its source_id, its title, or its numeric id. Empty: the only framework in
  // the store (an error when there are several).
  std::string framework;
  // File column -> from / to / kind.
  std::map<std::string, std::string> mapping;
};

Result<ImportReport> ImportPrereqCsv(Store& store, std::istream& in, const std::string& source,
                                     const PrereqOptions& options);

// Picks a stored framework by source_id, title or numeric id (see PrereqOptions::framework).
Result<Framework> FindFramework(Store& store, const std::string& which);

}  // namespace pw::ingest
