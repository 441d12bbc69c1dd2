// The statements resource over real HTTP against a real server on a real SQLite file: the
// rules the ADL conformance suite checks, and the statement -> evidence path.
#include <chrono>
#include <future>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "server/profile_service.h"
#include "server/xapi_service.h"
#include "server/xapi_http.h"
#include "xapi_fixture.h"

namespace pw::server {
namespace {

using json = nlohmann::json;

std::string ErrorMessage(const httplib::Result& r) {
  json body = json::parse(r->body, nullptr, false);
  if (body.is_discarded() || !body.contains("error")) return "<no error body>";
  return body["error"]["message"].get<std::string>();
}

TEST_P(XapiServerTest, VersionHeaderIsRequiredAndAlwaysAnswered) {
  httplib::Client c("127.0.0.1", served_.port());
  c.set_basic_auth(key_, secret_);
  auto r = c.Get("/xapi/statements");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorMessage(r), "X-Experience-API-Version header is required (1.0.3)");
  EXPECT_EQ(r->get_header_value("X-Experience-API-Version"), "1.0.3");
  EXPECT_TRUE(r->has_header("X-Experience-API-Consistent-Through"));
  r = c.Get("/xapi/statements", {{"X-Experience-API-Version", "2.0.0"}});
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorMessage(r), "X-Experience-API-Version: expected 1.0.x, got \"2.0.0\"");
  auto about = Client(false).Get("/xapi/about");
  ASSERT_TRUE(about);
  EXPECT_EQ(about->status, 200);
  EXPECT_EQ(json::parse(about->body)["version"][0], "1.0.3");
}

TEST_P(XapiServerTest, OnlyApiClientsWithTheXapiScope) {
  auto r = Client(false).Get("/xapi/statements");
  EXPECT_EQ(r->status, 401);
  httplib::Client bad("127.0.0.1", served_.port());
  bad.set_basic_auth(key_, "wrong");
  r = bad.Get("/xapi/statements", {{"X-Experience-API-Version", "1.0.3"}});
  EXPECT_EQ(r->status, 401);
}

