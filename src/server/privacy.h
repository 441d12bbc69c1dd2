// Privacy operations (docs/security.md): everything about one student as JSON, deleting a
// student with everything linked, the de-identified research export, and the audit log's JSON.
// The CLI (`pathwise privacy ...`, `pathwise audit`) and the admin endpoints call these same
// functions.
//
//   PW_ASSIGN_OR_RETURN(nlohmann::json all, ExportStudent(store, 17));
//   PW_ASSIGN_OR_RETURN(DeletionCounts gone, DeleteStudent(store, 17));
//   PW_ASSIGN_OR_RETURN(nlohmann::json cells, ResearchExport(store, {}));
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "server/api.h"
#include "store/accounts.h"
#include "store/store.h"

namespace pw::server {

// Person, enrollments (with class titles), guardians, all evidence, attendance, behavior, SEL
// scores, goals, the accounts that belong to the student (no hashes) and the audit entries
// about them. NotFound "student N not found" for anything but a student.
Result<nlohmann::json> ExportStudent(Store& store, Id student_id);

// Deletes the student and every row linked to them, in one transaction (AccountStore::
// DeleteStudentData). The caller records the audit entry.
Result<DeletionCounts> DeleteStudent(Store& store, Id student_id);
nlohmann::json ToJson(const DeletionCounts& counts);

struct ResearchOptions {
  int min_cell = 10;  // groups of fewer students are suppressed (counts and means withheld)
};

// De-identified aggregates: per (school, grade, competency) the number of students, events and
// the mean score; per student (pseudonym) and competency the events and mean score, only for
// students whose (school, grade) group has at least min_cell students. Every id of a person
// or organization is replaced by a keyed hash (BLAKE2b keyed with the installation's research
// key, created in the meta table on first use); no names, emails or source ids.
Result<nlohmann::json> ResearchExport(Store& store, const ResearchOptions& options);

// The per-installation research key (64 hex characters), created on first use.
Result<std::string> ResearchKey(Store& store);
// The pseudonym of (kind, id) under `key_hex`: 32 hex characters.
std::string Pseudonym(std::string_view key_hex, std::string_view kind, Id id);

nlohmann::json ToJson(const AuditEntry& entry);

// Appends an audit entry stamped now (for the command line, whose actor is "cli").
Status RecordAudit(Store& store, AuditEntry entry, const Clock& clock);

// GET /api/v1/audit, GET /api/v1/users, GET /api/v1/students/{id}/export,
// DELETE /api/v1/students/{id}, GET /api/v1/research/export.
std::vector<Route> AdminRoutes();

}  // namespace pw::server
