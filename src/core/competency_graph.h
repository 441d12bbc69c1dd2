// The prerequisite graph of a framework, validated and indexed for the algorithms that walk
// it (progression, "blocked by" diagnosis, the simulator, path generation).
//
//   PW_ASSIGN_OR_RETURN(CompetencyGraph g, CompetencyGraph::Build(competencies, edges));
//   for (int pre : g.Prerequisites(g.IndexOf(id))) ...
//
// Nodes are dense indices 0..size()-1 in the order the competencies were given; edges of kind
// kRelated are kept for display but ignored by the ordering. Immutable after Build, so it is
// safe to share between threads.
#pragma once

#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/competency.h"
#include "core/status.h"

namespace pw {

class CompetencyGraph {
 public:
  // Fails with InvalidArgument when an edge names an unknown competency, when a competency
  // is its own prerequisite, or when the prerequisites form a cycle; the message names the
  // cycle by codes ("cycle in prerequisites: 6.EE.1 -> 6.EE.2 -> 6.EE.1").
  static Result<CompetencyGraph> Build(std::vector<Competency> competencies,
                                       std::vector<CompetencyEdge> edges);

  int size() const { return static_cast<int>(nodes_.size()); }
  const Competency& node(int i) const { return nodes_[i]; }
  std::span<const Competency> nodes() const { return nodes_; }

  // -1 when absent.
  int IndexOf(Id id) const;
  int IndexOfCode(const std::string& code) const;

  std::span<const int> Prerequisites(int i) const { return prereqs_[i]; }
  std::span<const int> Dependents(int i) const { return dependents_[i]; }
  std::span<const int> Related(int i) const { return related_[i]; }
  // A topological order: every prerequisite comes before what depends on it.
  std::span<const int> TopologicalOrder() const { return topo_; }
  // Length of the longest prerequisite chain ending at i (0 for a root).
  int Depth(int i) const { return depth_[i]; }

  // Competencies whose prerequisites are all in `mastered` and that are not mastered
  // themselves: the "ready to learn" outer fringe of a knowledge state (ALEKS).
  std::vector<int> ReadyToLearn(const std::vector<bool>& mastered) const;

  const std::vector<CompetencyEdge>& edges() const { return edges_; }

 private:
  std::vector<Competency> nodes_;
  std::vector<CompetencyEdge> edges_;
  std::unordered_map<Id, int> by_id_;
  std::unordered_map<std::string, int> by_code_;
  std::vector<std::vector<int>> prereqs_, dependents_, related_;
  std::vector<int> topo_;
  std::vector<int> depth_;
};

}  // namespace pw
