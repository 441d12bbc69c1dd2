#include "server/xapi_service.h"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/quiet_thread.h"
#include "ingest/json_view.h"
#include "ingest/xapi_prepare.h"
#include "ingest/xapi_statement.h"
#include "server/evidence_service.h"
#include "server/profile_service.h"
#include "server/xapi_http.h"
#include "store/xapi_store.h"

namespace pw::server {
namespace {

using json = nlohmann::json;
using Clock_ = std::chrono::steady_clock;

std::string Path(const StatementBatch& batch, std::size_t i) {
  return batch.is_batch ? "statements[" + std::to_string(i) + "]" : std::string("statement");
}

Result<std::string> Base64UrlDecode(std::string_view in, std::string_view what) {
  std::string out;
  int bits = 0;
  std::uint32_t acc = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-' || c == '+')
      v = 62;
    else if (c == '_' || c == '/')
      v = 63;
    else if (c == '=')
      break;
    else
      return InvalidArgumentError("{}: not base64url", what);
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// Threads that prepare a request's statements beside its writer (StoreStatementsText), kept
// for the life of the process: a thread started for each request faulted in a new stack and a
// new zstd context (thread_local, store/sqlite/xapi_packing.cc) every time, and its exit made
// the allocator give memory back -- page faults, madvise calls and TLB shootdowns on both
// cores (bench_xapi, 100 batches: 139,043 page faults for the whole run, 116,811 with these).
class Helpers {
 public:
  struct Job {
    // Prepares the job's work, chunk by chunk; returns false when it stopped early because
    // another job is in a hurry (Yield), true when nothing is left.
    std::function<bool()> run;
    std::mutex mu;
    std::condition_variable done_cv;
    enum class State { kQueued, kRunning, kDone } state = State::kQueued;
  };

  // One thread per core beyond the first (the writer's own), at least one.
  static Helpers& Get() {
    static Helpers* helpers =
        new Helpers(std::max(1u, std::thread::hardware_concurrency()) - 1);  // never destroyed
    return *helpers;
  }

  bool enabled() const { return threads_ > 0; }

  void Submit(std::shared_ptr<Job> job) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

  // Moves `job`, when still queued, to the front, and has the running jobs stop at their next
  // chunk (Yield): a writer waits for it. Without this, a helper that had begun preparing a
  // waiting request went through all of it (~10 ms for 1,000 statements) while the writer
  // prepared its own chunks itself, on the core the helpers leave it.
  void Hurry(const std::shared_ptr<Job>& job) {
    std::lock_guard lock(mu_);
    auto it = std::find(queue_.begin(), queue_.end(), job);
    if (it == queue_.end()) return;
    std::shared_ptr<Job> j = std::move(*it);
    queue_.erase(it);
    queue_.push_front(std::move(j));
    hurried_ = true;
  }

  // For a running job between two chunks: true when it should stop and go back in the queue
  // (a job was hurried to its front).
  bool Yield() const { return hurried_.load(std::memory_order_relaxed); }

  // Returns once `job` has run, or will never run (it had not started: it is dropped). The
  // caller's data that `run` uses may go after this.
  static void Finish(Job& job) {
    std::unique_lock lock(job.mu);
    if (job.state == Job::State::kQueued) {
      job.state = Job::State::kDone;
      return;
    }
    job.done_cv.wait(lock, [&] { return job.state == Job::State::kDone; });
  }

 private:
  explicit Helpers(unsigned n) : threads_(n) {
    for (unsigned i = 0; i < n; ++i) StartQuietThread([this] { Loop(); }).detach();
  }

  void Loop() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [&] { return !queue_.empty(); });
        job = std::move(queue_.front());
        queue_.pop_front();
        hurried_ = false;  // a hurried job is at the front: this one
      }
      {
        std::lock_guard lock(job->mu);
        if (job->state != Job::State::kQueued) continue;  // its caller did the work itself
        job->state = Job::State::kRunning;
      }
      const bool finished = job->run();
      {
        std::lock_guard lock(job->mu);
        job->state = finished ? Job::State::kDone : Job::State::kQueued;
      }
      if (finished) {
        job->done_cv.notify_all();
      } else {
        // Back in the queue right behind the hurried job, to go on where it stopped.
        std::lock_guard lock(mu_);
        queue_.insert(queue_.empty() ? queue_.begin() : queue_.begin() + 1, std::move(job));
      }
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::atomic<bool> hurried_{false};  // the queue's front was hurried and has not started
  const unsigned threads_;  // detached: they wait for jobs for the life of the process
};

// The parts of a statement a signature covers (the LRS-set and attachment fields removed).
json Signed(json s) {
  for (const char* k : {"authority", "stored", "version", "attachments", "id"}) s.erase(k);
  return s;
}

// The parts that make two statements with the same id "the same" (what the sender set).
json Substance(json s) {
  for (const char* k : {"authority", "stored", "version", "id"}) s.erase(k);
  return s;
}

// Where StorePrepared takes its statements from: successive chunks of one vector (request
// order, the vector never reallocated), an empty span at the end. An error stops the request
// and rolls everything back.
using PreparedChunks = std::function<Result<std::span<xapi::PreparedStatement>>()>;

// The last object merged into each activity's definition (XapiStore::GetActivityLastObjects),
// as a transaction sees them: what it has read or written itself (`own`: the requests of a
// group look each activity up once) over what the group's earlier transactions left while the
// definitions' generation stood (`committed`, may be null; WriteGroup).
struct LastObjects {
  std::unordered_map<std::string, std::string> own;
  const std::unordered_map<std::string, std::string>* committed = nullptr;

