// The SQLite implementation of XapiStore (store/xapi_store.h), sharing the SqliteStore's
// connection and transactions. Tables: migrations 3, 7, 8 and 9 in migrations.cc; packed
// statement JSON: xapi_packing.h.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_util.h"
#include "store/sqlite/xapi_packing.h"
#include "store/xapi_store.h"

namespace pw {
namespace {

using sqlite::OptText;
using sqlite::Ref;
using sqlite::Stmt;

constexpr char kRowColumns[] =
    "seq, id, json, stored_ms, voided, evidence_count, unmapped_reason, evidence_first";
constexpr char kRowColumnsS[] =
    "s.seq, s.id, s.json, s.stored_ms, s.voided, s.evidence_count, s.unmapped_reason, "
    "s.evidence_first";

// A dictionary is trained once this many statements are stored, from the newest of them.
constexpr std::int64_t kTrainAfter = 1000;

// The xapi_keys ids a connection has seen, by kind and value: open addressing over one array of
// (hash, id, where the key's bytes are) and the keys' bytes in one buffer. The writer looks up
// five or six keys a statement; with std::unordered_map<std::string> each look-up chased a
// bucket, a node and the node's string through memory that the page cache keeps evicting
// (perf: a fifth of InsertStatements' time, in the loads).
class KeyIds {
 public:
  // The id of `kind`:`value`, 0 when it is not cached.
  std::int64_t Find(char kind, std::string_view value) const {
    if (slots_.empty()) return 0;
    const std::uint64_t hash = Hash(kind, value);
    for (std::size_t i = hash & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& slot = slots_[i];
      if (slot.id == 0) return 0;
      if (slot.hash == hash && slot.length == value.size() + 1 && bytes_[slot.at] == kind &&
          std::memcmp(bytes_.data() + slot.at + 1, value.data(), value.size()) == 0) {
        return slot.id;
      }
    }
  }

  // Adds `kind`:`value` (not cached yet) with `id` (> 0).
  void Add(char kind, std::string_view value, std::int64_t id) {
    if (bytes_.size() + value.size() + 1 > std::numeric_limits<std::uint32_t>::max()) Clear();
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    Slot slot{Hash(kind, value), id, static_cast<std::uint32_t>(bytes_.size()),
              static_cast<std::uint32_t>(value.size() + 1)};
    bytes_.push_back(kind);
    bytes_.append(value);
    Place(slot);
    ++size_;
  }

  void Clear() {
    slots_.clear();
    bytes_.clear();
    size_ = 0;
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::int64_t id = 0;  // 0: empty
    std::uint32_t at = 0, length = 0;
  };

  static std::uint64_t Hash(char kind, std::string_view value) {
    return std::hash<std::string_view>{}(value) ^
           (static_cast<std::uint64_t>(static_cast<unsigned char>(kind)) * 0x9e3779b97f4a7c15ull);
  }

  void Place(const Slot& slot) {
    std::size_t i = slot.hash & (slots_.size() - 1);
    while (slots_[i].id != 0) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = slot;
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<std::size_t>(1024, old.size() * 2), Slot{});
    for (const Slot& slot : old) {
      if (slot.id != 0) Place(slot);
    }
  }

  std::vector<Slot> slots_;  // a power of two long, at most half full
  std::string bytes_;        // each key's kind, then its value
  std::size_t size_ = 0;
};

class SqliteXapi final : public XapiStore {
 public:
  SqliteXapi(Store& store, sqlite::SqliteDb& db)
      : store_(store),
        db_(db),
        unpacker_([this](std::uint32_t id) { return LoadDictionary(id); }) {}