TEST_P(XapiServerTest, PostThenGetByIdWithHeadersAndAuthority) {
  auto c = Client();
  auto r = c.Post("/xapi/statements", Statement().dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json ids = json::parse(r->body);
  ASSERT_EQ(ids.size(), 1u);
  const std::string id = ids[0];
  EXPECT_TRUE(xapi_http::NormalizeUuid(id) == id && id.size() == 36);
  auto g = c.Get("/xapi/statements?statementId=" + id);
  ASSERT_EQ(g->status, 200) << g->body;
  json s = json::parse(g->body);
  EXPECT_EQ(s["id"], id);
  EXPECT_EQ(s["authority"]["account"]["name"], key_);
  EXPECT_EQ(s["version"], "1.0.0");
  EXPECT_EQ(s["timestamp"], s["stored"]);
  EXPECT_TRUE(g->has_header("Last-Modified"));
  EXPECT_TRUE(g->has_header("X-Experience-API-Consistent-Through"));
  auto head = c.Head("/xapi/statements?statementId=" + id);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  // Unknown and conflicting parameters are refused.
  EXPECT_EQ(c.Get("/xapi/statements?statementId=" + id + "&verb=http://x.org/v")->status, 400);
  auto unknown = c.Get("/xapi/statements?colour=red");
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(ErrorMessage(unknown), "query parameter colour: not a parameter of this resource");
}

TEST_P(XapiServerTest, PutIsIdempotentAndStoredIdsAreImmutable) {
  auto c = Client();
  const std::string id = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0";
  json s = Statement();
  EXPECT_EQ(c.Put("/xapi/statements?statementId=" + id, s.dump(), "application/json")->status, 204);
  EXPECT_EQ(c.Put("/xapi/statements?statementId=" + id, s.dump(), "application/json")->status, 204);
  s["result"]["success"] = false;
  auto conflict = c.Put("/xapi/statements?statementId=" + id, s.dump(), "application/json");
  EXPECT_EQ(conflict->status, 409);
  EXPECT_EQ(ErrorMessage(conflict),
            "statement.id: statement " + id + " is already stored with different content");
  s["id"] = "aaaaaaaa-b88b-4b20-a0a5-a4c32391aaa0";
  EXPECT_EQ(c.Put("/xapi/statements?statementId=" + id, s.dump(), "application/json")->status, 400);
  EXPECT_EQ(c.Put("/xapi/statements", Statement().dump(), "application/json")->status, 400);
}

TEST_P(XapiServerTest, BatchesAreAllOrNothingWithThePreciseError) {
  auto c = Client();
  json bad = Statement();
  bad["actor"]["mbox"] = "ada@school.example";
  json batch = json::array({Statement(), bad});
  auto r = c.Post("/xapi/statements", batch.dump(), "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorMessage(r),
            "statements[1].actor.mbox: expected an IRI of the form \"mailto:name@host\", got "
            "\"ada@school.example\"");
  EXPECT_EQ(*Lrs().LastSeq(), 0);
  EXPECT_EQ(*store_->CountEvidence({}), 0);
}

// A big batch is prepared and written chunk by chunk (StoreStatementsText): a problem in a late
// chunk, found after earlier chunks' rows were written, still rolls everything back and is named
// by the slow path.
TEST_P(XapiServerTest, BigBatchesStayAllOrNothingWhenALateStatementIsBad) {
  auto c = Client();
  auto batch_with = [](std::size_t at, const json& odd) {
    json batch = json::array();
    for (std::size_t i = 0; i < 600; ++i) batch.push_back(i == at ? odd : Statement());
    return batch;
  };
  json bad = Statement();
  bad["actor"]["mbox"] = "ada@school.example";
  auto r = c.Post("/xapi/statements", batch_with(577, bad).dump(), "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorMessage(r),
            "statements[577].actor.mbox: expected an IRI of the form \"mailto:name@host\", got "
            "\"ada@school.example\"");
  EXPECT_EQ(*Lrs().LastSeq(), 0);
  EXPECT_EQ(*store_->CountEvidence({}), 0);
  // The same id twice, the second far into the batch.
  json batch = batch_with(599, Statement());
  batch[3]["id"] = "6f1d0a3e-54b4-4d4b-9c1e-2b7f1d9e0a11";
  batch[599]["id"] = batch[3]["id"];
  r = c.Post("/xapi/statements", batch.dump(), "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(*Lrs().LastSeq(), 0);
  EXPECT_EQ(*store_->CountEvidence({}), 0);
  // And a good one is stored whole, its evidence in request order.
  r = c.Post("/xapi/statements", batch_with(0, Statement()).dump(), "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body).size(), 600u);
  // (Not LastSeq: PostgreSQL's sequence does not give back the seqs of rolled-back rows.)
  XapiStatementQuery all;
  all.limit = 1000;
  auto stored = Lrs().QueryStatements(all);
  PW_ASSERT_OK(stored);
  EXPECT_EQ(stored->rows.size(), 600u);
  EXPECT_EQ(*store_->CountEvidence({}), 600);
}

// evidence_first is written with each row as a prediction; a statement sent again in the same
// batch (stored before, so it adds no evidence) shifts the ids of those after it, and their
// evidence_first is corrected: voiding one of them withdraws exactly its own evidence.
TEST_P(XapiServerTest, EvidenceOfStatementsAfterAResentOneIsTheirOwn) {
  auto c = Client();
  auto post = [&](const json& body) {
    auto r = c.Post("/xapi/statements", body.dump(), "application/json");
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body);
  };
  json a = Statement("answered", true);
  a["id"] = "0b5c8f2e-1111-4a4a-8b8b-000000000001";
  post(a);
  json b = Statement("answered", false);
  b["id"] = "0b5c8f2e-1111-4a4a-8b8b-000000000002";
  json d = Statement("passed", true);
  d["id"] = "0b5c8f2e-1111-4a4a-8b8b-000000000003";
  post(json::array({a, b, d}));
  ASSERT_EQ(*store_->CountEvidence({.student_id = student_}), 3);
  json voiding = {{"actor", {{"mbox", "mailto:teacher@school.example"}}},
                  {"verb", {{"id", "http://adlnet.gov/expapi/verbs/voided"}}},
                  {"object", {{"objectType", "StatementRef"}, {"id", b["id"]}}}};
  post(voiding);
  auto evidence = store_->ListEvidence({.student_id = student_}, {});
  PW_ASSERT_OK(evidence);
  std::set<std::string> sources;
  for (const EvidenceEvent& e : evidence->items) sources.insert(e.source_record);
  EXPECT_EQ(sources, (std::set<std::string>{a["id"], d["id"]}));
  voiding["object"]["id"] = d["id"];
  post(voiding);
  evidence = store_->ListEvidence({.student_id = student_}, {});
  PW_ASSERT_OK(evidence);
  ASSERT_EQ(evidence->items.size(), 1u);
  EXPECT_EQ(evidence->items[0].source_record, a["id"]);
}

TEST_P(XapiServerTest, VoidingHidesTheTargetAndCannotVoidAVoid) {
  auto c = Client();
  const std::string target = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0";
  ASSERT_EQ(c.Put("/xapi/statements?statementId=" + target, Statement().dump(), "application/json")
                ->status,
            204);
  json voiding = {{"actor", {{"mbox", "mailto:teacher@school.example"}}},
                  {"verb", {{"id", "http://adlnet.gov/expapi/verbs/voided"}}},
                  {"object", {{"objectType", "StatementRef"}, {"id", target}}}};
  auto r = c.Post("/xapi/statements", voiding.dump(), "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string voiding_id = json::parse(r->body)[0];
  EXPECT_EQ(c.Get("/xapi/statements?statementId=" + target)->status, 404);
  EXPECT_EQ(c.Get("/xapi/statements?voidedStatementId=" + target)->status, 200);
  auto list = json::parse(c.Get("/xapi/statements")->body);
  ASSERT_EQ(list["statements"].size(), 1u);
  EXPECT_EQ(list["statements"][0]["id"], voiding_id);
  voiding["object"]["id"] = voiding_id;
  auto again = c.Post("/xapi/statements", voiding.dump(), "application/json");
  EXPECT_EQ(again->status, 400);
  EXPECT_EQ(ErrorMessage(again), "statement.object: statement " + voiding_id +
                                     " is itself a voiding statement and cannot be voided");
}

TEST_P(XapiServerTest, FiltersAndMorePaging) {
  auto c = Client();
  json batch = json::array();
  for (int i = 0; i < 5; ++i) batch.push_back(Statement(i % 2 ? "failed" : "answered"));
  batch.push_back(Statement("answered", true, "mailto:bob@school.example"));
  ASSERT_EQ(c.Post("/xapi/statements", batch.dump(), "application/json")->status, 200);
  const std::string agent = Q(R"({"mbox":"mailto:ada@school.example"})");
  const std::string verb = Q("http://adlnet.gov/expapi/verbs/answered");
  auto r = json::parse(c.Get("/xapi/statements?agent=" + agent + "&verb=" + verb)->body);
  EXPECT_EQ(r["statements"].size(), 3u);
  EXPECT_EQ(r["more"], "");
  // Pages of 2 over all 6, following `more` until it is empty.
  std::set<std::string> seen;
  std::string next = "/xapi/statements?limit=2&ascending=true";
  int pages = 0;
  while (!next.empty()) {
    auto page = c.Get(next);
    ASSERT_EQ(page->status, 200) << page->body;
    json p = json::parse(page->body);
    for (const json& s : p["statements"]) seen.insert(s["id"].get<std::string>());
    next = p["more"].get<std::string>();
    ++pages;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 6u);
  auto bad_agent = c.Get("/xapi/statements?agent=" + Q(R"({"name":"x"})"));
  EXPECT_EQ(bad_agent->status, 400);
  EXPECT_EQ(c.Get("/xapi/statements?verb=notaniri")->status, 400);
  auto ids = json::parse(c.Get("/xapi/statements?format=ids&limit=1")->body);
  EXPECT_FALSE(ids["statements"][0]["verb"].contains("display"));
}

TEST_P(XapiServerTest, MappedStatementsBecomeEvidenceAndOthersAreKept) {
  auto c = Client();
  json batch = json::array({Statement("answered", false), Statement("experienced"),
                            Statement("answered", true, "mailto:nobody@school.example")});
  ASSERT_EQ(c.Post("/xapi/statements", batch.dump(), "application/json")->status, 200);
  auto evidence = store_->ListEvidence({.student_id = student_}, {});
  ASSERT_TRUE(evidence.ok());
  ASSERT_EQ(evidence->items.size(), 1u);
  EXPECT_EQ(evidence->items[0].competency_id, competency_);
  EXPECT_EQ(evidence->items[0].activity_id, activity_);
  EXPECT_EQ(evidence->items[0].kind, OutcomeKind::kIncorrect);
  EXPECT_EQ(evidence->items[0].source_system, "xapi:" + key_);
  EXPECT_EQ(*Lrs().CountUnmapped(), 2);
  auto unmapped = *Lrs().ListUnmapped(10);
  ASSERT_EQ(unmapped.size(), 2u);
  EXPECT_EQ(unmapped[0].unmapped_reason, "actor: no student matches mbox:mailto:nobody@school.example");
  EXPECT_EQ(unmapped[1].unmapped_reason,
            "verb: http://adlnet.gov/expapi/verbs/experienced is not an evidence verb");
  // Administrators see them over HTTP; API clients do not.
  AuthOptions auth;
  auth.password_cost = PasswordCost::Minimum();
  ASSERT_TRUE(CreateUser(*store_, {"admin", Role::kAdministrator, kNoId}, "correct horse battery",
                         auth, clock_)
                  .ok());
  auto login = Login(*store_, "admin", "correct horse battery", "127.0.0.1", auth, clock_);
  ASSERT_TRUE(login.ok());
  httplib::Client admin("127.0.0.1", served_.port());
  admin.set_bearer_token_auth(login->token);
  auto r = admin.Get("/api/v1/xapi/unmapped?limit=1");
  ASSERT_EQ(r->status, 200) << r->body;
  json body = json::parse(r->body);
  EXPECT_EQ(body["count"], 2);
  ASSERT_EQ(body["items"].size(), 1u);
  EXPECT_EQ(body["items"][0]["reason"], "actor: no student matches mbox:mailto:nobody@school.example");
  EXPECT_EQ(c.Get("/api/v1/xapi/unmapped")->status, 403);
}

TEST_P(XapiServerTest, ResultDurationBecomesTheEvidencesTimeOnTask) {
  auto c = Client();
  json s = Statement("answered", true);
  s["result"]["duration"] = "PT1M30.25S";
  ASSERT_EQ(c.Post("/xapi/statements", s.dump(), "application/json")->status, 200);
  json again = Statement("answered", false);
  again["result"].erase("duration");
  ASSERT_EQ(c.Post("/xapi/statements", again.dump(), "application/json")->status, 200);
  auto evidence = store_->ListEvidence({.student_id = student_}, {});
  PW_ASSERT_OK(evidence);
  ASSERT_EQ(evidence->items.size(), 2u);
  EXPECT_EQ(evidence->items[0].duration_ms, 90'250);
  EXPECT_FALSE(evidence->items[1].duration_ms.has_value());
}

// Voiding a statement withdraws the evidence it became and recomputes the mastery it moved from
// the student's remaining evidence, as if it had never arrived; a teacher's override stays.
TEST_P(XapiServerTest, VoidingWithdrawsTheEvidenceAndRecomputesMastery) {
  auto c = Client();
  auto post = [&](const json& body) {
    auto r = c.Post("/xapi/statements", body.dump(), "application/json");
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body);
  };
  const std::string first = post(Statement("answered", false))[0];
  const std::pair<Id, Id> pair{student_, competency_};
  auto mastery = [&] {
    auto rows = store_->GetMastery(std::span(&pair, 1));
    EXPECT_TRUE(rows.ok());
    return rows.ok() && !rows->empty() ? (*rows)[0] : MasteryRecord{};
  };
  const MasteryRecord after_one = mastery();
  EXPECT_EQ(after_one.attempts, 1);
  const std::string second = post(Statement("passed", true))[0];
  EXPECT_EQ(mastery().attempts, 2);
  PW_ASSERT_OK(server::OverrideMastery(*store_, student_, competency_, profile::MasteryState::kMastered,
                                       "observed in class", "teacher", clock_.Now()));
  json voiding = {{"actor", {{"mbox", "mailto:teacher@school.example"}}},
                  {"verb", {{"id", "http://adlnet.gov/expapi/verbs/voided"}}},
                  {"object", {{"objectType", "StatementRef"}, {"id", second}}}};
  post(voiding);
  auto evidence = store_->ListEvidence({.student_id = student_}, {});
  PW_ASSERT_OK(evidence);
  ASSERT_EQ(evidence->items.size(), 1u);
  EXPECT_EQ(evidence->items[0].source_record, first);
  const MasteryRecord now = mastery();
  EXPECT_EQ(now.attempts, 1);
  EXPECT_EQ(now.correct, after_one.correct);
  EXPECT_DOUBLE_EQ(now.p, after_one.p);
  EXPECT_EQ(now.state, after_one.state);
  EXPECT_EQ(now.override_state, "mastered");
  EXPECT_EQ(now.override_reason, "observed in class");
  // Voiding the other one leaves no evidence and the estimate of a student with none.
  voiding["object"]["id"] = first;
  post(voiding);
  EXPECT_EQ(*store_->CountEvidence({.student_id = student_}), 0);
  EXPECT_EQ(mastery().attempts, 0);
  EXPECT_EQ(mastery().override_state, "mastered");
}

TEST_P(XapiServerTest, MultipartAttachmentsRoundTrip) {
  auto c = Client();
  const std::string content = "here is a file";
  const std::string sha = xapi_http::Sha256Hex(content);
  json s = Statement();
  s["attachments"] = json::array({{{"usageType", "http://example.com/attachment"},
                                   {"display", {{"en-US", "notes"}}},
                                   {"contentType", "text/plain"},
                                   {"length", content.size()},
                                   {"sha2", sha}}});
  std::string body = "--xx\r\nContent-Type: application/json\r\n\r\n" + s.dump() +
                     "\r\n--xx\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: "
                     "binary\r\nX-Experience-API-Hash: " +
                     sha + "\r\n\r\n" + content + "\r\n--xx--";
  auto r = c.Post("/xapi/statements", body, "multipart/mixed; boundary=xx");
  ASSERT_EQ(r->status, 200) << r->body;
  // Without the part, the same statement (no fileUrl) is refused.
  s["attachments"][0]["sha2"] = xapi_http::Sha256Hex("other");
  auto missing = c.Post("/xapi/statements", s.dump(), "application/json");
  EXPECT_EQ(missing->status, 400);
  auto g = c.Get("/xapi/statements?attachments=true");
  ASSERT_EQ(g->status, 200);
  EXPECT_TRUE(g->get_header_value("Content-Type").starts_with("multipart/mixed; boundary="));
  auto parts = xapi_http::ParseMultipart(g->get_header_value("Content-Type"), g->body);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[1].headers["x-experience-api-hash"], sha);
  EXPECT_EQ((*parts)[1].body, content);
}

// The look-ups a thread keeps across batches (MappingCache) follow every change to the people
// and activities mapping reads, made through another connection in between: a new student, a
// changed email, an activity's new competency.
TEST_P(XapiServerTest, MappingLookUpsKeptAcrossBatchesFollowRosterAndActivityChanges) {
  auto other = OpenStore(url_);  // another connection, as an import or the web app would be
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  const json authority = ClientAuthority(key_);
  xapi::XapiMapping mapping;
  mapping.source_system = "xapi:test";
  auto send = [&](const json& statement) -> StoredBatch {
    auto stored = StoreStatementsText(*store_, statement.dump(), authority, mapping, clock_);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    EXPECT_TRUE(stored.ok() && stored->has_value());
    return stored.ok() && stored->has_value() ? **stored : StoredBatch{};
  };
  auto evidence_of = [&](Id student) {
    auto page = store_->ListEvidence({.student_id = student}, {});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items : std::vector<EvidenceEvent>{};
  };
  const std::string grace_mbox = "mailto:grace@school.example";
  EXPECT_EQ(send(Statement("answered", true, grace_mbox)).unmapped, 1);  // not a student yet
  EXPECT_EQ(send(Statement()).evidence, 1);                              // Ada: cached now
  Person grace;
  grace.source_id = "s-grace";
  grace.given_name = "Grace";
  grace.family_name = "H";
  grace.role = Role::kStudent;
  grace.email = "grace@school.example";
  grace.grade = "6";
  PW_ASSERT_OK((*other)->PutPerson(grace));
  EXPECT_EQ(send(Statement("answered", true, grace_mbox)).evidence, 1);
  ASSERT_EQ(evidence_of(grace.id).size(), 1u);
  // Ada's email changes: her old address no longer maps.
  auto ada = (*other)->GetPerson(student_);
  PW_ASSERT_OK(ada);
  ada->email = "ada.l@school.example";
  PW_ASSERT_OK((*other)->PutPerson(*ada));
  EXPECT_EQ(send(Statement()).unmapped, 1);
  EXPECT_EQ(send(Statement("answered", true, "mailto:ada.l@school.example")).evidence, 1);
  // The activity now aligns to a second competency: two events per statement.
  Competency second;
  second.framework_id = (*other)->GetCompetency(competency_)->framework_id;
  second.code = "6.NS.2";
  second.statement = "Multi-digit division";
  PW_ASSERT_OK((*other)->PutCompetency(second));
  auto activity = (*other)->GetActivity(activity_);
  PW_ASSERT_OK(activity);
  activity->competencies = {competency_, second.id};
  PW_ASSERT_OK((*other)->PutActivity(*activity));
  EXPECT_EQ(send(Statement("answered", true, grace_mbox)).evidence, 2);
  EXPECT_EQ(evidence_of(grace.id).size(), 3u);
}

// Statement requests sent while another connection holds the database's write lock (the group
// commit tests): each request on a connection and a thread of its own, as a server's request
// threads are, until Release lets the writer go.
class HeldWriter {
 public:
  using Outcome = Result<std::optional<StoredBatch>>;

  HeldWriter(std::string url, json authority, xapi::XapiMapping mapping)
      : url_(std::move(url)), authority_(std::move(authority)), mapping_(std::move(mapping)) {
    holder_ = Open();
    thread_ = std::thread([this] {
      PW_EXPECT_OK(holder_->Transaction([&]() -> Status {
        held_.set_value();
        release_.get_future().wait();
        return OkStatus();
      }));
    });
    held_.get_future().wait();
  }
  ~HeldWriter() { Release(); }

  // Sends `body`; its outcome is Get(the index returned).
  std::size_t Send(std::string body) {
    connections_.push_back(Open());
    Store* store = connections_.back().get();
    outcomes_.push_back(std::async(std::launch::async, [this, store, body = std::move(body)] {
      return StoreStatementsText(*store, body, authority_, mapping_, clock_);
    }));
    return outcomes_.size() - 1;
  }
  // Waits up to 20 s for `n` requests to wait for the writer; how many do.
  std::size_t AwaitWaiting(std::size_t n) {
    for (int waited_ms = 0; WaitingStatementRequests(*holder_) < n && waited_ms < 20'000;
         waited_ms += 5) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return WaitingStatementRequests(*holder_);
  }
  // Whether request `i` came back within 20 s.
  bool CameBack(std::size_t i) {
    return outcomes_[i].wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  }
  void Release() {
    if (thread_.joinable()) {
      release_.set_value();
      thread_.join();
    }
  }
  // Request `i`'s outcome (once; after Release).
  Outcome Get(std::size_t i) { return outcomes_[i].get(); }

 private:
  std::unique_ptr<Store> Open() {
    auto c = OpenStore(url_);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  const std::string url_;
  const json authority_;
  const xapi::XapiMapping mapping_;
  SystemClock clock_;
  std::unique_ptr<Store> holder_;
  std::vector<std::unique_ptr<Store>> connections_;
  std::vector<std::future<Outcome>> outcomes_;
  std::promise<void> held_, release_;
  std::thread thread_;
};

xapi::XapiMapping TestMapping() {
  xapi::XapiMapping mapping;
  mapping.source_system = "xapi:test";
  return mapping;
}

// Requests that arrive while another is being written wait, prepared, and are stored in that
// one's transaction (group commit). Held back behind another connection's write transaction,
// four requests queue up behind the first; the one contradicting a stored statement fails
// alone, with its error, and the other three are stored in one commit, each whole, each with
// its own evidence.
TEST_P(XapiServerTest, RequestsWaitingForTheWriterShareItsCommitAndFailAlone) {
  if (OnPostgres()) GTEST_SKIP() << "group commit is SQLite's (XapiStore::WriteGroup)";
  const json authority = ClientAuthority(key_);
  json stored = Statement();
  stored["id"] = "0b6f1c52-5a43-4a3b-8f0e-9a1d2c3b4e5f";
  auto first = StoreStatementsText(*store_, stored.dump(), authority, TestMapping(), clock_);
  ASSERT_TRUE(first.ok() && first->has_value()) << first.status().ToString();
  constexpr int kRequests = 4, kBad = 2, kEach = 300;
  const StatementWriterTotals before = StatementWriterTotalsOf(*store_);
  HeldWriter writer(url_, authority, TestMapping());
  for (int r = 0; r < kRequests; ++r) {
    json batch = json::array();
    for (int i = 0; i < kEach; ++i) batch.push_back(Statement());
    if (r == kBad) {
      batch[150] = Statement("failed", false);  // the stored id with other content: a 409
      batch[150]["id"] = stored["id"];
    }
    writer.Send(batch.dump());
  }
  // One request waits for the lock to write; the others, prepared, wait for it.
  EXPECT_EQ(writer.AwaitWaiting(kRequests - 1), static_cast<std::size_t>(kRequests - 1));
  writer.Release();
  for (int r = 0; r < kRequests; ++r) {
    const HeldWriter::Outcome result = writer.Get(r);
    if (r == kBad) {
      EXPECT_EQ(result.status().code(), StatusCode::kAlreadyExists) << result.status().ToString();
      EXPECT_NE(result.status().message().find("statements[150].id"), std::string::npos)
          << result.status().ToString();
      continue;
    }
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_TRUE(result->has_value());
    EXPECT_EQ((*result)->stored, kEach);
    EXPECT_EQ((*result)->evidence, kEach);
    EXPECT_EQ((*result)->requests_in_commit, kRequests - 1);
  }
  XapiStatementQuery all;
  all.limit = 2000;
  auto page = Lrs().QueryStatements(all);
  PW_ASSERT_OK(page);
  EXPECT_EQ(page->rows.size(), 1u + (kRequests - 1) * kEach);
  EXPECT_EQ(*store_->CountEvidence({}), 1 + (kRequests - 1) * kEach);
  EXPECT_EQ(WaitingStatementRequests(*store_), 0u);
  // One commit for the three; the pass that the bad request failed is writing time too.
  const StatementWriterTotals after = StatementWriterTotalsOf(*store_);
  EXPECT_EQ(after.commits - before.commits, 1);
  EXPECT_EQ(after.requests - before.requests, kRequests - 1);
  EXPECT_GT(after.writing_seconds, before.writing_seconds);
}

// The requests of one group look each activity's last merged object up once and keep it as they
// write: a definition that changes and changes back within one commit ends as the last request
// left it (checked to fail when a request's write is not what the next one compares with).
TEST_P(XapiServerTest, AGroupMergesActivityDefinitionsInRequestOrder) {
  if (OnPostgres()) GTEST_SKIP() << "group commit is SQLite's (XapiStore::WriteGroup)";
  HeldWriter writer(url_, ClientAuthority(key_), TestMapping());
  const std::vector<std::string> names = {"Fractions", "Fractions II", "Fractions"};
  for (std::size_t r = 0; r < names.size(); ++r) {
    writer.Send(NamedDefinitionBatch(names[r]));
    // In order: the first waits for the lock to write, the others queue behind it.
    if (r > 0) {
      ASSERT_EQ(writer.AwaitWaiting(r), r);
    }
  }
  writer.Release();
  for (std::size_t r = 0; r < names.size(); ++r) {
    const HeldWriter::Outcome result = writer.Get(r);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_TRUE(result->has_value());
    EXPECT_EQ((*result)->requests_in_commit, 3);
  }
  auto definition = Lrs().GetActivityDefinition(kActivity);
  PW_ASSERT_OK(definition);
  ASSERT_TRUE(definition->has_value());
  EXPECT_EQ(json::parse(**definition)["definition"]["name"]["en-US"], "Fractions") << **definition;
}

// The group keeps each activity's last merged object from one commit to the next only while the
// definitions' generation stands: a definition another connection changed in between is read
// and merged into again (checked to fail when the group trusts what it kept regardless).
TEST_P(XapiServerTest, AGroupRereadsADefinitionAnotherWriterChanged) {
  if (OnPostgres()) GTEST_SKIP() << "group commit is SQLite's (XapiStore::WriteGroup)";
  auto c = Client();
  auto post = [&](const std::string& name) {
    auto r = c.Post("/xapi/statements", NamedDefinitionBatch(name), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  };
  auto name = [&]() -> std::string {
    auto definition = Lrs().GetActivityDefinition(kActivity);
    if (!definition.ok() || !definition->has_value()) return "(none)";
    return json::parse(**definition)["definition"]["name"]["en-US"].get<std::string>();
  };
  post("Fractions");
  EXPECT_EQ(name(), "Fractions");
  // Another writer (this test's own connection) merges another object into it.
  const json other = {{"id", kActivity}, {"definition", {{"name", {{"en-US", "Decimals"}}}}}};
  PW_ASSERT_OK(Lrs().PutActivityDefinition(kActivity, other.dump(), other.dump()));
  EXPECT_EQ(name(), "Decimals");
  post("Fractions");
  EXPECT_EQ(name(), "Fractions");
}

// A request that arrives while another writes and that the bulk path does not take (an invalid
// statement, found while it is prepared) returns at once for the slow path to word the error,
// without joining the queue; the requests waiting there are stored as before.
TEST_P(XapiServerTest, ARefusedRequestLeavesTheWaitingOnesAlone) {
  if (OnPostgres()) GTEST_SKIP() << "group commit is SQLite's (XapiStore::WriteGroup)";
  constexpr int kGood = 3, kEach = 300;
  auto body = [&](bool bad) {
    json batch = json::array();
    for (int i = 0; i < kEach; ++i) batch.push_back(Statement());
    if (bad) batch[200]["actor"]["mbox"] = "ada@school.example";  // not a mailto: IRI
    return batch.dump();
  };
  HeldWriter writer(url_, ClientAuthority(key_), TestMapping());
  for (int r = 0; r < kGood; ++r) writer.Send(body(false));
  ASSERT_EQ(writer.AwaitWaiting(kGood - 1), static_cast<std::size_t>(kGood - 1));
  // The writer is still held: the refused request comes back without waiting for it.
  const std::size_t refused = writer.Send(body(true));
  EXPECT_TRUE(writer.CameBack(refused)) << "the refused request waited for the writer";
  EXPECT_EQ(writer.AwaitWaiting(kGood - 1), static_cast<std::size_t>(kGood - 1));
  writer.Release();
  const HeldWriter::Outcome out = writer.Get(refused);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FALSE(out->has_value());
  for (int r = 0; r < kGood; ++r) {
    const HeldWriter::Outcome result = writer.Get(r);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_TRUE(result->has_value());
    EXPECT_EQ((*result)->stored, kEach);
    EXPECT_EQ((*result)->requests_in_commit, kGood);
  }
  EXPECT_EQ(*store_->CountEvidence({}), kGood * kEach);
}

// Many senders at once, as a busy server's request threads are: every statement of every
// request stored once, with its evidence, whichever request's transaction took it.
TEST_P(XapiServerTest, ManySendersAtOnceLoseNothing) {
  const json authority = ClientAuthority(key_);
  const xapi::XapiMapping mapping = TestMapping();
  constexpr int kSenders = 4, kBatches = 5, kEach = 300;
  std::vector<std::unique_ptr<Store>> connections;
  for (int s = 0; s < kSenders; ++s) {
    auto c = OpenStore(url_);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    connections.push_back(std::move(c).value());
  }
  std::atomic<int> stored = 0, evidence = 0, failures = 0;
  const StatementWriterTotals before = StatementWriterTotalsOf(*store_);
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      for (int b = 0; b < kBatches; ++b) {
        json batch = json::array();
        for (int i = 0; i < kEach; ++i) batch.push_back(Statement());
        auto r = StoreStatementsText(*connections[s], batch.dump(), authority, mapping, clock_);
        if (!r.ok() || !r->has_value()) {
          ++failures;
          continue;
        }
        stored += (*r)->stored;
        evidence += (*r)->evidence;
      }
    });
  }
  for (std::thread& t : senders) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(stored, kSenders * kBatches * kEach);
  EXPECT_EQ(evidence, kSenders * kBatches * kEach);
  XapiStatementQuery all;
  all.limit = 10'000;
  auto page = Lrs().QueryStatements(all);
  PW_ASSERT_OK(page);
  EXPECT_EQ(page->rows.size(), static_cast<std::size_t>(kSenders * kBatches * kEach));
  EXPECT_EQ(*store_->CountEvidence({}), kSenders * kBatches * kEach);
  // Every request went through a group's commit on SQLite (at most 8 a commit); PostgreSQL has
  // no group commit and reports none.
  const StatementWriterTotals after = StatementWriterTotalsOf(*store_);
  if (OnPostgres()) {
    EXPECT_EQ(after.requests, 0);
  } else {
    EXPECT_EQ(after.requests - before.requests, kSenders * kBatches);
    EXPECT_GE(after.commits - before.commits, (kSenders * kBatches + 7) / 8);
    EXPECT_LE(after.commits - before.commits, kSenders * kBatches);
  }
}

// Every XapiServerTest (statements, documents, imports) on both backends.
INSTANTIATE_TEST_SUITE_P(Backends, XapiServerTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         testing::BackendName);

}  // namespace
}  // namespace pw::server