  // The activity's last object, or null when neither knows it.
  const std::string* Find(const std::string& activity) const {
    if (auto it = own.find(activity); it != own.end()) return &it->second;
    if (committed == nullptr) return nullptr;
    auto it = committed->find(activity);
    return it == committed->end() ? nullptr : &it->second;
  }
};

// Stores prepared (and, where the store packs, packed) statements, voids, keeps attachments,
// records evidence: all or nothing.
// Statements are mapped and their rows written chunk by chunk as `next` hands them over, so a
// caller still preparing later chunks on another core overlaps with the writer.
Result<StoredBatch> StorePrepared(Store& store, const PreparedChunks& next, bool is_batch,
                                  const std::map<std::string, std::string>& payloads,
                                  const std::map<std::string, std::string>& content_types,
                                  const xapi::XapiMapping& mapping,
                                  LastObjects* last_objects = nullptr) {
  XapiStore* lrs = store.xapi();
  StoredBatch out;
  PW_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
    // Statement -> evidence first (inside the transaction: its reads of students and
    // activities are then one snapshot, and cost a third of what separate reads would).
    xapi::StatementMapper mapper(store, mapping);
    // Look-ups kept across this thread's batches while people and activities are unchanged
    // (one cache a thread: Attach empties it for another database, by its id).
    thread_local xapi::MappingCache cache;
    PW_RETURN_IF_ERROR(mapper.Attach(cache));
    std::vector<EvidenceEvent> events;
    std::vector<std::string> to_void;
    // (seq, index in events of its first event) of each stored statement that mapped.
    std::vector<std::pair<std::int64_t, std::size_t>> first_event;
    // The batch's activity objects with definitions, in order, per activity id.
    std::map<std::string, std::vector<const std::string*>> definitions;
    // Each statement of a chunk's evidence, in order: mapped[first[i], first[i + 1]).
    std::vector<EvidenceEvent> mapped;
    std::vector<std::size_t> first;
    std::vector<XapiStatementRow*> rows;  // the chunk's, where they are
    std::size_t offset = 0;  // request index of the chunk's first statement
    // Each statement's evidence_first is written with its row: the id its first event will get
    // if every statement is new (the events are appended in order after the last chunk). A row
    // whose guess turns out wrong (an earlier statement was already stored) is corrected after.
    PW_ASSIGN_OR_RETURN(Id next_evidence, lrs->NextEvidenceId());
    std::vector<Id> predicted;  // per first_event entry
    for (;;) {
      PW_ASSIGN_OR_RETURN(std::span<xapi::PreparedStatement> chunk, next());
      if (chunk.empty()) break;
      auto path = [&](std::size_t i) {
        return is_batch ? "statements[" + std::to_string(offset + i) + "]"
                        : std::string("statement");
      };
      mapped.clear();
      first.clear();
      for (xapi::PreparedStatement& p : chunk) {
        out.ids.push_back(p.facts.id);
        PW_ASSIGN_OR_RETURN(xapi::MappedStatement m, mapper.Map(p.facts));
        p.row.evidence_count = static_cast<int>(m.events.size());
        p.row.unmapped_reason = std::move(m.unmapped_reason);
        first.push_back(mapped.size());
        p.row.evidence_first = m.events.empty() ? kNoId : next_evidence;
        next_evidence += static_cast<Id>(m.events.size());
        for (EvidenceEvent& e : m.events) mapped.push_back(std::move(e));
      }
      first.push_back(mapped.size());
      rows.clear();
      for (std::size_t i = 0; i < chunk.size(); ++i) {
        const XapiStatementRow& r = chunk[i].row;
        if (!r.voids.empty()) {
          PW_ASSIGN_OR_RETURN(std::optional<XapiStatementRow> t, lrs->GetStatement(r.voids));
          if (t) {
            json tj = json::parse(t->json, nullptr, false);
            if (!tj.is_discarded() && tj["verb"]["id"] == xapi::kVoidedVerb) {
              return InvalidArgumentError(
                  "{}.object: statement {} is itself a voiding statement and "
                  "cannot be voided",
                  path(i), r.voids);
            }
          }
        }
        rows.push_back(&chunk[i].row);
      }
      // Rows whose id is stored already are left out (seq 0): the same statement sent again
      // is nothing to do, different content under a stored id fails the whole request.
      PW_RETURN_IF_ERROR(lrs->InsertStatementRows(rows));
      for (std::size_t i = 0; i < rows.size(); ++i) {
        xapi::PreparedStatement& p = chunk[i];
        XapiStatementRow& r = p.row;
        if (r.seq == 0) {
          PW_ASSIGN_OR_RETURN(std::optional<XapiStatementRow> existing, lrs->GetStatement(r.id));
          if (!existing) return InternalError("statement {} was neither stored nor found", r.id);
          json a = Substance(json::parse(existing->json, nullptr, false));
          json b = Substance(json::parse(r.json, nullptr, false));
          if (!p.had_timestamp) a.erase("timestamp"), b.erase("timestamp");
          if (a == b) continue;  // the same statement again: nothing to do
          return AlreadyExistsError(
              "{}.id: statement {} is already stored with different content", path(i),
              p.facts.id);
        }
        if (!r.voids.empty()) to_void.push_back(r.voids);
        if (!p.activity_object.empty()) {
          definitions[r.object_activity].push_back(&p.activity_object);
        }
        if (first[i] == first[i + 1]) {
          ++out.unmapped;
          out.unmapped_reasons.push_back(std::move(r.unmapped_reason));
        } else {
          first_event.emplace_back(r.seq, events.size());
          predicted.push_back(r.evidence_first);
        }
        for (std::size_t e = first[i]; e < first[i + 1]; ++e) events.push_back(std::move(mapped[e]));
        ++out.stored;
      }
      offset += chunk.size();
    }
    LastObjects own_last_objects;
    LastObjects& last_known = last_objects != nullptr ? *last_objects : own_last_objects;
    std::vector<std::string> defined;
    defined.reserve(definitions.size());
    for (const auto& [activity, objects] : definitions) {
      if (last_known.Find(activity) == nullptr) defined.push_back(activity);
    }
    PW_ASSIGN_OR_RETURN(auto merged_before, lrs->GetActivityLastObjects(defined));
    for (auto& [activity, object] : merged_before) last_known.own[activity] = std::move(object);
    for (const auto& [activity, objects] : definitions) {
      const std::string* before = last_known.Find(activity);
      if (before != nullptr &&
          std::all_of(objects.begin(), objects.end(),
                      [&](const std::string* o) { return *o == *before; })) {
        continue;  // merged before: merging it again changes nothing
      }
      PW_ASSIGN_OR_RETURN(std::optional<std::string> known, lrs->GetActivityDefinition(activity));
      json merged = known ? json::parse(*known, nullptr, false) : json();
      const std::string* last = nullptr;
      for (const std::string* o : objects) {
        if (last != nullptr && *o == *last) continue;  // the same object sent again
        last = o;
        merged = xapi::MergeActivity(merged, json::parse(*o, nullptr, false));
      }
      PW_RETURN_IF_ERROR(lrs->PutActivityDefinition(activity, merged.dump(), *objects.back()));
      last_known.own[activity] = *objects.back();
    }
    for (const auto& [sha, body] : payloads) {
      auto type = content_types.find(sha);
      PW_RETURN_IF_ERROR(lrs->PutAttachment(
          {.sha2 = sha,
           .content_type = type == content_types.end() ? "application/octet-stream" : type->second,
           .content = body}));
    }
    if (!events.empty()) PW_RETURN_IF_ERROR(RecordEvidence(store, events));
    out.evidence = static_cast<int>(events.size());
    std::vector<std::pair<std::int64_t, Id>> corrections;
    for (std::size_t k = 0; k < first_event.size(); ++k) {
      const auto& [seq, index] = first_event[k];
      if (events[index].id != predicted[k]) corrections.emplace_back(seq, events[index].id);
    }
    if (!corrections.empty()) PW_RETURN_IF_ERROR(lrs->SetEvidenceFirst(corrections));
    // Voiding: the target is hidden from queries and its evidence withdrawn, the mastery it
    // moved recomputed from the student's remaining evidence.
    std::vector<EvidenceEvent> withdrawn;
    for (const std::string& target : to_void) {
      PW_ASSIGN_OR_RETURN(std::optional<XapiStatementRow> t, lrs->GetStatement(target));
      PW_RETURN_IF_ERROR(lrs->MarkVoided(target));
      if (!t || t->voided || t->evidence_count == 0 || t->evidence_first == kNoId) continue;
      std::vector<Id> ids;
      for (int k = 0; k < t->evidence_count; ++k) ids.push_back(t->evidence_first + k);
      PW_ASSIGN_OR_RETURN(std::vector<EvidenceEvent> gone, store.DeleteEvidence(ids));
      for (EvidenceEvent& e : gone) {
        if (e.source_record != target) {
          return InternalError("voiding statement {}: evidence {} is not its own", target, e.id);
        }
        withdrawn.push_back(std::move(e));
      }
    }
    PW_RETURN_IF_ERROR(RecomputeMasteryAfterWithdrawal(store, withdrawn));
    out.withdrawn = static_cast<int>(withdrawn.size());
    return OkStatus();
  }));
  return out;
}

