#include "ingest/case.h"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/competency_graph.h"

namespace pw::ingest {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxFileBytes = 64u << 20;
constexpr std::size_t kMaxItems = 100'000;
constexpr std::size_t kMaxAssociations = 500'000;

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// "06" -> "6"; "KG", "HS" and others as given.
std::string NormalizeGrade(std::string g) {
  if (g.size() > 1 && g[0] == '0' && std::isdigit(static_cast<unsigned char>(g[1]))) g.erase(0, 1);
  return g;
}

class Parser {
 public:
  Parser(std::string_view source, ImportReport& report) : src_(source), report_(report) {}

  FrameworkPackage Parse(std::string_view text) {
    FrameworkPackage pkg;
    if (text.size() > kMaxFileBytes) {
      Err(fmt::format("{}: file is larger than {} bytes", src_, kMaxFileBytes));
      return pkg;
    }
    json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      Err(fmt::format("{}: not valid JSON", src_));
      return pkg;
    }
    if (!doc.is_object()) {
      Err(fmt::format("{}: expected a JSON object at the top (a CASE package)", src_));
      return pkg;
    }
    ReadDocument(doc, pkg);
    ReadItems(doc, pkg);
    if (!report_.ok()) return pkg;
    ReadAssociations(doc, pkg);
    if (!report_.ok()) return pkg;
    CheckGraph(pkg);
    Summarize();
    return pkg;
  }

 private:
  void Err(std::string m) { report_.errors.Add(std::move(m)); }
  void Warn(std::string m) {
    if (report_.warnings.size() < 50) report_.warnings.push_back(std::move(m));
  }

