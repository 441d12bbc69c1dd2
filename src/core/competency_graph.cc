#include "core/competency_graph.h"

#include <algorithm>

namespace pw {

Result<CompetencyGraph> CompetencyGraph::Build(std::vector<Competency> competencies,
                                               std::vector<CompetencyEdge> edges) {
  CompetencyGraph g;
  g.nodes_ = std::move(competencies);
  const int n = g.size();
  for (int i = 0; i < n; ++i) {
    const Competency& c = g.nodes_[i];
    if (!g.by_id_.emplace(c.id, i).second) {
      return InvalidArgumentError("competency id {} appears twice", c.id);
    }
    if (!c.code.empty() && !g.by_code_.emplace(c.code, i).second) {
      return InvalidArgumentError("competency code \"{}\" appears twice", c.code);
    }
  }
  g.prereqs_.assign(n, {});
  g.dependents_.assign(n, {});
  g.related_.assign(n, {});
  auto name = [&](int i) { return g.nodes_[i].code.empty() ? std::to_string(g.nodes_[i].id) : g.nodes_[i].code; };
  for (const CompetencyEdge& e : edges) {
    auto from = g.by_id_.find(e.from);
    auto to = g.by_id_.find(e.to);
    if (from == g.by_id_.end() || to == g.by_id_.end()) {
      return InvalidArgumentError("edge {} -> {} names an unknown competency",
                                  from == g.by_id_.end() ? std::to_string(e.from) : name(from->second),
                                  to == g.by_id_.end() ? std::to_string(e.to) : name(to->second));
    }
    if (e.kind == EdgeKind::kRelated) {
      g.related_[from->second].push_back(to->second);
      g.related_[to->second].push_back(from->second);
      continue;
    }
    if (from->second == to->second) {
      return InvalidArgumentError("competency {} is its own prerequisite", name(from->second));
    }
    g.prereqs_[to->second].push_back(from->second);
    g.dependents_[from->second].push_back(to->second);
  }
  for (auto* lists : {&g.prereqs_, &g.dependents_, &g.related_}) {
    for (auto& l : *lists) {
      std::sort(l.begin(), l.end());
      l.erase(std::unique(l.begin(), l.end()), l.end());
    }
  }
  g.edges_ = std::move(edges);

  // Iterative DFS with colours; on a back edge, walk the parent chain to name the cycle.
  std::vector<int> color(n, 0), parent(n, -1), order;
  order.reserve(n);
  std::vector<std::pair<int, size_t>> stack;
  for (int root = 0; root < n; ++root) {
    if (color[root] != 0) continue;
    stack.emplace_back(root, 0);
    color[root] = 1;
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      if (next < g.dependents_[v].size()) {
        int w = g.dependents_[v][next++];
        if (color[w] == 0) {
          color[w] = 1;
          parent[w] = v;
          stack.emplace_back(w, 0);
        } else if (color[w] == 1) {
          std::vector<int> cycle{w};
          for (int u = v; u != w && u != -1; u = parent[u]) cycle.push_back(u);
          cycle.push_back(w);
          std::reverse(cycle.begin(), cycle.end());
          std::string text;
          for (size_t i = 0; i < cycle.size(); ++i) text += (i ? " -> " : "") + name(cycle[i]);
          return InvalidArgumentError("cycle in prerequisites: {}", text);
        }
      } else {
        color[v] = 2;
        order.push_back(v);
        stack.pop_back();
      }
    }
  }
  std::reverse(order.begin(), order.end());
  g.topo_ = std::move(order);
  g.depth_.assign(n, 0);
  for (int v : g.topo_) {
    for (int p : g.prereqs_[v]) g.depth_[v] = std::max(g.depth_[v], g.depth_[p] + 1);
  }
  return g;
}

int CompetencyGraph::IndexOf(Id id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? -1 : it->second;
}

int CompetencyGraph::IndexOfCode(const std::string& code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? -1 : it->second;
}

std::vector<int> CompetencyGraph::ReadyToLearn(const std::vector<bool>& mastered) const {
  std::vector<int> ready;
  for (int i = 0; i < size(); ++i) {
    if (i < static_cast<int>(mastered.size()) && mastered[i]) continue;
    bool open = std::all_of(prereqs_[i].begin(), prereqs_[i].end(), [&](int p) {
      return p < static_cast<int>(mastered.size()) && mastered[p];
    });
    if (open) ready.push_back(i);
  }
  return ready;
}

}  // namespace pw