  Result<std::shared_ptr<const XapiPacker>> Packer() override {
    if (packer_) return std::shared_ptr<const XapiPacker>(packer_);
    {
      PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT id, dictionary FROM xapi_dictionaries "
                                               "ORDER BY trained_ms DESC, id DESC LIMIT 1"));
      PW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (row) {
        PW_ASSIGN_OR_RETURN(packer_, sqlite::ZstdPacker::Create(
                                         {static_cast<std::uint32_t>(st.Int(0)), Blob(st, 1)}));
        return std::shared_ptr<const XapiPacker>(packer_);
      }
    }
    PW_ASSIGN_OR_RETURN(std::int64_t last, LastSeq());
    if (last < std::max(kTrainAfter, next_training_)) return std::shared_ptr<const XapiPacker>();
    // One connection of the process trains a file's dictionary; the others store text until
    // they find it stored (four senders at once all trained, each for itself, before).
    sqlite::TrainingClaim claim(WriteGroup());
    if (!claim.ok()) return std::shared_ptr<const XapiPacker>();
    // Train on the newest statements stored as text.
    std::vector<std::string> samples;
    {
      PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT json FROM xapi_statements WHERE "
                                               "typeof(json) = 'text' ORDER BY seq DESC LIMIT ?"));
      st.Bind(kTrainAfter);
      while (true) {
        PW_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        samples.push_back(st.Text(0));
      }
    }
    Result<sqlite::XapiDictionary> dict = sqlite::TrainXapiDictionary(samples);
    if (!dict.ok()) {
      // Too little to learn from yet: keep the text and try again later.
      next_training_ = last + kTrainAfter;
      return std::shared_ptr<const XapiPacker>();
    }
    PW_ASSIGN_OR_RETURN(packer_, sqlite::ZstdPacker::Create(*dict));
    const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    Status stored = store_.Transaction([&]() -> Status {
      PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("INSERT OR IGNORE INTO xapi_dictionaries(id, "
                                               "dictionary, samples, trained_ms) VALUES "
                                               "(?, ?, ?, ?)"));
      st.BindOne(1, static_cast<std::int64_t>(dict->id));
      sqlite3_bind_blob(st.handle(), 2, dict->bytes.data(), static_cast<int>(dict->bytes.size()),
                        SQLITE_TRANSIENT);
      st.BindOne(3, static_cast<std::int64_t>(samples.size()));
      st.BindOne(4, now_ms);
      return st.Run();
    });
    if (!stored.ok()) {
      packer_.reset();
      return stored;
    }
    return std::shared_ptr<const XapiPacker>(packer_);
  }

  std::string WriteGroup() const override {
    // The file's full path; "" for an in-memory or temporary database (not shared).
    const char* file = sqlite3_db_filename(db_.handle(), "main");
    return file == nullptr ? std::string() : std::string(file);
  }

  // Statement rows go in kRowsAStatement at a time, one multi-row INSERT OR IGNORE each:
  // SQLite opens and closes the table's and its eight indexes' cursors once for the lot instead
  // of once a row (a stand-alone copy of the table: 5.8 us a row one at a time, 3.4 us 64 at a
  // time). OR IGNORE, not an upsert: an upsert may abort midway, and a multi-row statement that
  // may abort keeps a statement journal, a copy of every page it first touches (11 us a row).
  static constexpr std::size_t kRowsAStatement = 64;

  Status InsertStatementRows(std::span<XapiStatementRow* const> rows) override {
    return store_.Transaction([&]() -> Status {
      // The related (key, seq) pairs, written after the statements as runs (InsertRelated).
      std::vector<std::pair<std::int64_t, std::int64_t>> related_rows;  // (key, seq)
      auto related = [&](char kind, const std::string& value, std::int64_t seq) -> Status {
        PW_ASSIGN_OR_RETURN(std::int64_t key, Key(kind, value, true));
        related_rows.emplace_back(key, seq);
        return OkStatus();
      };
      std::int64_t last = 0;
      struct Keys {
        std::int64_t actor, object_agent, verb, activity, registration;
      };
      std::vector<Keys> keys;
      for (std::size_t from = 0; from < rows.size(); from += kRowsAStatement) {
        const std::span<XapiStatementRow* const> part =
            rows.subspan(from, std::min(kRowsAStatement, rows.size() - from));
        keys.clear();
        for (const XapiStatementRow* r : part) {
          Keys& k = keys.emplace_back();
          PW_ASSIGN_OR_RETURN(k.actor, Key('A', r->actor_key, true));
          PW_ASSIGN_OR_RETURN(k.object_agent, Key('A', r->object_agent_key, true));
          PW_ASSIGN_OR_RETURN(k.verb, Key('V', r->verb_id, true));
          PW_ASSIGN_OR_RETURN(k.activity, Key('O', r->object_activity, true));
          PW_ASSIGN_OR_RETURN(k.registration, Key('R', r->registration, true));
        }
        PW_ASSIGN_OR_RETURN(Stmt ins, db_.Prepare(InsertRowsSql(part.size())));
        for (std::size_t i = 0; i < part.size(); ++i) {
          const XapiStatementRow& r = *part[i];
          const Keys& k = keys[i];
          const int at = static_cast<int>(i) * 12;
          // The tail's keys are negated: no index entry until IndexTail (migration 12).
          BindUuid(ins, at + 1, r.id);
          ins.BindOne(at + 2, r.stored.millis);
          ins.BindOne(at + 3, Ref{-k.actor});
          ins.BindOne(at + 4, Ref{k.object_agent});
          ins.BindOne(at + 5, k.verb);
          ins.BindOne(at + 6, Ref{-k.activity});
          ins.BindOne(at + 7, Ref{-k.registration});
          if (r.object_ref.empty()) {
            ins.BindOne(at + 8, sqlite::Null{});
          } else {
            BindUuid(ins, at + 8, r.object_ref);
          }
          ins.BindOne(at + 9, r.evidence_count);
          ins.BindOne(at + 10, OptText{r.unmapped_reason});
          if (r.packed_json.empty()) {
            ins.BindOne(at + 11, r.json);
          } else {
            sqlite3_bind_blob(ins.handle(), at + 11, r.packed_json.data(),
                              static_cast<int>(r.packed_json.size()), SQLITE_STATIC);
          }
          ins.BindOne(at + 12, Ref{r.evidence_count > 0 ? r.evidence_first : kNoId});
        }
        PW_RETURN_IF_ERROR(ins.Run());
        const auto inserted = static_cast<std::int64_t>(db_.Changes());
        const std::int64_t last_inserted = db_.LastInsertId();
        ins = Stmt();  // back to the cache before the look-ups below
        if (inserted == static_cast<std::int64_t>(part.size())) {
          // All new: consecutive seqs in row order (the largest seq + 1 each).
          for (std::size_t i = 0; i < part.size(); ++i) {
            part[i]->seq = last_inserted - inserted + 1 + static_cast<std::int64_t>(i);
          }
        } else {
          PW_RETURN_IF_ERROR(FindInsertedSeqs(
              part, inserted == 0 ? std::nullopt
                                  : std::optional<std::int64_t>(last_inserted - inserted)));
        }
        for (XapiStatementRow* row : part) {
          XapiStatementRow& r = *row;
          if (r.seq == 0) continue;  // the id is stored already
          last = r.seq;
          // The actor, object agent and object activity are the row's own columns; queries
          // look there first (QueryStatements).
          for (const std::string& a : r.related_agents) {
            if (a == r.actor_key || a == r.object_agent_key) continue;
            PW_RETURN_IF_ERROR(related('A', a, r.seq));
          }
          for (const std::string& a : r.related_activities) {
            if (a == r.object_activity) continue;
            PW_RETURN_IF_ERROR(related('O', a, r.seq));
          }
        }
      }
      PW_RETURN_IF_ERROR(InsertRelated(related_rows));
      if (last == 0) return OkStatus();
      PW_ASSIGN_OR_RETURN(std::int64_t through, IndexedThrough());
      if (last - through < kIndexTailRows) return OkStatus();
      return IndexTail(through, last);
    });
  }

  // "INSERT OR IGNORE INTO xapi_statements(...) VALUES (...), ..." for `n` rows (1 to
  // kRowsAStatement).
  static const std::string& InsertRowsSql(std::size_t n) {
    static const sqlite::MultiRowInsert kSql(
        "INSERT OR IGNORE INTO xapi_statements(id, stored_ms, actor, object_agent, verb, "
        "activity, registration, object_ref, evidence_count, unmapped_reason, json, "
        "evidence_first)",
        12, kRowsAStatement);
    return kSql.For(n);
  }

  // After a multi-row INSERT OR IGNORE that left some of `part` out (their ids were stored
  // already, or came twice): each row's seq, 0 for one left out. The rows it inserted are the
  // ones stored after `before` (nullopt: none was); a repeated id counts for its first row.
  Status FindInsertedSeqs(std::span<XapiStatementRow* const> part,
                          std::optional<std::int64_t> before) {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT seq FROM xapi_statements WHERE id = ?"));
    std::unordered_set<std::int64_t> taken;
    for (XapiStatementRow* r : part) {
      r->seq = 0;
      if (!before) continue;
      st.Reset();
      BindUuid(st, 1, r->id);
      PW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return InternalError("xAPI statement {} was neither stored nor found", r->id);
      const std::int64_t seq = st.Int(0);
      if (seq > *before && taken.insert(seq).second) r->seq = seq;
    }
    return OkStatus();
  }

  // Writes (key, seq) pairs into xapi_related as runs: each key's consecutive statements
  // [first_seq, last_seq] one row (migration 16). The seqs are new, so no run overlaps a stored
  // one.
  Status InsertRelated(std::vector<std::pair<std::int64_t, std::int64_t>>& pairs) {
    if (pairs.empty()) return OkStatus();
    std::sort(pairs.begin(), pairs.end());
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("INSERT INTO xapi_related(key, first_seq, "
                                             "last_seq) VALUES (?, ?, ?)"));
    for (std::size_t i = 0; i < pairs.size();) {
      std::size_t j = i + 1;
      while (j < pairs.size() && pairs[j].first == pairs[i].first &&
             pairs[j].second <= pairs[j - 1].second + 1) {
        ++j;
      }
      st.Reset();
      st.Bind(pairs[i].first, pairs[i].second, pairs[j - 1].second);
      PW_RETURN_IF_ERROR(st.Run());
      i = j;
    }
    return OkStatus();
  }

  Status IndexStatements() override {
    return store_.Transaction([&]() -> Status {
      PW_ASSIGN_OR_RETURN(std::int64_t through, IndexedThrough());
      PW_ASSIGN_OR_RETURN(std::int64_t last, LastSeq());
      return last > through ? IndexTail(through, last) : OkStatus();
    });
  }

  // Forgets every cached key id and the packer (after a rollback: the ids and the dictionary
  // it created are gone again).
  void ForgetKeys() {
    keys_.Clear();
    packer_.reset();
    next_training_ = 0;
  }

  Result<std::optional<XapiStatementRow>> GetStatement(std::string_view id) override {
    PW_ASSIGN_OR_RETURN(
        Stmt st, db_.Prepare(fmt::format("SELECT {} FROM xapi_statements WHERE id = ?", kRowColumns)));
    BindUuid(st, 1, id);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<XapiStatementRow>();
    PW_ASSIGN_OR_RETURN(XapiStatementRow r, ReadRow(st));
    return std::optional<XapiStatementRow>(std::move(r));
  }

  Status MarkVoided(std::string_view id) override {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("UPDATE xapi_statements SET voided = 1 WHERE id = ?"));
    BindUuid(st, 1, id);
    return st.Run();
  }

  Status SetEvidenceFirst(std::span<const std::pair<std::int64_t, Id>> rows) override {
    return store_.Transaction([&]() -> Status {
      PW_ASSIGN_OR_RETURN(Stmt st,
                          db_.Prepare("UPDATE xapi_statements SET evidence_first = ? WHERE seq = ?"));
      for (const auto& [seq, first] : rows) {
        st.Reset();
        st.Bind(first, seq);
        PW_RETURN_IF_ERROR(st.Run());
      }
      return OkStatus();
    });
  }

  Result<Id> NextEvidenceId() override {
    // INTEGER PRIMARY KEY without AUTOINCREMENT: a new row gets the largest id + 1.
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT coalesce(max(id), 0) + 1 FROM evidence"));
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : Id{1};
  }

  // The statements related to the key bound to its "?": its runs (InsertRelated) expanded.
  static constexpr std::string_view kRelatedSeqs =
      "(WITH RECURSIVE related_seq(seq, last_seq) AS (SELECT first_seq, last_seq FROM "
      "xapi_related WHERE key = ? UNION ALL SELECT seq + 1, last_seq FROM related_seq WHERE seq "
      "< last_seq) SELECT seq FROM related_seq)";

  Result<XapiStatementPage> QueryStatements(const XapiStatementQuery& q) override {
    PW_RETURN_IF_ERROR(store_util::CheckPage(PageRequest{.after = 0, .limit = q.limit}));
    using Arg = std::variant<std::int64_t, std::string>;
    // The agent/verb/activity/registration condition, on the table alias that replaces "$.",
    // in two forms with the same arguments: `match` for indexed statements (the keys' partial
    // indexes apply) and `match_tail` for any statement, the tail included (keys negated).
    std::vector<Arg> match_args;
    std::string match, match_tail;
    auto add = [&](const std::string& indexed, const std::string& tail) {
      match += (match.empty() ? "" : " AND ") + indexed;
      match_tail += (match_tail.empty() ? "" : " AND ") + tail;
    };
    // An agent, verb, activity or registration never stored matches nothing.
    auto key = [&](char kind, const std::string& value) -> Result<std::int64_t> {
      return Key(kind, value, false);
    };
    if (q.agent_key) {
      PW_ASSIGN_OR_RETURN(std::int64_t k, key('A', *q.agent_key));
      if (k == 0) return XapiStatementPage{};
      const std::string related =
          q.related_agents ? " OR $.seq IN " + std::string(kRelatedSeqs) : "";
      add("(($.actor = ? AND $.actor > 0) OR $.object_agent = ?" + related + ")",
          "(abs($.actor) = ? OR $.object_agent = ?" + related + ")");
      match_args.insert(match_args.end(), {k, k});
      if (q.related_agents) match_args.emplace_back(k);
    }
    if (q.verb_id) {
      PW_ASSIGN_OR_RETURN(std::int64_t k, key('V', *q.verb_id));
      if (k == 0) return XapiStatementPage{};
      add("$.verb = ?", "$.verb = ?");
      match_args.emplace_back(k);
    }
    if (q.activity_id) {
      PW_ASSIGN_OR_RETURN(std::int64_t k, key('O', *q.activity_id));
      if (k == 0) return XapiStatementPage{};
      const std::string related =
          q.related_activities ? " OR $.seq IN " + std::string(kRelatedSeqs) : "";
      add("(($.activity = ? AND $.activity > 0)" + related + ")",
          "(abs($.activity) = ?" + related + ")");
      match_args.emplace_back(k);
      if (q.related_activities) match_args.emplace_back(k);
    }
    if (q.registration) {
      PW_ASSIGN_OR_RETURN(std::int64_t k, key('R', *q.registration));
      if (k == 0) return XapiStatementPage{};
      add("($.registration = ? AND $.registration > 0)", "abs($.registration) = ?");
      match_args.emplace_back(k);
    }
    // Time, order and page conditions on the returned row `s`.
    std::vector<Arg> page_args;
    std::string page = "s.voided = 0";
    if (q.since) {
      page += " AND s.stored_ms > ?";
      page_args.emplace_back(q.since->millis);
    }
    if (q.until) {
      page += " AND s.stored_ms <= ?";
      page_args.emplace_back(q.until->millis);
    }
    if (q.cursor) {
      page += q.ascending ? " AND s.seq > ?" : " AND s.seq < ?";
      page_args.emplace_back(*q.cursor);
    }
    if (q.max_seq) {
      page += " AND s.seq <= ?";
      page_args.emplace_back(*q.max_seq);
    }
    const char* order = q.ascending ? "ASC" : "DESC";
    std::vector<XapiStatementRow> rows;
    auto run = [&](const std::string& sql, const std::vector<Arg>& first,
                   const std::vector<Arg>& second) -> Status {
      PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare(sql));
      int i = 1;
      for (const auto* args : {&first, &second}) {
        for (const Arg& a : *args) std::visit([&](const auto& v) { st.BindOne(i++, v); }, a);
      }
      while (true) {
        PW_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        PW_ASSIGN_OR_RETURN(XapiStatementRow r, ReadRow(st));
        rows.push_back(std::move(r));
      }
      return OkStatus();
    };
    auto on = [](std::string cond, char alias) {
      for (char& c : cond) {
        if (c == '$') c = alias;
      }
      return cond;
    };
    if (match.empty()) {
      PW_RETURN_IF_ERROR(run(fmt::format("SELECT {} FROM xapi_statements s WHERE {} ORDER BY "
                                         "s.seq {} LIMIT {}",
                                         kRowColumnsS, page, order, q.limit + 1),
                             page_args, {}));
    } else {
      // The indexed statements through the keys' indexes, the tail by seq (NOT INDEXED: it is
      // at most kIndexTailRows statements, fewer than a verb's index range would visit). Each
      // part twice: the matching statements s themselves, and the statements s referring to a
      // matching statement t (StatementRef objects, voids included), t found the same way (a
      // condition on t that no index answers would make SQLite scan every statement s).
      PW_ASSIGN_OR_RETURN(const std::int64_t through, IndexedThrough());
      struct Part {
        const char* seq_op;
        const std::string& cond;
        const char* access;
      };
      for (const Part& part : {Part{"<=", match, ""}, Part{">", match_tail, " NOT INDEXED"}}) {
        PW_RETURN_IF_ERROR(run(fmt::format("SELECT {} FROM xapi_statements s{} WHERE {} AND "
                                           "s.seq {} {} AND {} ORDER BY s.seq {} LIMIT {}",
                                           kRowColumnsS, part.access, page, part.seq_op, through,
                                           on(part.cond, 's'), order, q.limit + 1),
                               page_args, match_args));
        PW_RETURN_IF_ERROR(run(fmt::format("SELECT {} FROM xapi_statements s JOIN xapi_statements "
                                           "t{} ON t.id = s.object_ref WHERE s.object_ref IS NOT "
                                           "NULL AND {} AND t.seq {} {} AND {} ORDER BY s.seq {} "
                                           "LIMIT {}",
                                           kRowColumnsS, part.access, page, part.seq_op, through,
                                           on(part.cond, 't'), order, q.limit + 1),
                               page_args, match_args));
      }
      std::sort(rows.begin(), rows.end(), [&](const XapiStatementRow& a, const XapiStatementRow& b) {
        return q.ascending ? a.seq < b.seq : a.seq > b.seq;
      });
      rows.erase(std::unique(rows.begin(), rows.end(),
                             [](const XapiStatementRow& a, const XapiStatementRow& b) {
                               return a.seq == b.seq;
                             }),
                 rows.end());
    }
    XapiStatementPage out;
    if (static_cast<int>(rows.size()) > q.limit) {
      rows.resize(static_cast<std::size_t>(q.limit));
      out.next_cursor = rows.back().seq;
    }
    out.rows = std::move(rows);
    return out;
  }

  Result<std::int64_t> LastSeq() override {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT coalesce(max(seq), 0) FROM xapi_statements"));
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : 0;
  }

  Result<std::vector<XapiStatementRow>> ListUnmapped(int limit) override {
    PW_ASSIGN_OR_RETURN(
        Stmt st, db_.Prepare(fmt::format("SELECT {} FROM xapi_statements WHERE evidence_count = 0 "
                                         "ORDER BY seq DESC LIMIT ?",
                                         kRowColumns)));
    st.Bind(limit);
    std::vector<XapiStatementRow> out;
    while (true) {
      PW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      PW_ASSIGN_OR_RETURN(XapiStatementRow r, ReadRow(st));
      out.push_back(std::move(r));
    }
    return out;
  }

  Result<std::int64_t> CountUnmapped() override {
    PW_ASSIGN_OR_RETURN(Stmt st,
                        db_.Prepare("SELECT count(*) FROM xapi_statements WHERE evidence_count = 0"));
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : 0;
  }

  Result<MappingGeneration> GetMappingGeneration() override {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT database_id, generation FROM "
                                             "xapi_mapping_generation"));
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return InternalError("sqlite:{}: xapi_mapping_generation has no row", db_.path());
    return MappingGeneration{st.Int(0), st.Int(1)};
  }

  Result<Id> FindStudentByEmail(std::string_view email) override {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT id FROM people WHERE lower(email) = lower(?) "
                                             "AND role = 'student' ORDER BY id LIMIT 1"));
    st.Bind(email);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : kNoId;
  }

  Status PutAttachment(const XapiAttachment& a) override {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("INSERT OR IGNORE INTO xapi_attachments(sha2, "
                                             "content_type, content) VALUES (?, ?, ?)"));
    st.Bind(a.sha2, a.content_type);
    sqlite3_bind_blob(st.handle(), 3, a.content.data(), static_cast<int>(a.content.size()),
                      SQLITE_TRANSIENT);
    return st.Run();
  }

  Result<std::optional<XapiAttachment>> GetAttachment(std::string_view sha2) override {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT sha2, content_type, content FROM "
                                             "xapi_attachments WHERE sha2 = ?"));
    st.Bind(sha2);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<XapiAttachment>();
    XapiAttachment a;
    a.sha2 = st.Text(0);
    a.content_type = st.Text(1);
    a.content = Blob(st, 2);
    return std::optional<XapiAttachment>(std::move(a));
  }

  Status PutActivityDefinition(std::string_view activity_id, std::string_view json,
                               std::string_view last_object) override {
    return store_.Transaction([&]() -> Status {
      PW_RETURN_IF_ERROR(db_.Run(
          "INSERT INTO xapi_activities(id, definition, last_object) VALUES (?, ?, ?) "
          "ON CONFLICT(id) DO UPDATE SET definition = excluded.definition, "
          "last_object = excluded.last_object",
          activity_id, json, last_object));
      // In the same transaction: whoever kept last objects sees them change (migration 18).
      return db_.Run("UPDATE xapi_mapping_generation SET definitions = definitions + 1");
    });
  }

  Result<std::optional<MappingGeneration>> GetDefinitionsGeneration() override {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT database_id, definitions FROM "
                                             "xapi_mapping_generation"));
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return InternalError("sqlite:{}: xapi_mapping_generation has no row", db_.path());
    return std::optional<MappingGeneration>(MappingGeneration{st.Int(0), st.Int(1)});
  }

  Result<std::unordered_map<std::string, std::string>> GetActivityLastObjects(
      std::span<const std::string> activity_ids) override {
    std::unordered_map<std::string, std::string> out;
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT coalesce(last_object, '') FROM "
                                             "xapi_activities WHERE id = ?"));
    for (const std::string& id : activity_ids) {
      st.Reset();
      st.Bind(id);
      PW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (row) out.emplace(id, st.Text(0));
    }
    return out;
  }

  Result<std::optional<std::string>> GetActivityDefinition(std::string_view activity_id) override {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT definition FROM xapi_activities WHERE id = ?"));
    st.Bind(activity_id);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(st.Text(0));
  }

  Result<std::optional<XapiDocument>> GetDocument(const XapiDocKey& k) override {
    PW_ASSIGN_OR_RETURN(
        Stmt st, db_.Prepare("SELECT content, content_type, etag, updated_ms FROM xapi_documents "
                             "WHERE kind = ? AND activity_id = ? AND agent_key = ? AND "
                             "registration = ? AND doc_id = ?"));
    st.Bind(static_cast<int>(k.kind), k.activity_id, k.agent_key, k.registration, k.doc_id);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<XapiDocument>();
    XapiDocument d;
    d.content = Blob(st, 0);
    d.content_type = st.Text(1);
    d.etag = st.Text(2);
    d.updated = Timestamp{st.Int(3)};
    return std::optional<XapiDocument>(std::move(d));
  }

  Status PutDocument(const XapiDocKey& k, const XapiDocument& d) override {
    PW_ASSIGN_OR_RETURN(
        Stmt st,
        db_.Prepare("INSERT INTO xapi_documents(kind, activity_id, agent_key, registration, doc_id, "
                    "content, content_type, etag, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(kind, activity_id, agent_key, registration, doc_id) DO UPDATE SET "
                    "content = excluded.content, content_type = excluded.content_type, "
                    "etag = excluded.etag, updated_ms = excluded.updated_ms"));
    st.Bind(static_cast<int>(k.kind), k.activity_id, k.agent_key, k.registration, k.doc_id);
    sqlite3_bind_blob(st.handle(), 6, d.content.data(), static_cast<int>(d.content.size()),
                      SQLITE_TRANSIENT);
    st.BindOne(7, d.content_type);
    st.BindOne(8, d.etag);
    st.BindOne(9, d.updated.millis);
    return st.Run();
  }

  Status DeleteDocuments(const XapiDocKey& k) override {
    if (!k.doc_id.empty()) {
      return db_.Run(
          "DELETE FROM xapi_documents WHERE kind = ? AND activity_id = ? AND agent_key = ? AND "
          "registration = ? AND doc_id = ?",
          static_cast<int>(k.kind), k.activity_id, k.agent_key, k.registration, k.doc_id);
    }
    return db_.Run(
        "DELETE FROM xapi_documents WHERE kind = ? AND activity_id = ? AND agent_key = ? AND "
        "registration = ?",
        static_cast<int>(k.kind), k.activity_id, k.agent_key, k.registration);
  }

  Result<std::vector<std::string>> ListDocumentIds(const XapiDocKey& k,
                                                   std::optional<Timestamp> since) override {
    PW_ASSIGN_OR_RETURN(
        Stmt st, db_.Prepare("SELECT doc_id FROM xapi_documents WHERE kind = ? AND activity_id = ? "
                             "AND agent_key = ? AND registration = ? AND updated_ms > ? "
                             "ORDER BY doc_id"));
    st.Bind(static_cast<int>(k.kind), k.activity_id, k.agent_key, k.registration,
            since ? since->millis : std::numeric_limits<std::int64_t>::min());
    std::vector<std::string> out;
    while (true) {
      PW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back(st.Text(0));
    }
    return out;
  }

 private:
  // The statements after this seq are the tail: their keys are stored negated and have no index
  // entries yet (migration 12).
  Result<std::int64_t> IndexedThrough() {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT indexed_through FROM xapi_index_tail"));
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return InternalError("sqlite:{}: xapi_index_tail has no row", db_.path());
    return st.Int(0);
  }

  // Writes the index entries of the statements in (through, last]: one pass over those rows in
  // seq order, so each index page is written once for all of them rather than once per batch.
  Status IndexTail(std::int64_t through, std::int64_t last) {
    PW_RETURN_IF_ERROR(db_.Run("UPDATE xapi_statements SET actor = abs(actor), "
                               "activity = abs(activity), registration = abs(registration) "
                               "WHERE seq > ? AND seq <= ?",
                               through, last));
    return db_.Run("UPDATE xapi_index_tail SET indexed_through = ?", last);
  }

  // A statement row (kRowColumns); the JSON unpacked when it is stored packed.
  Result<XapiStatementRow> ReadRow(const Stmt& st) {
    XapiStatementRow r;
    r.seq = st.Int(0);
    if (sqlite3_column_type(st.handle(), 1) == SQLITE_BLOB &&
        sqlite3_column_bytes(st.handle(), 1) == 16) {
      r.id = sqlite::UuidText(Blob(st, 1));
    } else {
      r.id = st.Text(1);
    }
    if (sqlite3_column_type(st.handle(), 2) == SQLITE_BLOB) {
      PW_ASSIGN_OR_RETURN(r.json, unpacker_.Unpack(Blob(st, 2), "xAPI statement " + r.id));
    } else {
      r.json = st.Text(2);
    }
    r.stored = Timestamp{st.Int(3)};
    r.voided = st.Int(4) != 0;
    r.evidence_count = static_cast<int>(st.Int(5));
    r.unmapped_reason = st.Text(6);
    r.evidence_first = st.Int(7);  // NULL reads 0 = kNoId
    return r;
  }

  Result<std::string> LoadDictionary(std::uint32_t id) {
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT dictionary FROM xapi_dictionaries WHERE id = ?"));
    st.BindOne(1, static_cast<std::int64_t>(id));
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return NotFoundError("xAPI dictionary {} is not stored", id);
    return Blob(st, 0);
  }

  // The id of `kind`:`value` in xapi_keys (0 for an empty value). A value not stored yet is
  // added when `create`, else 0. Ids never change once committed, so they are cached per
  // connection; the Store forgets the cache when a transaction rolls back.
  Result<std::int64_t> Key(char kind, const std::string& value, bool create) {
    if (value.empty()) return 0;
    if (const std::int64_t cached = keys_.Find(kind, value); cached != 0) return cached;
    scratch_.assign(1, kind).append(1, ':').append(value);
    PW_ASSIGN_OR_RETURN(Stmt st, db_.Prepare("SELECT id FROM xapi_keys WHERE key = ?"));
    st.Bind(scratch_);
    PW_ASSIGN_OR_RETURN(bool row, st.Step());
    std::int64_t id = row ? st.Int(0) : 0;
    st = Stmt();
    if (id == 0) {
      if (!create) return 0;
      PW_RETURN_IF_ERROR(db_.Run("INSERT INTO xapi_keys(key) VALUES (?)", scratch_));
      id = db_.LastInsertId();
    }
    if (keys_.size() >= kMaxCachedKeys) keys_.Clear();
    keys_.Add(kind, value, id);
    return id;
  }

  // A statement id (or StatementRef target) as stored: its 16 bytes (anything that is not a
  // UUID as text, which then matches nothing stored by this version).
  static void BindUuid(Stmt& st, int i, std::string_view id) {
    std::array<char, 16> bytes;
    if (!sqlite::UuidBytes(id, bytes)) {
      st.BindOne(i, id);
    } else {
      sqlite3_bind_blob(st.handle(), i, bytes.data(), static_cast<int>(bytes.size()),
                        SQLITE_TRANSIENT);
    }
  }

  static std::string Blob(const Stmt& st, int col) {
    const void* p = sqlite3_column_blob(st.handle(), col);
    const int n = sqlite3_column_bytes(st.handle(), col);
    return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
  }

  static constexpr std::size_t kMaxCachedKeys = 1'000'000;

  Store& store_;
  sqlite::SqliteDb& db_;
  KeyIds keys_;
  std::string scratch_;
  std::shared_ptr<const sqlite::ZstdPacker> packer_;  // null until a dictionary exists
  std::int64_t next_training_ = 0;  // after a failed training: not before this seq
  sqlite::ZstdUnpacker unpacker_;
};

}  // namespace

void SqliteStore::ForgetXapiKeys() {
  if (xapi_) static_cast<SqliteXapi*>(xapi_.get())->ForgetKeys();
}

XapiStore* SqliteStore::xapi() {
  if (!xapi_) xapi_ = std::make_unique<SqliteXapi>(*this, *db_);
  return xapi_.get();
}

}  // namespace pw