  // A string member; "" when absent or null. Wrong type is an error.
  std::string Str(const json& obj, const char* key, const std::string& where, bool required) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (required) Err(fmt::format("{}.{}: missing (expected a string)", where, key));
      return "";
    }
    if (!it->is_string()) {
      Err(fmt::format("{}.{}: expected a string", where, key));
      return "";
    }
    return it->get<std::string>();
  }

  // A node reference of an association: the 1.0 {"identifier":...} object, else the pre-1.0
  // <side>NodeIdentifier string.
  std::string Node(const json& a, const std::string& where, const char* uri_key,
                   const char* id_key) {
    auto it = a.find(uri_key);
    if (it != a.end() && it->is_object()) {
      std::string id = Str(*it, "identifier", where + "." + uri_key, false);
      if (!id.empty()) return id;
    }
    auto legacy = a.find(id_key);
    if (legacy != a.end() && legacy->is_string()) {
      ++legacy_node_ids_;
      return legacy->get<std::string>();
    }
    Err(fmt::format("{}.{}: missing (expected an object with an identifier)", where, uri_key));
    return "";
  }

  void ReadDocument(const json& doc, FrameworkPackage& pkg) {
    auto d = doc.find("CFDocument");
    if (d == doc.end() || !d->is_object()) {
      Err(fmt::format("{}: CFDocument: missing (expected an object)", src_));
      return;
    }
    const std::string where = src_ + ": CFDocument";
    doc_id_ = Str(*d, "identifier", where, true);
    pkg.framework.source_id = doc_id_;
    pkg.framework.title = Str(*d, "title", where, true);
    pkg.framework.attribution = Str(*d, "creator", where, false);
    if (!doc_id_.empty() && !IsUuid(doc_id_)) ++non_uuid_;
    auto subject = d->find("subject");
    if (subject != d->end()) {
      if (subject->is_string()) {
        pkg.framework.subject = subject->get<std::string>();
        legacy_subject_ = true;
      } else if (subject->is_array() && !subject->empty() && (*subject)[0].is_string()) {
        pkg.framework.subject = (*subject)[0].get<std::string>();
      }
    }
  }

  void ReadItems(const json& doc, FrameworkPackage& pkg) {
    auto items = doc.find("CFItems");
    if (items == doc.end() || items->is_null()) return;  // a document without items
    if (!items->is_array()) {
      Err(fmt::format("{}: CFItems: expected an array", src_));
      return;
    }
    if (items->size() > kMaxItems) {
      Err(fmt::format("{}: CFItems: more than {} items", src_, kMaxItems));
      return;
    }
    std::set<std::string> codes;
    for (std::size_t i = 0; i < items->size(); ++i) {
      if (report_.errors.full()) return;
      const json& it = (*items)[i];
      const std::string where = fmt::format("{}: CFItems[{}]", src_, i);
      if (!it.is_object()) {
        Err(fmt::format("{}: expected an object", where));
        continue;
      }
      Competency c;
      c.source_id = Str(it, "identifier", where, true);
      c.statement = Str(it, "fullStatement", where, true);
      std::string code = Str(it, "humanCodingScheme", where, false);
      if (c.source_id.empty()) continue;
      if (!IsUuid(c.source_id)) ++non_uuid_;
      if (code_of_.count(c.source_id)) {
        Err(fmt::format("{}.identifier: \"{}\" appears twice", where, c.source_id));
        continue;
      }
      if (code.empty()) {
        code = c.source_id;
        ++uncoded_;
      } else if (codes.count(code)) {
        Warn(
            fmt::format("{}.humanCodingScheme: \"{}\" appears twice; this item's code is its "
                        "identifier",
                        where, code));
        code = c.source_id;
      }
      codes.insert(code);
      c.code = code;
      auto levels = it.find("educationLevel");
      if (levels != it.end() && levels->is_array()) {
        if (!levels->empty() && (*levels)[0].is_string()) {
          c.grade = NormalizeGrade((*levels)[0].get<std::string>());
        }
      } else if (levels != it.end() && levels->is_string()) {
        ++legacy_levels_;
        c.grade = NormalizeGrade(levels->get<std::string>());
      } else {
        auto legacy = it.find("educationalLevel");
        if (legacy != it.end() && legacy->is_string()) {
          ++legacy_levels_;
          c.grade = NormalizeGrade(legacy->get<std::string>());
        } else if (legacy != it.end() && legacy->is_array() && !legacy->empty() &&
                   (*legacy)[0].is_string()) {
          ++legacy_levels_;
          c.grade = NormalizeGrade((*legacy)[0].get<std::string>());
        }
      }
      code_of_[c.source_id] = c.code;
      pkg.competencies.push_back(std::move(c));
    }
  }

  void ReadAssociations(const json& doc, FrameworkPackage& pkg) {
    auto assocs = doc.find("CFAssociations");
    if (assocs == doc.end() || assocs->is_null()) return;
    if (!assocs->is_array()) {
      Err(fmt::format("{}: CFAssociations: expected an array", src_));
      return;
    }
    if (assocs->size() > kMaxAssociations) {
      Err(fmt::format("{}: CFAssociations: more than {} associations", src_, kMaxAssociations));
      return;
    }
    std::set<std::pair<std::string, std::string>> edge_seen;
    for (std::size_t i = 0; i < assocs->size(); ++i) {
      if (report_.errors.full()) return;
      const json& a = (*assocs)[i];
      const std::string where = fmt::format("{}: CFAssociations[{}]", src_, i);
      if (!a.is_object()) {
        Err(fmt::format("{}: expected an object", where));
        continue;
      }
      const std::string type = Str(a, "associationType", where, true);
      const std::string origin = Node(a, where, "originNodeURI", "originNodeIdentifier");
      const std::string dest = Node(a, where, "destinationNodeURI", "destinationNodeIdentifier");
      auto grouping = a.find("CFAssociationGroupingURI");
      if (grouping != a.end() && grouping->is_object()) {
        auto uri = grouping->find("uri");
        if (uri != grouping->end() && uri->is_null()) ++null_grouping_uri_;
      }
      if (type.empty() || origin.empty() || dest.empty()) continue;
      auto from = code_of_.find(origin);
      if (from == code_of_.end()) {
        Warn(fmt::format("{}: origin \"{}\" is not an item of this package; skipped", where,
                         origin));
        continue;
      }
      auto to = code_of_.find(dest);
      const bool inside = to != code_of_.end();
      if (type == "isChildOf") {
        if (inside) {
          if (!pkg.parents.emplace(from->second, to->second).second) {
            Warn(fmt::format("{}: \"{}\" already has a parent; the first isChildOf wins", where,
                             from->second));
          }
        } else if (dest != doc_id_) {
          Warn(
              fmt::format("{}: isChildOf destination \"{}\" is neither an item nor the "
                          "document; \"{}\" is placed at the top",
                          where, dest, from->second));
        }
        continue;
      }
      if ((type == "precedes" || type == "isRelatedTo") && inside) {
        const EdgeKind kind = type == "precedes" ? EdgeKind::kPrerequisite : EdgeKind::kRelated;
        if (from->second == to->second) {
          Warn(fmt::format("{}: {} from an item to itself; skipped", where, type));
          continue;
        }
        if (edge_seen.insert({from->second + "\n" + type, to->second}).second) {
          pkg.edges.push_back({from->second, to->second, kind});
        }
        continue;
      }
      pkg.associations.push_back({from->second, type, inside ? to->second : "", dest});
    }
  }

  void CheckGraph(FrameworkPackage& pkg) {
    // Hierarchy: no item may be its own ancestor.
    for (const auto& [child, parent] : pkg.parents) {
      std::string at = parent;
      for (std::size_t steps = 0; steps <= pkg.parents.size(); ++steps) {
        if (at == child) {
          Err(fmt::format("{}: isChildOf forms a cycle through \"{}\"", src_, child));
          return;
        }
        auto next = pkg.parents.find(at);
        if (next == pkg.parents.end()) break;
        at = next->second;
      }
    }
    std::unordered_map<std::string, Id> temp;
    std::vector<Competency> nodes = pkg.competencies;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      nodes[i].id = static_cast<Id>(i + 1);
      temp[nodes[i].code] = nodes[i].id;
    }
    std::vector<CompetencyEdge> edges;
    for (const auto& e : pkg.edges) edges.push_back({temp[e.from], temp[e.to], e.kind});
    Result<CompetencyGraph> g = CompetencyGraph::Build(std::move(nodes), std::move(edges));
    if (!g.ok()) Err(g.status().WithPrefix(src_).message());
  }

  void Summarize() {
    if (non_uuid_ > 0) {
      Warn(fmt::format("{}: {} identifiers are not UUIDs (a pre-1.0 package); kept as given", src_,
                       non_uuid_));
    }
    if (legacy_levels_ > 0) {
      Warn(
          fmt::format("{}: {} items use the pre-1.0 educationalLevel string; read as "
                      "educationLevel",
                      src_, legacy_levels_));
    }
    if (legacy_subject_) {
      Warn(fmt::format("{}: CFDocument.subject is a string (pre-1.0); read as one subject", src_));
    }
    if (null_grouping_uri_ > 0) {
      Warn(fmt::format("{}: {} associations have a null CFAssociationGroupingURI.uri; ignored",
                       src_, null_grouping_uri_));
    }
    if (legacy_node_ids_ > 0) {
      Warn(fmt::format("{}: {} node references use the pre-1.0 *NodeIdentifier fields", src_,
                       legacy_node_ids_));
    }
    if (uncoded_ > 0) {
      Warn(fmt::format("{}: {} items have no humanCodingScheme; their code is their identifier",
                       src_, uncoded_));
    }
  }

  std::string src_;
  ImportReport& report_;
  std::string doc_id_;
  std::unordered_map<std::string, std::string> code_of_;  // identifier -> code
  std::size_t non_uuid_ = 0, legacy_levels_ = 0, null_grouping_uri_ = 0, legacy_node_ids_ = 0,
              uncoded_ = 0;
  bool legacy_subject_ = false;
};

}  // namespace

FrameworkPackage ParseCasePackage(std::string_view text, std::string_view source_name,
                                  ImportReport& report) {
  Parser parser(source_name, report);
  return parser.Parse(text);
}

Result<ImportReport> ImportCase(Store& store, std::string_view text, std::string_view source_name,
                                const ImportOptions& options) {
  ImportReport report("case", std::string(source_name));
  report.check = options.check;
  report.errors.set_max(options.max_errors);
  FrameworkPackage pkg = ParseCasePackage(text, source_name, report);
  if (!report.ok()) return report;
  PW_RETURN_IF_ERROR(RunImportTransaction(store, options, report, [&]() -> Status {
    Id framework_id = kNoId;
    return WriteFrameworkPackage(store, pkg, report, &framework_id);
  }));
  return report;
}

Result<ImportReport> ImportCaseFile(Store& store, const std::string& path,
                                    const ImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgumentError("{}: cannot open for reading", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ImportCase(store, ss.str(), path, options);
}

}  // namespace pw::ingest