// One request's prepared statements on their way into a shared write transaction.
struct PendingWrite {
  // Where its first pass takes its statements from (the leader streams its own chunks while
  // they are still being prepared); empty for a request prepared in full.
  PreparedChunks stream;
  // All of them, prepared, for any pass after the first.
  std::span<xapi::PreparedStatement> all;
  bool is_batch = false;
  const xapi::XapiMapping* mapping = nullptr;
  // Set by the leader: the outcome, or that this request's thread leads next.
  std::optional<Result<StoredBatch>> result;
  bool lead = false;
  std::condition_variable cv;
};

// Group commit for the bulk path. Each SQLite commit rewrites every page its transaction
// touched, and a batch of 1,000 statements touches a page of the statement-id index, of the
// mastery table and of the evidence-by-student index for nearly every statement: at 40,000
// stored statements a commit wrote ~240 pages of 16 KiB (SQLite's WAL hook), more as the file
// grows, and the next batch the same pages again. Requests to one database that arrive while
// another is writing have their statements prepared in full (by the helper threads) and queue
// here; the writing request stores them after its own, in the same transaction, and one commit
// writes the shared pages once (bench_xapi, one sender, 1,000 statements a transaction:
// 35-37 k/s; 4,000: 53-58 k/s). Each request stays all or nothing: when one of them fails,
// the transaction is rolled back, that request gets its error, and the others are stored again
// without it.
class WriteGroup {
 public:
  // The group of the database behind `store` (XapiStore::WriteGroup), null when it has none.
  static WriteGroup* Of(Store& store) {
    if (store.xapi() == nullptr) return nullptr;
    const std::string key = store.xapi()->WriteGroup();
    if (key.empty()) return nullptr;
    static std::mutex mu;
    static auto* groups = new std::map<std::string, std::unique_ptr<WriteGroup>>();  // never freed
    std::lock_guard lock(mu);
    std::unique_ptr<WriteGroup>& g = (*groups)[key];
    if (!g) g = std::make_unique<WriteGroup>();
    return g.get();
  }

