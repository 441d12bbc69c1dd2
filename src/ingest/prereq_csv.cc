#include "ingest/prereq_csv.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "core/competency_graph.h"
#include "ingest/csv_table.h"

namespace pw::ingest {
namespace {

const std::vector<ColumnSpec> kSpec = {{"from", true}, {"to", true}, {"kind", false}};

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(sep, start);
    out.emplace_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += '.';
    out += p;
  }
  return out;
}

// The Common Core alias of a code (see the header); "" when it has none.
std::string CommonCoreAlias(std::string code) {
  static constexpr std::string_view kPrefix = "CCSS.Math.Content.";
  if (code.starts_with(kPrefix)) code.erase(0, kPrefix.size());
  std::vector<std::string> p = Split(code, '.');
  if (p.size() < 2) return "";
  if (p[0] == "K") p[0] = "0";
  if (p.size() >= 4 && p[2].size() == 1 && std::isupper(static_cast<unsigned char>(p[2][0]))) {
    p.erase(p.begin() + 2);
  }
  std::string& last = p.back();
  if (p.size() >= 3 && last.size() >= 2 && std::islower(static_cast<unsigned char>(last.back())) &&
      std::isdigit(static_cast<unsigned char>(last[last.size() - 2]))) {
    const char letter = last.back();
    last.pop_back();
    p.emplace_back(1, letter);
  }
  return Join(p);
}

// Expands Coherence Map node syntax into plain codes; sets *folded when "||" was dropped.
std::vector<std::string> ExpandNode(std::string node, bool* folded) {
  const std::size_t bars = node.find("||");
  if (bars != std::string::npos) {
    node.erase(bars);
    *folded = true;
  }
  std::vector<std::string> out;
  for (const std::string& group : Split(node, ';')) {
    const std::size_t dot = group.rfind('.');
    const std::string head = dot == std::string::npos ? "" : group.substr(0, dot + 1);
    const std::string tail = dot == std::string::npos ? group : group.substr(dot + 1);
    for (const std::string& t : Split(tail, ',')) out.push_back(head + t);
  }
  return out;
}

// Whether `to` is reachable from `from` along the edges in `after`.
bool Reaches(const std::unordered_map<Id, std::vector<Id>>& after, Id from, Id to) {
  std::vector<Id> stack = {from};
  std::unordered_set<Id> seen = {from};
  while (!stack.empty()) {
    const Id at = stack.back();
    stack.pop_back();
    if (at == to) return true;
    auto it = after.find(at);
    if (it == after.end()) continue;
    for (Id next : it->second) {
      if (seen.insert(next).second) stack.push_back(next);
    }
  }
  return false;
}

}  // namespace

Result<Framework> FindFramework(Store& store, const std::string& which) {
  PW_ASSIGN_OR_RETURN(std::vector<Framework> all, store.ListFrameworks());
  if (which.empty()) {
    if (all.size() == 1) return all.front();
    return InvalidArgumentError(
        "--framework: the database has {} frameworks; name one (source id, title or id)",
        all.size());
  }
  Id id = kNoId;
  std::from_chars(which.data(), which.data() + which.size(), id);
  for (const Framework& f : all) {
    if (f.source_id == which || f.title == which || (id != kNoId && f.id == id)) return f;
  }
  return InvalidArgumentError("--framework \"{}\": no framework has this source id, title or id",
                              which);
}

