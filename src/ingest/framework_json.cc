#include "ingest/framework_json.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <tuple>
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

Status WriteFrameworkPackage(Store& store, const FrameworkPackage& package,
                             ingest::ImportReport& report, Id* framework_id) {
  return store.Transaction([&]() -> Status {
    Framework fw = package.framework;
    PW_ASSIGN_OR_RETURN(PutOutcome outcome, store.PutFramework(fw));
    report.Entity("frameworks").read++;
    report.Count("frameworks", outcome);
    *framework_id = fw.id;
    // Parents before children: write in order of depth in the hierarchy.
    std::unordered_map<std::string, int> depth;
    std::function<int(const std::string&, int)> depth_of = [&](const std::string& code,
                                                                int guard) -> int {
      auto d = depth.find(code);
      if (d != depth.end()) return d->second;
      auto p = package.parents.find(code);
      const int v = (p == package.parents.end() || guard > 10'000)
                        ? 0
                        : depth_of(p->second, guard + 1) + 1;
      depth[code] = v;
      return v;
    };
    std::vector<std::size_t> order(package.competencies.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return depth_of(package.competencies[a].code, 0) < depth_of(package.competencies[b].code, 0);
    });
    std::unordered_map<std::string, Id> ids;
    for (std::size_t i : order) {
      Competency comp = package.competencies[i];
      comp.framework_id = fw.id;
      auto p = package.parents.find(comp.code);
      comp.parent_id = p == package.parents.end() ? kNoId : ids.at(p->second);
      PW_ASSIGN_OR_RETURN(PutOutcome o, store.PutCompetency(comp));
      report.Entity("competencies").read++;
      report.Count("competencies", o);
      ids[comp.code] = comp.id;
    }
    // Edges: replaced as a set; count what is new, kept and gone.
    PW_ASSIGN_OR_RETURN(std::vector<CompetencyEdge> old_edges, store.ListEdges(fw.id));
    std::set<std::tuple<Id, Id, int>> old_set;
    for (const CompetencyEdge& e : old_edges) {
      old_set.insert({e.from, e.to, static_cast<int>(e.kind)});
    }
    std::vector<CompetencyEdge> edges;
    edges.reserve(package.edges.size());
    ingest::EntityCounts& ec = report.Entity("edges");
    for (const auto& e : package.edges) {
      edges.push_back({ids.at(e.from), ids.at(e.to), e.kind});
      ++ec.read;
      if (old_set.erase({edges.back().from, edges.back().to, static_cast<int>(e.kind)})) {
        ++ec.unchanged;
      } else {
        ++ec.created;
      }
    }
    ec.deleted += static_cast<std::int64_t>(old_set.size());
    PW_RETURN_IF_ERROR(store.SetEdges(fw.id, edges));
    // Associations: the same.
    PW_ASSIGN_OR_RETURN(std::vector<CompetencyAssociation> old_assoc, store.ListAssociations(fw.id));
    std::multiset<std::tuple<Id, std::string, Id, std::string>> old_a;
    for (const auto& a : old_assoc) old_a.insert({a.competency_id, a.kind, a.target_id, a.target});
    std::vector<CompetencyAssociation> assoc;
    ingest::EntityCounts& ac = report.Entity("associations");
    for (const auto& a : package.associations) {
      assoc.push_back({ids.at(a.from), a.kind, a.to.empty() ? kNoId : ids.at(a.to), a.target});
      ++ac.read;
      const CompetencyAssociation& n = assoc.back();
      auto it = old_a.find({n.competency_id, n.kind, n.target_id, n.target});
      if (it != old_a.end()) {
        old_a.erase(it);
        ++ac.unchanged;
      } else {
        ++ac.created;
      }
    }
    ac.deleted += static_cast<std::int64_t>(old_a.size());
    return store.SetAssociations(fw.id, assoc);
  });
}

Result<Id> ImportFramework(Store& store, const FrameworkPackage& package) {
  Id framework_id = kNoId;
  ingest::ImportReport report;
  PW_RETURN_IF_ERROR(WriteFrameworkPackage(store, package, report, &framework_id));
  return framework_id;
}

}  // namespace pw
