// The PostgreSQL implementation of XapiStore (store/xapi_store.h), sharing the PgStore's
// connection and transactions. Tables: migration 7 (kSchemaXapi) in pg_store.cc. The same
// behaviour as the SQLite one (sqlite/sqlite_xapi.cc) in plain form: keys as text, JSON as text,
// every index entry written with its row; the xAPI server tests run over both
// (tests/unit/server/xapi_*_test.cc).
//
// Statement writers take one transaction-level advisory lock, so statements commit in seq order
// as they do under SQLite's single writer: a reader paging by seq (`more`, consistent-through)
// never sees a gap that a slower transaction fills in later.
#ifdef PATHWISE_HAVE_POSTGRES

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/postgres/pg_store.h"
#include "store/postgres/pg_util.h"
#include "store/xapi_store.h"

namespace pw {
namespace {

using pg::OptText;
using pg::Ref;

constexpr char kRowColumnsS[] =
    "s.seq, s.id, s.json, s.stored_ms, s.voided, s.evidence_count, s.unmapped_reason, "
    "s.evidence_first";
// Serializes statement writers (any constant unique to Pathwise; not the migration lock's).
constexpr std::int64_t kStatementLock = 0x7061746877697879;

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

Result<std::string> Unhex(std::string_view hex, std::string_view what) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return InternalError("postgresql: {} is not hex", what);
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return InternalError("postgresql: {} is not hex", what);
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

XapiStatementRow ReadRow(const pqxx::row& r) {
  XapiStatementRow out;
  out.seq = pg::Int(r, 0);
  out.id = pg::Text(r, 1);
  out.json = pg::Text(r, 2);
  out.stored = Timestamp{pg::Int(r, 3)};
  out.voided = !r[4].is_null() && r[4].as<bool>();
  out.evidence_count = static_cast<int>(pg::Int(r, 5));
  out.unmapped_reason = pg::Text(r, 6);
  out.evidence_first = pg::Int(r, 7);  // NULL reads 0 = kNoId
  return out;
}

class PgXapi final : public XapiStore {
 public:
  PgXapi(Store& store, pg::PgDb& db) : store_(store), db_(db) {}

  // Statement JSON is kept as text: PostgreSQL compresses large values itself (TOAST).
  Result<std::shared_ptr<const XapiPacker>> Packer() override {
    return std::shared_ptr<const XapiPacker>();
  }

  // One round trip for the seqs, one for the rows, one for their related rows, however many
  // statements.
  Status InsertStatementRows(std::span<XapiStatementRow* const> rows) override {
    if (rows.empty()) return OkStatus();
    return store_.Transaction([&]() -> Status {
      PW_RETURN_IF_ERROR(db_.Exec("SELECT pg_advisory_xact_lock($1)", kStatementLock).status());
      PW_ASSIGN_OR_RETURN(std::vector<std::int64_t> seqs,
                          pg::NextValues(db_, "xapi_statements_seq_seq", rows.size()));
      pg::Array seq, id, stored, actor, object_agent, verb, activity, registration, object_ref,
          evidence_count, unmapped_reason, json, evidence_first;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const XapiStatementRow& r = *rows[i];
        seq.Add(seqs[i]);
        id.Add(r.id);
        stored.Add(r.stored.millis);
        actor.Add(OptText(r.actor_key));
        object_agent.Add(OptText(r.object_agent_key));
        verb.Add(r.verb_id);
        activity.Add(OptText(r.object_activity));
        registration.Add(OptText(r.registration));
        object_ref.Add(OptText(r.object_ref));
        evidence_count.Add(r.evidence_count);
        unmapped_reason.Add(OptText(r.unmapped_reason));
        json.Add(r.json);
        evidence_first.Add(Ref(r.evidence_count > 0 ? r.evidence_first : kNoId));
      }
      // Rows are inserted in unnest order: of two rows with one id, the first is stored.
      PW_ASSIGN_OR_RETURN(
          pqxx::result inserted,
          db_.Exec("INSERT INTO xapi_statements(seq, id, stored_ms, actor_key, object_agent_key, "
                   "verb_id, object_activity, registration, object_ref, evidence_count, "
                   "unmapped_reason, json, evidence_first) SELECT * FROM unnest($1::BIGINT[], "
                   "$2::TEXT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], "
                   "$8::TEXT[], $9::TEXT[], $10::INTEGER[], $11::TEXT[], $12::TEXT[], "
                   "$13::BIGINT[]) ON CONFLICT (id) DO NOTHING RETURNING seq",
                   seq.str(), id.str(), stored.str(), actor.str(), object_agent.str(), verb.str(),
                   activity.str(), registration.str(), object_ref.str(), evidence_count.str(),
                   unmapped_reason.str(), json.str(), evidence_first.str()));
      std::unordered_set<std::int64_t> stored_seqs;
      for (const pqxx::row& row : inserted) stored_seqs.insert(pg::Int(row, 0));
      pg::Array related_key, related_seq;
      auto related = [&](char kind, const std::string& value, std::int64_t s) {
        related_key.Add(std::string(1, kind) + ":" + value);
        related_seq.Add(s);
      };
      for (std::size_t i = 0; i < rows.size(); ++i) {
        XapiStatementRow& r = *rows[i];
        if (!stored_seqs.contains(seqs[i])) {
          r.seq = 0;  // the id is stored already
          continue;
        }
        r.seq = seqs[i];
        // The actor, object agent and object activity are the row's own columns.
        for (const std::string& a : r.related_agents) {
          if (a != r.actor_key && a != r.object_agent_key) related('A', a, r.seq);
        }
        for (const std::string& a : r.related_activities) {
          if (a != r.object_activity) related('O', a, r.seq);
        }
      }
      if (related_key.size() == 0) return OkStatus();
      return db_
          .Exec("INSERT INTO xapi_related(key, seq) SELECT * FROM unnest($1::TEXT[], "
                "$2::BIGINT[]) ON CONFLICT DO NOTHING",
                related_key.str(), related_seq.str())
          .status();
    });
  }

