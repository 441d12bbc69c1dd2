// Helpers every Store backend shares (not part of the public interface): one page limit, one
// page check and one way of naming a row in an error, so both backends say the same thing.
#pragma once

#include <fmt/core.h>

#include <cmath>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/status.h"
#include "store/store.h"

namespace pw::store_util {

inline constexpr int kMaxPageLimit = 10'000;

// Names a row in an error message: `person 17`, `person "s-17"` or just `person` (new, no ids).
inline std::string Who(std::string_view kind, Id id, std::string_view source_id) {
  if (id != kNoId) return fmt::format("{} {}", kind, id);
  if (!source_id.empty()) return fmt::format("{} \"{}\"", kind, source_id);
  return std::string(kind);
}

inline Status CheckPage(const PageRequest& page) {
  if (page.limit < 1 || page.limit > kMaxPageLimit) {
    return InvalidArgumentError("page limit {} is outside 1..{}", page.limit, kMaxPageLimit);
  }
  if (page.after < 0) return InvalidArgumentError("page after {} is negative", page.after);
  return OkStatus();
}

// Remembers, per distinct id of one batch, whether it passed its check (the bulk path checks
// each distinct id once, not once per event).
class IdChecks {
 public:
  // "" = fine; otherwise the reason it is not. `lookup` runs once per distinct id.
  template <typename Lookup>
  Result<const std::string*> Check(Id id, Lookup lookup) {
    if (id == last_id_ && last_ != nullptr) return last_;
    auto it = seen_.find(id);
    if (it == seen_.end()) {
      PW_ASSIGN_OR_RETURN(std::string problem, lookup(id));
      it = seen_.emplace(id, std::move(problem)).first;
    }
    last_id_ = id;
    last_ = &it->second;
    return last_;
  }

 private:
  std::unordered_map<Id, std::string> seen_;
  Id last_id_ = kNoId;
  const std::string* last_ = nullptr;
};

// The checks SetAssociations makes before writing: both ends in the framework (`members`), a
// kind given. `who` names the framework in the message.
inline Status CheckAssociations(const std::string& who, const std::unordered_set<Id>& members,
                                std::span<const CompetencyAssociation> associations) {
  for (std::size_t i = 0; i < associations.size(); ++i) {
    const CompetencyAssociation& a = associations[i];
    if (!members.count(a.competency_id)) {
      return InvalidArgumentError("{}: association {}: competency_id {} is not in the framework",
                                  who, i, a.competency_id);
    }
    if (a.target_id != kNoId && !members.count(a.target_id)) {
      return InvalidArgumentError("{}: association {}: target_id {} is not in the framework", who,
                                  i, a.target_id);
    }
    if (a.kind.empty()) return InvalidArgumentError("{}: association {}: kind is missing", who, i);
  }
  return OkStatus();
}

// Checks a whole AppendEvidence batch before any of it is written, so a bad batch writes nothing
// and the error names the first bad event ("evidence 17: competency_id 99 does not exist").
// `student_problem(id)` returns "" for an existing student, else the reason; `exists(table, id)`
// says whether a row exists. Each distinct id is looked up once per batch.
Status CheckEvidenceBatch(std::span<const EvidenceEvent> events,
                          const std::function<Result<std::string>(Id)>& student_problem,
                          const std::function<Result<bool>(const char* table, Id)>& exists);

// Store::Transaction's nesting, the same for every backend: the outermost call begins, runs
// `fn` and commits, or rolls back when `fn` (or any nested call inside it) failed or threw;
// nested calls join the outer transaction, and a failure in one dooms the whole even if the
// caller carries on. `begin`/`commit` talk to the database; `rollback` also forgets any
// cache filled inside the transaction.
class TransactionNesting {
 public:
  bool active() const { return depth_ > 0; }

  Status Run(const std::function<Status()>& fn, const std::function<Status()>& begin,
             const std::function<Status()>& commit, const std::function<void()>& rollback) {
    if (depth_ > 0) {
      ++depth_;
      Status s;
      try {
        s = fn();
      } catch (...) {
        --depth_;
        if (failure_.ok()) failure_ = InternalError("an exception escaped a transaction");
        throw;
      }
      --depth_;
      if (!s.ok() && failure_.ok()) failure_ = s;
      return s;
    }
    PW_RETURN_IF_ERROR(begin());
    depth_ = 1;
    failure_ = OkStatus();
    Status s;
    try {
      s = fn();
    } catch (...) {
      depth_ = 0;
      rollback();
      throw;
    }
    depth_ = 0;
    if (s.ok() && !failure_.ok()) s = failure_;
    failure_ = OkStatus();
    if (!s.ok()) {
      rollback();
      return s;
    }
    Status committed = commit();
    if (!committed.ok()) {
      rollback();
      return committed;
    }
    return OkStatus();
  }

 private:
  int depth_ = 0;
  Status failure_;  // the first failure inside the current outermost transaction
};
// The value checks PutAssessmentScore makes before touching the database; `who` names the row.
inline Status CheckScoreValues(const AssessmentScore& s, const std::string& who) {
  if (s.assessment.empty()) return InvalidArgumentError("{}: assessment is missing", who);
  if (!std::isfinite(s.scale_score)) {
    return InvalidArgumentError("{}: scale_score is not finite", who);
  }
  if (s.sem && (!std::isfinite(*s.sem) || *s.sem < 0)) {
    return InvalidArgumentError("{}: sem {} is not a finite number >= 0", who, *s.sem);
  }
  for (std::size_t i = 0; i < s.sub_scores.size(); ++i) {
    if (!std::isfinite(s.sub_scores[i].score)) {
      return InvalidArgumentError("{}: sub_scores[{}] is not finite", who, i);
    }
  }
  return OkStatus();
}

// How PutAssessmentScore names a score in errors.
inline std::string ScoreWho(const AssessmentScore& s) {
  return s.id != kNoId ? fmt::format("assessment score {}", s.id)
                       : fmt::format("assessment score \"{}\" of student {} on {}", s.assessment,
                                     s.student_id, FormatDate(s.date));
}

}  // namespace pw::store_util