  // Requests waiting in the queue.
  std::size_t Waiting() {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

  StatementWriterTotals Totals() const {
    return {.commits = commits_.load(),
            .requests = requests_.load(),
            .writing_seconds = static_cast<double>(writing_ns_.load()) / 1e9,
            .own_chunk_seconds = static_cast<double>(chunk_ns_.load()) / 1e9};
  }

  // True when no request is writing: the caller writes now (Lead), streaming its own chunks.
  bool TryLead() {
    std::lock_guard lock(mu_);
    if (busy_) return false;
    busy_ = true;
    return true;
  }

  // For a request prepared in full: stored by whichever request writes next (or by this one,
  // when none is writing or its turn to lead comes).
  Result<StoredBatch> Join(Store& store, PendingWrite& own) {
    {
      std::unique_lock lock(mu_);
      if (busy_) {
        queue_.push_back(&own);
        own.cv.wait(lock, [&] { return own.result.has_value() || own.lead; });
        if (own.result) return std::move(*own.result);
      }
      busy_ = true;
    }
    return Lead(store, own);
  }

  // Stores `own`, then the requests queued meanwhile, in one transaction of `store`; hands the
  // group to the next queued request (or frees it) before returning `own`'s outcome.
  Result<StoredBatch> Lead(Store& store, PendingWrite& own) {
    std::vector<PendingWrite*> writes{&own};
    // Each of `writes`' outcome, handed over at the end (a request's thread may return, and
    // its PendingWrite go, as soon as it sees its result).
    std::vector<Result<StoredBatch>> results;
    struct HandOver {  // also when an exception leaves
      WriteGroup& group;
      std::vector<PendingWrite*>& writes;
      std::vector<Result<StoredBatch>>& results;
      ~HandOver() {
        std::lock_guard lock(group.mu_);
        for (std::size_t i = 0; i < writes.size(); ++i) {
          writes[i]->result = i < results.size() ? std::move(results[i])
                                                 : InternalError("the writing request failed");
          writes[i]->cv.notify_one();
        }
        if (group.queue_.empty()) {
          group.busy_ = false;
        } else {
          PendingWrite* next = group.queue_.front();
          group.queue_.pop_front();
          next->lead = true;
          next->cv.notify_one();
        }
      }
    };
    {
      HandOver hand_over{*this, writes, results};
      bool first_pass = true;
      while (!writes.empty()) {
        std::vector<StoredBatch> outs;
        std::size_t failed = writes.size();
        Status failure;
        std::optional<Clock_::time_point> began;  // inside the transaction (the lock is ours)
        // This pass's reads and writes (a failed pass is rolled back) over what the group's
        // earlier commits left, while the definitions' generation stands.
        LastObjects last_objects{.own = {}, .committed = &committed_objects_};
        std::optional<XapiStore::MappingGeneration> generation;  // after this pass's writes
        const Status s = store.Transaction([&]() -> Status {
          began = Clock_::now();
          PW_ASSIGN_OR_RETURN(generation, store.xapi()->GetDefinitionsGeneration());
          if (!generation || generation != objects_generation_) {
            committed_objects_.clear();
            objects_generation_.reset();
          }
          for (std::size_t i = 0;; ++i) {
            if (i == writes.size()) {
              std::lock_guard lock(mu_);
              while (!queue_.empty() && writes.size() < kMaxRequests) {
                writes.push_back(queue_.front());
                queue_.pop_front();
              }
              if (i == writes.size()) break;
            }
            PendingWrite& w = *writes[i];
            const bool stream = first_pass && w.stream;
            // The leader's own chunks, timed: preparing them or waiting for a helper's.
            const PreparedChunks timed = [&]() -> Result<std::span<xapi::PreparedStatement>> {
              const auto t = Clock_::now();
              auto c = w.stream();
              chunk_ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock_::now() - t)
                               .count();
              return c;
            };
            bool handed = false;
            const PreparedChunks all = [&]() -> Result<std::span<xapi::PreparedStatement>> {
              if (handed) return std::span<xapi::PreparedStatement>();
              handed = true;
              return w.all;
            };
            Result<StoredBatch> r = StorePrepared(store, stream ? timed : all, w.is_batch, {},
                                                  {}, *w.mapping, &last_objects);
            if (!r.ok()) {
              failed = i;
              failure = r.status();
              return failure;
            }
            outs.push_back(std::move(r).value());
          }
          // Each definition written above moved the generation on.
          PW_ASSIGN_OR_RETURN(generation, store.xapi()->GetDefinitionsGeneration());
          return OkStatus();
        });
        first_pass = false;
        if (began) {
          writing_ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock_::now() -
                                                                               *began)
                             .count();
        }
        if (s.ok()) {
          KeepLastObjects(std::move(last_objects.own), generation);
          ++commits_;
          requests_ += static_cast<std::int64_t>(outs.size());
          for (StoredBatch& out : outs) {
            out.requests_in_commit = static_cast<int>(outs.size());
            results.emplace_back(std::move(out));
          }
          break;
        }
        if (failed == writes.size()) {  // the commit itself failed: nobody's rows are stored
          results.assign(writes.size(), s);
          break;
        }
        // That request fails alone; the others are stored again without it.
        PendingWrite* gone = writes[failed];
        writes.erase(writes.begin() + static_cast<std::ptrdiff_t>(failed));
        if (gone == &own) {
          own.result = failure;
        } else {
          std::lock_guard lock(mu_);
          gone->result = failure;
          gone->cv.notify_one();
        }
      }
    }
    return own.result ? std::move(*own.result) : InternalError("the batch was not stored");
  }

 private:
  // Requests one transaction stores at most (a bound on the commit's size and wait).
  static constexpr std::size_t kMaxRequests = 8;
  // Activities whose last objects the group keeps between its transactions at most.
  static constexpr std::size_t kMaxKeptObjects = 20'000;

  // After a commit: its last objects are the committed ones while `generation` (read inside the
  // transaction, after its writes) stands; without one nothing is kept.
  void KeepLastObjects(std::unordered_map<std::string, std::string> own,
                       const std::optional<XapiStore::MappingGeneration>& generation) {
    if (!generation) {
      committed_objects_.clear();
      objects_generation_.reset();
      return;
    }
    if (committed_objects_.size() + own.size() > kMaxKeptObjects) committed_objects_.clear();
    for (auto& [activity, object] : own) committed_objects_[activity] = std::move(object);
    objects_generation_ = generation;
  }

  std::mutex mu_;
  bool busy_ = false;  // a request is writing (its thread leads)
  std::deque<PendingWrite*> queue_;
  // Totals(): commits, the requests they stored, time inside the group transactions.
  std::atomic<std::int64_t> commits_{0}, requests_{0}, writing_ns_{0}, chunk_ns_{0};
  // The last object merged into each activity as of the group's last commit, and the
  // definitions' generation they hold for. Only the leading request's thread touches them (the
  // hand-over under mu_ orders one leader after the next).
  std::unordered_map<std::string, std::string> committed_objects_;
  std::optional<XapiStore::MappingGeneration> objects_generation_;
};

}  // namespace