  Result<std::optional<XapiStatementRow>> GetStatement(std::string_view id) override {
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec(fmt::format("SELECT {} FROM xapi_statements s WHERE s.id = $1",
                                             kRowColumnsS),
                                 std::string(id)));
    if (r.empty()) return std::optional<XapiStatementRow>();
    return std::optional<XapiStatementRow>(ReadRow(r[0]));
  }

  Status MarkVoided(std::string_view id) override {
    return db_.Exec("UPDATE xapi_statements SET voided = TRUE WHERE id = $1", std::string(id))
        .status();
  }

  Status SetEvidenceFirst(std::span<const std::pair<std::int64_t, Id>> rows) override {
    if (rows.empty()) return OkStatus();
    pg::Array seq, first;
    for (const auto& [s, f] : rows) {
      seq.Add(s);
      first.Add(f);
    }
    return store_.Transaction([&]() -> Status {
      return db_
          .Exec("UPDATE xapi_statements s SET evidence_first = u.first FROM unnest($1::BIGINT[], "
                "$2::BIGINT[]) AS u(seq, first) WHERE s.seq = u.seq",
                seq.str(), first.str())
          .status();
    });
  }

  Result<Id> NextEvidenceId() override {
    // The value the evidence id sequence hands out next (another transaction may take it
    // first: the caller corrects a wrong prediction).
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec("SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value "
                                 "END FROM evidence_id_seq"));
    return r.empty() ? Id{1} : pg::Int(r[0], 0);
  }

  Result<XapiStatementPage> QueryStatements(const XapiStatementQuery& q) override {
    PW_RETURN_IF_ERROR(store_util::CheckPage(PageRequest{.after = 0, .limit = q.limit}));
    // The agent/verb/activity/registration condition on the table alias that replaces '#', and
    // the time, order and page conditions on the returned row s. Both take their values from
    // one parameter list, in the order the placeholders are made.
    pg::Params params;
    std::string page = "NOT s.voided";
    if (q.since) page += " AND s.stored_ms > " + params.Add(q.since->millis) + "::BIGINT";
    if (q.until) page += " AND s.stored_ms <= " + params.Add(q.until->millis) + "::BIGINT";
    if (q.cursor) {
      page += std::string(q.ascending ? " AND s.seq > " : " AND s.seq < ") +
              params.Add(*q.cursor) + "::BIGINT";
    }
    if (q.max_seq) page += " AND s.seq <= " + params.Add(*q.max_seq) + "::BIGINT";
    std::string match;
    auto add = [&](const std::string& cond) { match += (match.empty() ? "" : " AND ") + cond; };
    if (q.agent_key) {
      const std::string k = params.Add(*q.agent_key) + "::TEXT";
      std::string cond = "(#.actor_key = " + k + " OR #.object_agent_key = " + k;
      if (q.related_agents) {
        cond += " OR #.seq IN (SELECT seq FROM xapi_related WHERE key = " +
                params.Add("A:" + *q.agent_key) + "::TEXT)";
      }
      add(cond + ")");
    }
    if (q.verb_id) add("#.verb_id = " + params.Add(*q.verb_id) + "::TEXT");
    if (q.activity_id) {
      std::string cond = "(#.object_activity = " + params.Add(*q.activity_id) + "::TEXT";
      if (q.related_activities) {
        cond += " OR #.seq IN (SELECT seq FROM xapi_related WHERE key = " +
                params.Add("O:" + *q.activity_id) + "::TEXT)";
      }
      add(cond + ")");
    }
    if (q.registration) add("#.registration = " + params.Add(*q.registration) + "::TEXT");
    auto on = [](std::string cond, char alias) {
      std::replace(cond.begin(), cond.end(), '#', alias);
      return cond;
    };
    const char* order = q.ascending ? "ASC" : "DESC";
    std::string sql;
    if (match.empty()) {
      sql = fmt::format("SELECT {} FROM xapi_statements s WHERE {} ORDER BY s.seq {} LIMIT {}",
                        kRowColumnsS, page, order, q.limit + 1);
    } else {
      // The matching statements themselves, and the statements referring to a matching one
      // (StatementRef objects, voids included; one level, the target may be voided).
      sql = fmt::format(
          "SELECT * FROM (SELECT {0} FROM xapi_statements s WHERE {1} AND {2} "
          "UNION SELECT {0} FROM xapi_statements s JOIN xapi_statements t ON t.id = s.object_ref "
          "WHERE s.object_ref IS NOT NULL AND {1} AND {3}) u ORDER BY seq {4} LIMIT {5}",
          kRowColumnsS, page, on(match, 's'), on(match, 't'), order, q.limit + 1);
    }
    PW_ASSIGN_OR_RETURN(pqxx::result r, db_.Exec(sql, params.dynamic()));
    XapiStatementPage out;
    for (const pqxx::row& row : r) out.rows.push_back(ReadRow(row));
    if (static_cast<int>(out.rows.size()) > q.limit) {
      out.rows.resize(static_cast<std::size_t>(q.limit));
      out.next_cursor = out.rows.back().seq;
    }
    return out;
  }

  Status IndexStatements() override { return OkStatus(); }  // entries go in with their rows

  Result<std::int64_t> LastSeq() override {
    PW_ASSIGN_OR_RETURN(pqxx::result r, db_.Exec("SELECT coalesce(max(seq), 0) FROM xapi_statements"));
    return pg::Int(r[0], 0);
  }

  Result<std::vector<XapiStatementRow>> ListUnmapped(int limit) override {
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec(fmt::format("SELECT {} FROM xapi_statements s WHERE "
                                             "s.evidence_count = 0 ORDER BY s.seq DESC LIMIT $1",
                                             kRowColumnsS),
                                 limit));
    std::vector<XapiStatementRow> out;
    for (const pqxx::row& row : r) out.push_back(ReadRow(row));
    return out;
  }

  Result<std::int64_t> CountUnmapped() override {
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec("SELECT count(*) FROM xapi_statements WHERE evidence_count = 0"));
    return pg::Int(r[0], 0);
  }

  Result<MappingGeneration> GetMappingGeneration() override {
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec("SELECT database_id, generation FROM xapi_mapping_generation"));
    if (r.empty()) return InternalError("postgresql: xapi_mapping_generation has no row");
    return MappingGeneration{pg::Int(r[0], 0), pg::Int(r[0], 1)};
  }

  Result<Id> FindStudentByEmail(std::string_view email) override {
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec("SELECT id FROM people WHERE lower(email) = lower($1) AND role = "
                                 "'student' ORDER BY id LIMIT 1",
                                 std::string(email)));
    return r.empty() ? kNoId : pg::Int(r[0], 0);
  }

  // Binary content travels as hex (decode/encode in SQL).
  Status PutAttachment(const XapiAttachment& a) override {
    return db_
        .Exec("INSERT INTO xapi_attachments(sha2, content_type, content) VALUES ($1, $2, "
              "decode($3, 'hex')) ON CONFLICT (sha2) DO NOTHING",
              a.sha2, a.content_type, Hex(a.content))
        .status();
  }

  Result<std::optional<XapiAttachment>> GetAttachment(std::string_view sha2) override {
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec("SELECT sha2, content_type, encode(content, 'hex') FROM "
                                 "xapi_attachments WHERE sha2 = $1",
                                 std::string(sha2)));
    if (r.empty()) return std::optional<XapiAttachment>();
    XapiAttachment a;
    a.sha2 = pg::Text(r[0], 0);
    a.content_type = pg::Text(r[0], 1);
    PW_ASSIGN_OR_RETURN(a.content, Unhex(pg::Text(r[0], 2), "attachment " + a.sha2));
    return std::optional<XapiAttachment>(std::move(a));
  }

  Status PutActivityDefinition(std::string_view activity_id, std::string_view json,
                               std::string_view last_object) override {
    return db_
        .Exec("INSERT INTO xapi_activities(id, definition, last_object) VALUES ($1, $2, $3) "
              "ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, "
              "last_object = excluded.last_object",
              std::string(activity_id), std::string(json), OptText(last_object))
        .status();
  }

  Result<std::unordered_map<std::string, std::string>> GetActivityLastObjects(
      std::span<const std::string> activity_ids) override {
    std::unordered_map<std::string, std::string> out;
    if (activity_ids.empty()) return out;
    pg::Array ids;
    for (const std::string& id : activity_ids) ids.Add(id);
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec("SELECT id, coalesce(last_object, '') FROM xapi_activities WHERE "
                                 "id = ANY($1::TEXT[])",
                                 ids.str()));
    for (const pqxx::row& row : r) out.emplace(pg::Text(row, 0), pg::Text(row, 1));
    return out;
  }

  Result<std::optional<std::string>> GetActivityDefinition(std::string_view activity_id) override {
    PW_ASSIGN_OR_RETURN(pqxx::result r,
                        db_.Exec("SELECT definition FROM xapi_activities WHERE id = $1",
                                 std::string(activity_id)));
    if (r.empty()) return std::optional<std::string>();
    return std::optional<std::string>(pg::Text(r[0], 0));
  }

  Result<std::optional<XapiDocument>> GetDocument(const XapiDocKey& k) override {
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_.Exec("SELECT encode(content, 'hex'), content_type, etag, updated_ms FROM "
                 "xapi_documents WHERE kind = $1 AND activity_id = $2 AND agent_key = $3 AND "
                 "registration = $4 AND doc_id = $5",
                 static_cast<int>(k.kind), k.activity_id, k.agent_key, k.registration, k.doc_id));
    if (r.empty()) return std::optional<XapiDocument>();
    XapiDocument d;
    PW_ASSIGN_OR_RETURN(d.content, Unhex(pg::Text(r[0], 0), "document " + k.doc_id));
    d.content_type = pg::Text(r[0], 1);
    d.etag = pg::Text(r[0], 2);
    d.updated = Timestamp{pg::Int(r[0], 3)};
    return std::optional<XapiDocument>(std::move(d));
  }

  Status PutDocument(const XapiDocKey& k, const XapiDocument& d) override {
    return db_
        .Exec("INSERT INTO xapi_documents(kind, activity_id, agent_key, registration, doc_id, "
              "content, content_type, etag, updated_ms) VALUES ($1, $2, $3, $4, $5, "
              "decode($6, 'hex'), $7, $8, $9) ON CONFLICT (kind, activity_id, agent_key, "
              "registration, doc_id) DO UPDATE SET content = excluded.content, content_type = "
              "excluded.content_type, etag = excluded.etag, updated_ms = excluded.updated_ms",
              static_cast<int>(k.kind), k.activity_id, k.agent_key, k.registration, k.doc_id,
              Hex(d.content), d.content_type, d.etag, d.updated.millis)
        .status();
  }

  Status DeleteDocuments(const XapiDocKey& k) override {
    if (!k.doc_id.empty()) {
      return db_
          .Exec("DELETE FROM xapi_documents WHERE kind = $1 AND activity_id = $2 AND agent_key = "
                "$3 AND registration = $4 AND doc_id = $5",
                static_cast<int>(k.kind), k.activity_id, k.agent_key, k.registration, k.doc_id)
          .status();
    }
    return db_
        .Exec("DELETE FROM xapi_documents WHERE kind = $1 AND activity_id = $2 AND agent_key = "
              "$3 AND registration = $4",
              static_cast<int>(k.kind), k.activity_id, k.agent_key, k.registration)
        .status();
  }

  Result<std::vector<std::string>> ListDocumentIds(const XapiDocKey& k,
                                                   std::optional<Timestamp> since) override {
    PW_ASSIGN_OR_RETURN(
        pqxx::result r,
        db_.Exec("SELECT doc_id FROM xapi_documents WHERE kind = $1 AND activity_id = $2 AND "
                 "agent_key = $3 AND registration = $4 AND updated_ms > $5 ORDER BY doc_id COLLATE \"C\"",
                 static_cast<int>(k.kind), k.activity_id, k.agent_key, k.registration,
                 since ? since->millis : std::numeric_limits<std::int64_t>::min()));
    std::vector<std::string> out;
    for (const pqxx::row& row : r) out.push_back(pg::Text(row, 0));
    return out;
  }

 private:
  Store& store_;
  pg::PgDb& db_;
};

}  // namespace

XapiStore* PgStore::xapi() {
  if (!xapi_) xapi_ = std::make_unique<PgXapi>(*this, *db_);
  return xapi_.get();
}

}  // namespace pw

#endif  // PATHWISE_HAVE_POSTGRES
