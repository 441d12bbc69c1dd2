// Synthetic competency frameworks: K competencies with a random prerequisite DAG, for the
// simulator, tests and benchmarks when no real framework is wanted.
//
//   Rng rng(7);
//   SyntheticFramework f = GenerateFramework({.competencies = 50}, rng);
//   PW_ASSIGN_OR_RETURN(CompetencyGraph g, CompetencyGraph::Build(f.competencies, f.edges));
//
// Competency ids are 1..K in order, codes "S.001".."S.050" (wider when K > 999). Prerequisites
// of competency i are drawn among the `window` competencies just before it, so the graph is a
// DAG by construction and looks like a curriculum (long chains with some branching) rather
// than a random soup. Deterministic for a seed.
#pragma once

#include <string>
#include <vector>

#include "core/competency.h"
#include "core/competency_graph.h"
#include "core/random.h"
#include "core/status.h"

namespace pw::sim {

struct FrameworkOptions {
  int competencies = 50;          // K >= 1
  Id framework_id = 1;            // written into every Competency
  std::string code_prefix = "S";  // codes are "<prefix>.<number>"
  std::string grade = "";         // grade of every competency ("" = none)
  // Probability that a competency other than the first has no prerequisite (a new root).
  double root_probability = 0.1;
  int max_prerequisites = 3;  // the others get 1..max_prerequisites, uniformly
  int window = 8;             // prerequisites come from the `window` competencies before
};

struct SyntheticFramework {
  std::vector<Competency> competencies;
  std::vector<CompetencyEdge> edges;  // kPrerequisite, from < to
};

SyntheticFramework GenerateFramework(const FrameworkOptions& options, Rng& rng);

// GenerateFramework followed by CompetencyGraph::Build. Fails only on invalid options
// (competencies < 1, max_prerequisites < 1, window < 1).
Result<CompetencyGraph> GenerateFrameworkGraph(const FrameworkOptions& options, Rng& rng);

}  // namespace pw::sim