json ClientAuthority(std::string_view client_key) {
  return json{
      {"objectType", "Agent"},
      {"account", {{"homePage", "urn:pathwise:client"}, {"name", std::string(client_key)}}}};
}

Status CheckSignature(const json& statement, std::string_view jws, std::string_view path) {
  const std::string what = std::string(path) + ": signature";
  const std::size_t d1 = jws.find('.');
  const std::size_t d2 = d1 == std::string_view::npos ? d1 : jws.find('.', d1 + 1);
  if (d2 == std::string_view::npos || jws.find('.', d2 + 1) != std::string_view::npos) {
    return InvalidArgumentError("{}: expected a JWS in compact form (header.payload.signature)",
                                what);
  }
  PW_ASSIGN_OR_RETURN(std::string header_text,
                      Base64UrlDecode(jws.substr(0, d1), what + " header"));
  PW_ASSIGN_OR_RETURN(std::string payload_text,
                      Base64UrlDecode(jws.substr(d1 + 1, d2 - d1 - 1), what + " payload"));
  json header = json::parse(header_text, nullptr, false);
  if (header.is_discarded() || !header.is_object()) {
    return InvalidArgumentError("{}: the JWS header is not a JSON object", what);
  }
  const json alg = header.value("alg", json());
  if (alg != "RS256" && alg != "RS384" && alg != "RS512") {
    return InvalidArgumentError("{}: alg must be RS256, RS384 or RS512, got {}", what, alg.dump());
  }
  if (d2 + 1 >= jws.size()) return InvalidArgumentError("{}: the JWS has no signature", what);
  json payload = json::parse(payload_text, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) {
    return InvalidArgumentError("{}: the JWS payload is not a JSON statement", what);
  }
  if (payload.contains("id") && statement.contains("id") &&
      xapi_http::NormalizeUuid(payload["id"].get<std::string>()) !=
          xapi_http::NormalizeUuid(statement["id"].get<std::string>())) {
    return InvalidArgumentError("{}: the signed statement has a different id", what);
  }
  if (Signed(payload) != Signed(statement)) {
    return InvalidArgumentError("{}: the signed payload does not match the statement", what);
  }
  return OkStatus();
}

