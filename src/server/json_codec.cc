#include "server/json_codec.h"

namespace pw::server {
namespace {

nlohmann::json IdOrNull(Id id) { return id == kNoId ? nlohmann::json(nullptr) : nlohmann::json(id); }

template <typename T>
nlohmann::json OptionalDate(const std::optional<T>& d) {
  return d ? nlohmann::json(FormatDate(*d)) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json ToJson(const Org& v) {
  return {{"id", v.id}, {"source_id", v.source_id}, {"name", v.name},
          {"type", OrgTypeName(v.type)}, {"parent_id", IdOrNull(v.parent_id)}};
}

nlohmann::json ToJson(const AcademicSession& v) {
  return {{"id", v.id},
          {"source_id", v.source_id},
          {"title", v.title},
          {"type", SessionTypeName(v.type)},
          {"start", FormatDate(v.start)},
          {"end", FormatDate(v.end)},
          {"parent_id", IdOrNull(v.parent_id)},
          {"school_year", v.school_year}};
}

nlohmann::json ToJson(const Person& v) {
  return {{"id", v.id},
          {"source_id", v.source_id},
          {"given_name", v.given_name},
          {"family_name", v.family_name},
          {"role", RoleName(v.role)},
          {"email", v.email},
          {"grade", v.grade},
          {"org_id", IdOrNull(v.org_id)}};
}

nlohmann::json ToJson(const Course& v) {
  return {{"id", v.id},
          {"source_id", v.source_id},
          {"title", v.title},
          {"code", v.code},
          {"org_id", IdOrNull(v.org_id)},
          {"framework_id", IdOrNull(v.framework_id)},
          {"required_competencies", v.required_competencies}};
}

nlohmann::json ToJson(const ClassSection& v) {
  return {{"id", v.id},
          {"source_id", v.source_id},
          {"title", v.title},
          {"course_id", IdOrNull(v.course_id)},
          {"school_id", IdOrNull(v.school_id)},
          {"session_id", IdOrNull(v.session_id)},
          {"period", v.period}};
}

nlohmann::json ToJson(const Enrollment& v) {
  return {{"id", v.id},
          {"class_id", v.class_id},
          {"person_id", v.person_id},
          {"role", EnrollmentRoleName(v.role)},
          {"primary", v.primary},
          {"begin", OptionalDate(v.begin)},
          {"end", OptionalDate(v.end)}};
}

nlohmann::json ToJson(const GuardianLink& v) {
  return {{"guardian_id", v.guardian_id}, {"student_id", v.student_id}, {"relation", v.relation}};
}

nlohmann::json ToJson(const Framework& v) {
  return {{"id", v.id},
          {"source_id", v.source_id},
          {"title", v.title},
          {"subject", v.subject},
          {"attribution", v.attribution}};
}

nlohmann::json ToJson(const Competency& v) {
  return {{"id", v.id},
          {"framework_id", v.framework_id},
          {"source_id", v.source_id},
          {"code", v.code},
          {"statement", v.statement},
          {"grade", v.grade},
          {"parent_id", IdOrNull(v.parent_id)}};
}

nlohmann::json ToJson(const CompetencyEdge& v) {
  return {{"from", v.from},
          {"to", v.to},
          {"kind", v.kind == EdgeKind::kPrerequisite ? "prerequisite" : "related"}};
}

nlohmann::json ToJson(const Activity& v) {
  return {{"id", v.id},
          {"source_id", v.source_id},
          {"title", v.title},
          {"modality", ModalityName(v.modality)},
          {"duration_minutes", v.duration_minutes},
          {"competencies", v.competencies},
          {"difficulty", v.difficulty},
          {"tags", v.tags}};
}

nlohmann::json ToJson(const EvidenceEvent& v) {
  nlohmann::json j = {{"id", v.id},
                      {"student_id", v.student_id},
                      {"activity_id", IdOrNull(v.activity_id)},
                      {"competency_id", IdOrNull(v.competency_id)},
                      {"time", FormatTimestamp(v.time)},
                      {"kind", OutcomeKindName(v.kind)},
                      {"score", v.score},
                      {"source_system", v.source_system},
                      {"source_record", v.source_record}};
  if (v.kind == OutcomeKind::kRubric) {
    j["rubric_level"] = v.rubric_level;
    j["rubric_max"] = v.rubric_max;
  }
  if (v.duration_ms) j["duration_ms"] = *v.duration_ms;
  return j;
}

nlohmann::json ToJson(const AttendanceRecord& v) {
  return {{"student_id", v.student_id},
          {"date", FormatDate(v.date)},
          {"status", AttendanceStatusName(v.status)},
          {"source_system", v.source_system}};
}

nlohmann::json ToJson(const BehaviorIncident& v) {
  return {{"id", v.id},
          {"student_id", v.student_id},
          {"time", FormatTimestamp(v.time)},
          {"category", v.category},
          {"severity", v.severity},
          {"description", v.description},
          {"source_system", v.source_system}};
}

nlohmann::json ToJson(const SelScore& v) {
  return {{"student_id", v.student_id}, {"date", FormatDate(v.date)}, {"scale", v.scale},
          {"score", v.score},           {"scale_min", v.scale_min},   {"scale_max", v.scale_max}};
}

nlohmann::json ToJson(const Goal& v) {
  static constexpr const char* kStatus[] = {"active", "met", "dropped"};
  return {{"id", v.id},
          {"student_id", v.student_id},
          {"description", v.description},
          {"competencies", v.competencies},
          {"target", OptionalDate(v.target)},
          {"status", kStatus[static_cast<int>(v.status)]},
          {"set_by", IdOrNull(v.set_by)},
          {"created", FormatTimestamp(v.created)}};
}

}  // namespace pw::server