Result<ImportReport> ImportPrereqCsv(Store& store, std::istream& in, const std::string& source,
                                     const PrereqOptions& options) {
  ImportReport report("prereqs", source);
  report.check = options.check;
  report.errors.set_max(options.max_errors);
  PW_ASSIGN_OR_RETURN(Framework fw, FindFramework(store, options.framework));
  PW_ASSIGN_OR_RETURN(std::vector<Competency> comps, store.ListCompetencies(fw.id));
  std::unordered_map<std::string, Id> by_code, by_alias;
  std::unordered_map<Id, const Competency*> by_id;
  for (const Competency& c : comps) {
    by_code[c.code] = c.id;
    by_id[c.id] = &c;
    const std::string alias = CommonCoreAlias(c.code);
    if (!alias.empty()) by_alias.emplace(alias, c.id);
  }
  // Domains: GRADE.DOMAIN names the parent of the clusters GRADE.DOMAIN.X.
  for (const Competency& c : comps) {
    const std::string alias = CommonCoreAlias(c.code);
    std::vector<std::string> p = Split(alias, '.');
    if (p.size() == 3 && p[2].size() == 1 && std::isupper(static_cast<unsigned char>(p[2][0])) &&
        c.parent_id != kNoId) {
      by_alias.emplace(p[0] + "." + p[1], c.parent_id);
    }
  }
  auto resolve = [&](const std::string& code) -> Id {
    if (auto it = by_code.find(code); it != by_code.end()) return it->second;
    if (auto it = by_alias.find(code); it != by_alias.end()) return it->second;
    return kNoId;
  };

  CsvTableOptions topts;
  topts.mapping = options.mapping;
  CsvTableReader table(in, source, kSpec, topts);
  EntityCounts& counts = report.Entity("edges");
  if (!table.ReadHeader(report.errors)) return report;
  const int from_col = table.Col("from"), to_col = table.Col("to"), kind_col = table.Col("kind");
  std::vector<CompetencyEdge> added;
  std::set<std::tuple<Id, Id, int>> seen;
  std::int64_t folded_rows = 0, self_loops = 0, rejected = 0, grouped_cycles = 0;
  // Prerequisites so far (stored and added): from -> the competencies it opens.
  std::unordered_map<Id, std::vector<Id>> after;
  {
    PW_ASSIGN_OR_RETURN(std::vector<CompetencyEdge> stored, store.ListEdges(fw.id));
    for (const CompetencyEdge& e : stored) {
      if (e.kind == EdgeKind::kPrerequisite) after[e.from].push_back(e.to);
    }
  }
  CsvRow row;
  while (table.Next(row, report.errors)) {
    const std::string& kind_text = kind_col < 0 ? std::string() : row.fields[kind_col];
    EdgeKind kind;
    if (kind_text.empty() || kind_text == "prerequisite" || kind_text == "Arrow") {
      kind = EdgeKind::kPrerequisite;
    } else if (kind_text == "related" || kind_text == "Nondirectional link") {
      kind = EdgeKind::kRelated;
    } else {
      report.errors.Add(FieldError(source, row.line, table.FileName("kind"),
                                   "prerequisite, related, Arrow or Nondirectional link",
                                   kind_text));
      ++rejected;
      continue;
    }
    bool folded = false, bad = false;
    std::vector<Id> ends[2];
    const int cols[2] = {from_col, to_col};
    const char* names[2] = {"from", "to"};
    for (int side = 0; side < 2; ++side) {
      const std::string& node = row.fields[cols[side]];
      for (const std::string& code : ExpandNode(node, &folded)) {
        const Id id = resolve(code);
        if (id == kNoId) {
          report.errors.Add(fmt::format(
              "{}:{}: column \"{}\": \"{}\" is not a competency code of framework \"{}\"{}", source,
              row.line, table.FileName(names[side]), code, fw.source_id,
              code == node ? "" : fmt::format(" (from \"{}\")", node)));
          bad = true;
          continue;
        }
        ends[side].push_back(id);
      }
    }
    if (bad) {
      ++rejected;
      continue;
    }
    folded_rows += folded ? 1 : 0;
    const bool grouped = ends[0].size() > 1 || ends[1].size() > 1;
    for (Id from : ends[0]) {
      for (Id to : ends[1]) {
        if (from == to) {
          ++self_loops;
          continue;
        }
        if (!seen.insert({from, to, static_cast<int>(kind)}).second) continue;
        if (kind == EdgeKind::kPrerequisite && Reaches(after, to, from)) {
          // A group ("0.G.1,2" -> "0.G.3,4") expands into pairs; one pair may contradict
          // another row. The rows as written stay acyclic, so such a pair is dropped; a
          // cycle between plain codes is the file's error.
          if (grouped) {
            ++grouped_cycles;
            continue;
          }
          report.errors.Add(fmt::format("{}:{}: the edge {} -> {} closes a prerequisite cycle",
                                        source, row.line, by_id[from]->code, by_id[to]->code));
          ++rejected;
          break;
        }
        added.push_back({from, to, kind});
        if (kind == EdgeKind::kPrerequisite) after[from].push_back(to);
      }
    }
  }
  counts.read = table.rows_read();
  counts.rejected = rejected + table.rows_malformed();
  if (folded_rows > 0) {
    report.warnings.push_back(fmt::format(
        "{}: {} rows name part of a standard (CODE||qualifier); folded into the standard", source,
        folded_rows));
  }
  if (grouped_cycles > 0) {
    report.warnings.push_back(fmt::format(
        "{}: {} edges expanded from grouped codes (\"A,B\") would close a prerequisite cycle; "
        "skipped",
        source, grouped_cycles));
  }
  if (self_loops > 0) {
    report.warnings.push_back(
        fmt::format("{}: {} edges fold onto a single competency; skipped", source, self_loops));
  }
  if (!report.ok()) {
    return report;
  }

  PW_RETURN_IF_ERROR(RunImportTransaction(store, options, report, [&]() -> Status {
    PW_ASSIGN_OR_RETURN(std::vector<CompetencyEdge> edges, store.ListEdges(fw.id));
    std::set<std::tuple<Id, Id, int>> have;
    for (const CompetencyEdge& e : edges) have.insert({e.from, e.to, static_cast<int>(e.kind)});
    for (const CompetencyEdge& e : added) {
      if (have.insert({e.from, e.to, static_cast<int>(e.kind)}).second) {
        edges.push_back(e);
        ++counts.created;
      } else {
        ++counts.unchanged;
      }
    }
    // Validate the merged graph here, so a cycle is reported against this file.
    Result<CompetencyGraph> graph = CompetencyGraph::Build(comps, edges);
    if (!graph.ok()) return graph.status().WithPrefix(source);
    return store.SetEdges(fw.id, edges);
  }));
  return report;
}

}  // namespace pw::ingest
