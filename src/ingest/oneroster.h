// Imports a OneRoster CSV package (1.1 or 1.2; bulk or delta per file, as manifest.csv says)
// from a directory or a .zip into the store, all or nothing.
//
//   PW_ASSIGN_OR_RETURN(FilePackage pkg, FilePackage::Open("district-roster.zip"));
//   PW_ASSIGN_OR_RETURN(ImportReport report, ImportOneRoster(store, pkg, {}));
//   if (!report.ok()) return report.ErrorStatus();   // nothing was written
//
// What is read (docs/imports.md has the column tables):
// - orgs, academicSessions, courses, classes, enrollments, demographics; users (1.1: role and
//   orgSourcedIds in users.csv; 1.2: users.csv plus roles.csv, whose primary role sets the
//   person's role and, without primaryOrgSourcedId, their org); userProfiles.csv (1.2) is
//   validated but not stored (Pathwise keeps its own sign-in accounts).
// - Guardians: a student's agentSourcedIds naming a parent/guardian/relative (or the other
//   way round) become guardian links; other agent pairs are reported as warnings.
// - sourcedIds are kept as source_ids; re-importing the same package changes nothing.
// - status=tobedeleted (delta files only): enrollments are removed; a class or a user loses
//   its enrollments (and a user its guardian links) but keeps its record and history; orgs,
//   sessions and courses are kept (with a warning), since history refers to them.
// - Gradebook and resource files (lineItems, results, resources, ...) are not imported; a
//   warning says so when the manifest lists them.
// Every value is checked before anything is written; errors name the file, line, column,
// value and what was expected, e.g.
//   classes.csv:2: column "classType": expected homeroom or scheduled, got "Scheduled"
// References (courseSourcedId, userSourcedId, ...) may point into the package or at rows
// already in the store.
#pragma once

#include "ingest/file_package.h"
#include "ingest/import_report.h"
#include "store/store.h"

namespace pw::ingest {

// Errors are reported in the returned report (report.ok() false, nothing written); the
// Result fails only for store failures (Unavailable, Internal).
Result<ImportReport> ImportOneRoster(Store& store, const FilePackage& package,
                                     const ImportOptions& options);

}  // namespace pw::ingest