Result<StoredBatch> StoreStatements(Store& store, StatementBatch& batch,
                                    const xapi::XapiMapping& mapping, const Clock& clock) {
  XapiStore* lrs = store.xapi();
  if (lrs == nullptr) {
    return UnavailableError(
        "this database backend has no xAPI learning record store yet (use SQLite)");
  }
  // 1. Validate everything before touching the store.
  std::set<std::string> used_payloads;
  std::set<std::string> batch_ids;
  for (std::size_t i = 0; i < batch.statements.size(); ++i) {
    json& s = batch.statements[i];
    const std::string path = Path(batch, i);
    PW_RETURN_IF_ERROR(xapi::ValidateStatement(s, path));
    if (s.contains("id")) {
      if (!batch_ids.insert(xapi_http::NormalizeUuid(s["id"].get<std::string>())).second) {
        return InvalidArgumentError("{}.id: {} appears twice in the request", path,
                                    s["id"].get<std::string>());
      }
    }
    if (s.contains("attachments")) {
      const json& atts = s["attachments"];
      for (std::size_t a = 0; a < atts.size(); ++a) {
        const std::string sha = atts[a]["sha2"].get<std::string>();
        const std::string apath = path + ".attachments[" + std::to_string(a) + "]";
        auto payload = batch.payloads.find(sha);
        if (atts[a]["usageType"] == xapi::kSignatureUsageType) {
          if (atts[a]["contentType"] != "application/octet-stream") {
            return InvalidArgumentError(
                "{}.contentType: a signature must be application/octet-stream", apath);
          }
          if (payload == batch.payloads.end()) {
            return InvalidArgumentError("{}: the signature's JWS was not sent", apath);
          }
          PW_RETURN_IF_ERROR(CheckSignature(s, payload->second, path));
        }
        if (payload != batch.payloads.end()) {
          used_payloads.insert(sha);
        } else if (!atts[a].contains("fileUrl")) {
          return InvalidArgumentError(
              "{}: no fileUrl and no part with X-Experience-API-Hash {} was sent", apath, sha);
        }
      }
    }
  }
  for (const auto& [sha, body] : batch.payloads) {
    (void)body;
    if (!used_payloads.contains(sha)) {
      return InvalidArgumentError("attachment part with hash {}: no statement names it", sha);
    }
  }
  // 2. Complete and prepare them (ingest/xapi_prepare.h), then store.
  const xapi::StatementCompletion completion =
      xapi::MakeCompletion(clock.Now(), batch.authority, xapi_http::NewUuid);
  std::vector<xapi::PreparedStatement> prepared;
  prepared.reserve(batch.statements.size());
  // Packed before the transaction, as the bulk path packs (Packer may train a dictionary).
  PW_ASSIGN_OR_RETURN(std::shared_ptr<const XapiPacker> packer, lrs->Packer());
  for (const json& s : batch.statements) {
    prepared.push_back(xapi::PrepareStatement(s, completion));
    if (packer) prepared.back().row.packed_json = packer->Pack(prepared.back().row.json);
  }
  // The attachments' content types, by hash.
  std::map<std::string, std::string> content_types;
  for (const json& s : batch.statements) {
    if (!s.contains("attachments")) continue;
    for (const json& a : s["attachments"]) {
      content_types[a["sha2"].get<std::string>()] = a["contentType"].get<std::string>();
    }
  }
  bool handed = false;
  const PreparedChunks all = [&]() -> Result<std::span<xapi::PreparedStatement>> {
    if (handed) return std::span<xapi::PreparedStatement>();
    handed = true;
    return std::span<xapi::PreparedStatement>(prepared);
  };
  return StorePrepared(store, all, batch.is_batch, batch.payloads, content_types, mapping);
}

