// Simple mode: a plain answer log (student, skill, item, time, correct, known) for knowledge
// tracing tests and benchmarks, as `pathwise sim` writes it.
//
//   SimpleSimOptions o{.students = 1000, .skills = 50, .events_per_student = 200};
//   PW_ASSIGN_OR_RETURN(SimpleSimulation sim, SimpleSimulation::Create(o, /*seed=*/7));
//   PW_RETURN_IF_ERROR(sim.Run([&](const EventBatch& b) { WriteEventsCsv(b, out); }));
//   const GroundTruth& truth = sim.truth();   // after Run
//
// Every student answers exactly events_per_student items, in sessions of session_events
// answers (one session a day, starting between 15:00 and 18:00 UTC, 10-70 s between answers),
// following PracticePolicy over a synthetic framework (framework_gen.h). Student i has id
// i + 1; skill ids are the framework's (1..K); item j of skill c has id c * items_per_skill +
// j + 1. Each student's random numbers come from its own stream forked in order from the
// seed, and per-event work is two 64-bit draws, a few compares and no allocation.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/competency_graph.h"
#include "core/random.h"
#include "core/status.h"
#include "core/time.h"
#include "sim/framework_gen.h"
#include "sim/ground_truth.h"
#include "sim/learner_model.h"
#include "sim/practice_policy.h"

namespace pw::sim {

struct SimpleSimOptions {
  int students = 1000;                    // N >= 1
  int skills = 50;                        // K >= 1 (the synthetic framework's size)
  std::int64_t events_per_student = 200;  // M >= 1
  int items_per_skill = 8;
  int session_events = 30;            // answers per daily session
  Timestamp start = {1788220800000};  // 2026-09-01T00:00:00Z: day 0 of every student
  bool keep_truth = true;             // record knowledge changes and attempts for truth()
  FrameworkOptions framework = {};    // `competencies` is overridden by `skills`
  LearnerModelOptions learner = {};
  PracticePolicyOptions policy = {};
};

// A block of events, structure of arrays. Ids as in the header comment.
struct EventBatch {
  std::vector<std::int32_t> student_id, skill_id, item_id;
  std::vector<std::int64_t> time_ms;
  std::vector<std::uint8_t> correct, known;  // known: truly known just before the answer

  std::size_t size() const { return student_id.size(); }
  void Clear();
  void Reserve(std::size_t n);
  void Append(const EventBatch& other);
};

class SimpleSimulation {
 public:
  // Validates the options and draws the framework, population and items.
  static Result<SimpleSimulation> Create(const SimpleSimOptions& options, std::uint64_t seed);

  // Simulates every student in order; calls `sink` once per student with that student's
  // events (the batch is reused: copy what you keep). Runs once.
  Status Run(const std::function<void(const EventBatch&)>& sink);

  const CompetencyGraph& graph() const { return *graph_; }
  const std::vector<Item>& items() const { return items_; }
  const SimpleSimOptions& options() const { return options_; }
  // Valid after Run (keep_truth).
  const GroundTruth& truth() const { return truth_; }
  // 64-bit random draws Run made (for the benchmark's floor).
  std::uint64_t random_draws() const { return draws_; }

 private:
  SimpleSimulation() = default;
  SimpleSimOptions options_;
  std::uint64_t seed_ = 0;
  std::unique_ptr<CompetencyGraph> graph_;  // stable address for Learner/PracticePolicy
  std::unique_ptr<LearnerPopulation> pop_;
  std::vector<Item> items_;
  Rng student_seeds_{0};
  GroundTruth truth_;
  std::uint64_t draws_ = 0;
  bool ran_ = false;
};

// Convenience: runs a whole simulation and returns every event in one batch.
Result<EventBatch> SimulateEvents(const SimpleSimOptions& options, std::uint64_t seed,
                                  GroundTruth* truth = nullptr);

// "student_id,skill_id,item_id,timestamp,correct,known\n".
inline constexpr char kEventsCsvHeader[] = "student_id,skill_id,item_id,timestamp,correct,known\n";
// Appends the rows of `batch` (no header) to `out`; timestamps as FormatTimestamp writes them.
void AppendEventsCsv(const EventBatch& batch, std::string* out);

// The per-student/per-skill truth as CSV (header included): student_id, skill_id, ability,
// learn_rate, struggling, prior, learn, guess, slip, forget, initially_known, non_learner,
// attempts, first_known (ISO time, "start", or empty), known_at_end.
void WriteTruthCsv(const GroundTruth& truth, std::ostream& out);

}  // namespace pw::sim
