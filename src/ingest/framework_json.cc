#include "ingest/framework_json.h"

#include <fstream>
#include <sstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/competency_graph.h"

namespace pw {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxFileBytes = 64u << 20;
constexpr std::size_t kMaxCompetencies = 100'000;

Result<std::string> StringField(const json& obj, const char* key, const std::string& where,
                                bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return InvalidArgumentError("{}.{}: missing (expected a string)", where, key);
    return std::string();
  }
  if (!it->is_string()) return InvalidArgumentError("{}.{}: expected a string", where, key);
  return it->get<std::string>();
}

}  // namespace

Result<FrameworkPackage> ParseFrameworkJson(std::string_view text, std::string_view source_name) {
  const std::string src(source_name);
  if (text.size() > kMaxFileBytes) {
    return InvalidArgumentError("{}: file is larger than {} bytes", src, kMaxFileBytes);
  }
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgumentError("{}: not valid JSON", src);
  if (!doc.is_object()) return InvalidArgumentError("{}: expected a JSON object at the top", src);

  FrameworkPackage pkg;
  auto fw = doc.find("framework");
  if (fw == doc.end() || !fw->is_object()) {
    return InvalidArgumentError("{}: framework: missing (expected an object)", src);
  }
  const std::string fw_where = src + ": framework";
  PW_ASSIGN_OR_RETURN(pkg.framework.source_id, StringField(*fw, "source_id", fw_where, true));
  PW_ASSIGN_OR_RETURN(pkg.framework.title, StringField(*fw, "title", fw_where, true));
  PW_ASSIGN_OR_RETURN(pkg.framework.subject, StringField(*fw, "subject", fw_where, false));
  PW_ASSIGN_OR_RETURN(pkg.framework.attribution, StringField(*fw, "attribution", fw_where, false));

  auto comps = doc.find("competencies");
  if (comps == doc.end() || !comps->is_array()) {
    return InvalidArgumentError("{}: competencies: missing (expected an array)", src);
  }
  if (comps->size() > kMaxCompetencies) {
    return InvalidArgumentError("{}: competencies: more than {}", src, kMaxCompetencies);
  }
  std::unordered_map<std::string, Id> temp_ids;  // code -> 1-based position, for validation
  for (std::size_t i = 0; i < comps->size(); ++i) {
    const json& c = (*comps)[i];
    const std::string where = fmt::format("{}: competencies[{}]", src, i);
    if (!c.is_object()) return InvalidArgumentError("{}: expected an object", where);
    Competency comp;
    PW_ASSIGN_OR_RETURN(comp.code, StringField(c, "code", where, true));
    if (comp.code.empty()) return InvalidArgumentError("{}.code: must not be empty", where);
    PW_ASSIGN_OR_RETURN(comp.statement, StringField(c, "statement", where, true));
    PW_ASSIGN_OR_RETURN(comp.grade, StringField(c, "grade", where, false));
    PW_ASSIGN_OR_RETURN(comp.source_id, StringField(c, "source_id", where, false));
    if (!temp_ids.emplace(comp.code, static_cast<Id>(i + 1)).second) {
      return InvalidArgumentError("{}.code: \"{}\" appears twice", where, comp.code);
    }
    pkg.competencies.push_back(std::move(comp));
  }

  auto edges = doc.find("edges");
  if (edges != doc.end()) {
    if (!edges->is_array()) return InvalidArgumentError("{}: edges: expected an array", src);
    for (std::size_t i = 0; i < edges->size(); ++i) {
      const json& e = (*edges)[i];
      const std::string where = fmt::format("{}: edges[{}]", src, i);
      if (!e.is_object()) return InvalidArgumentError("{}: expected an object", where);
      FrameworkPackage::CodeEdge edge;
      PW_ASSIGN_OR_RETURN(edge.from, StringField(e, "from", where, true));
      PW_ASSIGN_OR_RETURN(edge.to, StringField(e, "to", where, true));
      PW_ASSIGN_OR_RETURN(std::string kind, StringField(e, "kind", where, false));
      if (kind.empty() || kind == "prerequisite") {
        edge.kind = EdgeKind::kPrerequisite;
      } else if (kind == "related") {
        edge.kind = EdgeKind::kRelated;
      } else {
        return InvalidArgumentError("{}.kind: unknown kind \"{}\" (expected prerequisite or related)",
                                    where, kind);
      }
      for (const std::string* code : {&edge.from, &edge.to}) {
        if (!temp_ids.count(*code)) {
          return InvalidArgumentError("{}: unknown competency code \"{}\"", where, *code);
        }
      }
      pkg.edges.push_back(std::move(edge));
    }
  }

  // Validate the graph now, so a cycle is reported against this file.
  std::vector<Competency> nodes = pkg.competencies;
  for (Competency& c : nodes) c.id = temp_ids[c.code];
  std::vector<CompetencyEdge> id_edges;
  for (const auto& e : pkg.edges) id_edges.push_back({temp_ids[e.from], temp_ids[e.to], e.kind});
  Result<CompetencyGraph> graph = CompetencyGraph::Build(std::move(nodes), std::move(id_edges));
  if (!graph.ok()) return graph.status().WithPrefix(src);
  return pkg;
}

Result<FrameworkPackage> ReadFrameworkFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgumentError("{}: cannot open for reading", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseFrameworkJson(ss.str(), path);
}

Result<Id> ImportFramework(Store& store, const FrameworkPackage& package) {
  Id framework_id = kNoId;
  PW_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
    Framework fw = package.framework;
    PW_ASSIGN_OR_RETURN(PutOutcome outcome, store.PutFramework(fw));
    (void)outcome;
    framework_id = fw.id;
    std::unordered_map<std::string, Id> ids;
    for (const Competency& c : package.competencies) {
      Competency comp = c;
      comp.framework_id = fw.id;
      PW_ASSIGN_OR_RETURN(PutOutcome o, store.PutCompetency(comp));
      (void)o;
      ids[comp.code] = comp.id;
    }
    std::vector<CompetencyEdge> edges;
    edges.reserve(package.edges.size());
    for (const auto& e : package.edges) edges.push_back({ids[e.from], ids[e.to], e.kind});
    return store.SetEdges(fw.id, edges);
  }));
  return framework_id;
}

}  // namespace pw