std::size_t WaitingStatementRequests(Store& store) {
  WriteGroup* group = WriteGroup::Of(store);
  return group == nullptr ? 0 : group->Waiting();
}

StatementWriterTotals StatementWriterTotalsOf(Store& store) {
  WriteGroup* group = WriteGroup::Of(store);
  return group == nullptr ? StatementWriterTotals{} : group->Totals();
}

Result<std::optional<StoredBatch>> StoreStatementsText(Store& store, std::string_view text,
                                                       const json& authority,
                                                       const xapi::XapiMapping& mapping,
                                                       const Clock& clock) {
  if (store.xapi() == nullptr) return std::optional<StoredBatch>();  // the slow path says why
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
    return std::optional<StoredBatch>();
  }
  std::vector<simdjson::dom::element> statements;
  const bool is_batch = root.type() == simdjson::dom::element_type::ARRAY;
  simdjson::dom::array array;
  if (is_batch && root.get(array) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : array) statements.push_back(e);
  } else {
    statements.push_back(root);
  }
  const xapi::StatementCompletion completion =
      xapi::MakeCompletion(clock.Now(), authority, xapi_http::NewUuid);
  const std::size_t n = statements.size();
  std::vector<xapi::PreparedStatement> prepared(n);
  PW_ASSIGN_OR_RETURN(std::shared_ptr<const XapiPacker> packer, store.xapi()->Packer());
  // Validation, preparation and packing read only the JSON. A big batch is cut into chunks
  // that a helper thread and the writer prepare, and the writer stores each chunk, in order, as
  // soon as it is ready: the writer's work overlaps with the preparation of later chunks
  // instead of waiting for all of it. Any statement this path does not take (invalid, with
  // attachments, an id repeated in the request) stops the request, rolls back what the writer
  // wrote, and the caller takes StoreStatements, which names the problem.
  constexpr std::size_t kChunk = 64;
  constexpr std::size_t kHelperFrom = 256;
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<std::atomic<bool>> ready(chunks);
  std::atomic<std::size_t> claim = 0;
  std::atomic<bool> ok = true;
  // Prepares one unclaimed chunk; false when none is left.
  auto prepare_one = [&]() -> bool {
    const std::size_t c = claim.fetch_add(1);
    if (c >= chunks) return false;
    for (std::size_t i = c * kChunk; i < std::min(n, (c + 1) * kChunk) && ok; ++i) {
      const json_view::SView s(statements[i]);
      if (!xapi::IsValidStatement(s) || s.contains("attachments")) {
        ok = false;
        break;
      }
      prepared[i] = xapi::PrepareStatement(s, completion);
      if (packer) prepared[i].row.packed_json = packer->Pack(prepared[i].row.json);
    }
    ready[c].store(true, std::memory_order_release);
    ready[c].notify_all();
    return true;
  };
  std::shared_ptr<Helpers::Job> job;
  if (n >= kHelperFrom && Helpers::Get().enabled()) {
    job = std::make_shared<Helpers::Job>();
    job->run = [&] {
      while (!Helpers::Get().Yield()) {
        if (!prepare_one()) return true;
      }
      return false;
    };
    Helpers::Get().Submit(job);
  }
  struct Finish {
    std::shared_ptr<Helpers::Job>& job;
    std::atomic<bool>& ok;
    ~Finish() {
      if (job) {
        ok = false;  // stops the helper early when the writer gave up
        Helpers::Finish(*job);
      }
    }
  } finish{job, ok};
  // Copies: the writer moves each row (and its id) out of `prepared` as it stores it.
  std::unordered_set<std::string> ids;
  ids.reserve(n);
  bool fallback = false;
  // Whether this path takes prepared[from, to) (valid, each id new in the request); when not,
  // the request falls back and the slow path names the problem.
  auto takes = [&](std::size_t from, std::size_t to) -> Status {
    for (std::size_t i = from; i < to && ok; ++i) {
      if (!ids.insert(prepared[i].row.id).second) ok = false;  // a 400 to name
    }
    if (ok) return OkStatus();
    fallback = true;
    return FailedPreconditionError("the bulk path does not take this request");
  };
  std::size_t next_chunk = 0;
  const PreparedChunks chunk = [&]() -> Result<std::span<xapi::PreparedStatement>> {
    if (next_chunk == chunks) return std::span<xapi::PreparedStatement>();
    const std::size_t c = next_chunk++;
    // While the chunk the writer needs is still being prepared, prepare later ones too.
    while (!ready[c].load(std::memory_order_acquire)) {
      if (!prepare_one()) ready[c].wait(false, std::memory_order_acquire);
    }
    const std::size_t from = c * kChunk, to = std::min(n, (c + 1) * kChunk);
    PW_RETURN_IF_ERROR(takes(from, to));
    return std::span<xapi::PreparedStatement>(prepared.data() + from, to - from);
  };
  WriteGroup* group = WriteGroup::Of(store);
  PendingWrite own;
  own.all = prepared;
  own.is_batch = is_batch;
  own.mapping = &mapping;
  Result<StoredBatch> out = [&]() -> Result<StoredBatch> {
    if (group == nullptr) return StorePrepared(store, chunk, is_batch, {}, {}, mapping);
    if (group->TryLead()) {
      // Nobody is writing: write now, each chunk as soon as it is ready.
      if (job) Helpers::Get().Hurry(job);  // the writer waits for its chunks first
      own.stream = chunk;
      return group->Lead(store, own);
    }
    // Another request is writing: have everything prepared first (by the helper threads, which
    // leave the writer its core; here when there are none), then queue to be stored in that
    // request's transaction or the next.
    if (!job) {
      while (prepare_one()) {
      }
    }
    for (std::size_t c = 0; c < chunks && ok; ++c) ready[c].wait(false, std::memory_order_acquire);
    PW_RETURN_IF_ERROR(takes(0, n));
    return group->Join(store, own);
  }();
  if (fallback) return std::optional<StoredBatch>();
  PW_RETURN_IF_ERROR(out.status());
  return std::optional<StoredBatch>(std::move(out).value());
}

}  // namespace pw::server
