#include "sim/framework_gen.h"

#include <fmt/core.h>

#include <algorithm>

namespace pw::sim {

SyntheticFramework GenerateFramework(const FrameworkOptions& options, Rng& rng) {
  SyntheticFramework f;
  const int k = std::max(options.competencies, 0);
  int width = 3;
  for (int n = k; n >= 1000; n /= 10) ++width;
  f.competencies.reserve(k);
  for (int i = 0; i < k; ++i) {
    Competency c;
    c.id = i + 1;
    c.framework_id = options.framework_id;
    c.code = fmt::format("{}.{:0{}}", options.code_prefix, i + 1, width);
    c.source_id = fmt::format("sim-competency-{}", i + 1);
    c.statement = fmt::format("Synthetic skill {}", c.code);
    c.grade = options.grade;
    f.competencies.push_back(std::move(c));
  }
  const int window = std::max(options.window, 1);
  const int max_pre = std::max(options.max_prerequisites, 1);
  std::vector<int> picked;
  for (int i = 1; i < k; ++i) {
    if (rng.Bernoulli(options.root_probability)) continue;
    const int lo = std::max(0, i - window);
    const int span = i - lo;
    const int want = std::min<int>(span, 1 + static_cast<int>(rng.Below(max_pre)));
    picked.clear();
    // The nearest predecessor is always one prerequisite, so chains dominate.
    picked.push_back(i - 1);
    while (static_cast<int>(picked.size()) < want) {
      int p = lo + static_cast<int>(rng.Below(span));
      if (std::find(picked.begin(), picked.end(), p) == picked.end()) picked.push_back(p);
    }
    std::sort(picked.begin(), picked.end());
    for (int p : picked) f.edges.push_back({p + 1, i + 1, EdgeKind::kPrerequisite});
  }
  return f;
}

Result<CompetencyGraph> GenerateFrameworkGraph(const FrameworkOptions& options, Rng& rng) {
  if (options.competencies < 1) {
    return InvalidArgumentError("framework needs at least 1 competency, got {}",
                                options.competencies);
  }
  if (options.max_prerequisites < 1 || options.window < 1) {
    return InvalidArgumentError("max_prerequisites and window must be >= 1");
  }
  SyntheticFramework f = GenerateFramework(options, rng);
  return CompetencyGraph::Build(std::move(f.competencies), std::move(f.edges));
}

}  // namespace pw::sim
