#include "ingest/xapi_prepare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "ingest/xapi_statement.h"

namespace pw::xapi {
namespace {

using json_view::NView;
using json_view::SView;

std::string LowerUuid(std::string_view id) {
  std::string out(id);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Numbers: nlohmann's own text for NView; for SView integers as they are and doubles in the
// shortest form that reads back the same (".0" kept on whole doubles, as nlohmann writes them).
void AppendNumber(const NView& v, std::string* out) { *out += v.dump(); }
void AppendNumber(const SView& v, std::string* out) {
  const simdjson::dom::element e = v.element();
  switch (e.type()) {
    case simdjson::dom::element_type::INT64:
      fmt::format_to(std::back_inserter(*out), "{}", e.get_int64().value_unsafe());
      return;
    case simdjson::dom::element_type::UINT64:
      fmt::format_to(std::back_inserter(*out), "{}", e.get_uint64().value_unsafe());
      return;
    default: {
      const double d = e.get_double().value_unsafe();
      const std::size_t start = out->size();
      fmt::format_to(std::back_inserter(*out), "{}", d);
      if (out->find_first_of(".eEn", start) == std::string::npos) *out += ".0";
      return;
    }
  }
}

template <class V>
void AppendValue(const V& v, std::string* out) {
  if (v.is_object()) {
    *out += '{';
    bool first = true;
    v.EachMember([&](std::string_view key, const V& value) -> Status {
       if (!first) *out += ',';
       first = false;
       AppendJsonString(key, out);
       *out += ':';
       AppendValue(value, out);
       return OkStatus();
     }).IgnoreError();
    *out += '}';
  } else if (v.is_array()) {
    *out += '[';
    v.EachElement([&](std::size_t i, const V& e) -> Status {
       if (i > 0) *out += ',';
       AppendValue(e, out);
       return OkStatus();
     }).IgnoreError();
    *out += ']';
  } else if (v.is_string()) {
    AppendJsonString(v.str(), out);
  } else if (v.is_boolean()) {
    *out += v.boolean() ? "true" : "false";
  } else if (v.is_number()) {
    AppendNumber(v, out);
  } else {
    *out += "null";
  }
}

// The context with each contextActivities value that is one Activity written as an array.
template <class V>
void AppendContext(const V& c, std::string* out) {
  if (!c.is_object()) return AppendValue(c, out);
  *out += '{';
  bool first = true;
  c.EachMember([&](std::string_view key, const V& value) -> Status {
     if (!first) *out += ',';
     first = false;
     AppendJsonString(key, out);
     *out += ':';
     if (key == "contextActivities" && value.is_object()) {
       *out += '{';
       bool first_kind = true;
       value
           .EachMember([&](std::string_view kind, const V& acts) -> Status {
             if (!first_kind) *out += ',';
             first_kind = false;
             AppendJsonString(kind, out);
             *out += ':';
             if (acts.is_object()) *out += '[';
             AppendValue(acts, out);
             if (acts.is_object()) *out += ']';
             return OkStatus();
           })
           .IgnoreError();
       *out += '}';
     } else {
       AppendValue(value, out);
     }
     return OkStatus();
   }).IgnoreError();
  *out += '}';
}

// A statement body (top level, or a SubStatement object) in its stored form. `c` is null for a
// SubStatement (nothing is added to it).
template <class V>
void AppendStatement(const V& s, const StatementCompletion* c, const std::string* id,
                     std::string* out) {
  *out += '{';
  bool first = true;
  auto key_of = [&](std::string_view key) {
    if (!first) *out += ',';
    first = false;
    AppendJsonString(key, out);
    *out += ':';
  };
  s.EachMember([&](std::string_view key, const V& value) -> Status {
     if (c != nullptr && key == "stored") return OkStatus();  // the LRS sets it
     key_of(key);
     if (key == "context") {
       AppendContext(value, out);
     } else if (key == "object" && ObjectTypeOf(value, "Activity") == "SubStatement") {
       AppendStatement(value, nullptr, nullptr, out);
     } else {
       AppendValue(value, out);
     }
     return OkStatus();
   }).IgnoreError();
  if (c != nullptr) {
    if (!s.contains("id")) {
      key_of("id");
      AppendJsonString(*id, out);
    }
    key_of("stored");
    AppendJsonString(c->stored, out);
    if (!s.contains("timestamp")) {
      key_of("timestamp");
      AppendJsonString(c->stored, out);
    }
    if (!s.contains("authority") && !c->authority.empty()) {
      key_of("authority");
      *out += c->authority;
    }
    if (!s.contains("version")) {
      key_of("version");
      AppendJsonString("1.0.0", out);
    }
  }
  *out += '}';
}

template <class V>
PreparedStatement Prepare(const V& s, const StatementCompletion& c) {
  PreparedStatement p;
  XapiStatementRow& r = p.row;
  StatementFacts& f = p.facts;
  f.id = s["id"].is_string() ? std::string(s["id"].str()) : c.new_id();
  r.id = LowerUuid(f.id);
  r.stored = c.now;
  p.had_timestamp = s.contains("timestamp");
  f.time = p.had_timestamp ? std::string(s["timestamp"].str()) : c.stored;
  f.verb_id = s["verb"]["id"].str();
  r.verb_id = f.verb_id;
  const V actor = s["actor"];
  f.actor_key = AgentKey(actor);
  r.actor_key = f.actor_key;
  if (actor["mbox"].is_string()) f.actor_mbox = actor["mbox"].str();
  if (actor["openid"].is_string()) f.actor_openid = actor["openid"].str();
  if (actor["account"].is_object()) {
    f.actor_has_account = true;
    f.actor_account_home_page = actor["account"]["homePage"].str();
    f.actor_account_name = actor["account"]["name"].str();
  }
  const V object = s["object"];
  f.object_type = ObjectTypeOf(object, "Activity");
  if (f.object_type == "Activity") {
    f.object_id = object["id"].str();
    r.object_activity = f.object_id;
    if (object.contains("definition")) AppendValue(object, &p.activity_object);
  }
  if (f.object_type == "Agent" || f.object_type == "Group") {
    r.object_agent_key = AgentKey(object);
  }
  if (f.object_type == "StatementRef") {
    r.object_ref = LowerUuid(object["id"].str());
    if (f.verb_id == kVoidedVerb) r.voids = r.object_ref;
  }
  const V registration = s["context"]["registration"];
  if (registration.is_string()) r.registration = LowerUuid(registration.str());
  const V result = s["result"];
  const V score = result["score"];
  auto number = [](const V& v) {
    return v.is_number() ? std::optional<double>(v.number()) : std::nullopt;
  };
  f.scaled = number(score["scaled"]);
  f.raw = number(score["raw"]);
  f.min = number(score["min"]);
  f.max = number(score["max"]);
  if (result["success"].is_boolean()) f.success = result["success"].boolean();
  if (result["duration"].is_string()) {
    // Up to about 285,000 years fits a millisecond count exactly; longer is no time on task.
    const std::optional<double> d = DurationSeconds(result["duration"].str());
    if (d && *d < 9e12) f.duration_ms = std::llround(*d * 1000);
  }
  r.related_agents = RelatedAgentKeys(s);
  if (!s.contains("authority") && !c.authority.empty()) {
    // The authority the LRS adds relates to the statement too.
    const std::string& key = c.authority_key;
    if (!key.empty() &&
        !std::binary_search(r.related_agents.begin(), r.related_agents.end(), key)) {
      r.related_agents.insert(
          std::lower_bound(r.related_agents.begin(), r.related_agents.end(), key), key);
    }
  }
  r.related_activities = RelatedActivityIds(s);
  r.json.reserve(1024);
  AppendStatement(s, &c, &f.id, &r.json);
  return p;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->reserve(out->size() + text.size() + 2);
  out->push_back('"');
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const char* run = p;  // characters copied as they are
    while (p < end && static_cast<unsigned char>(*p) >= 0x20 && *p != '"' && *p != '\\') ++p;
    out->append(run, static_cast<std::size_t>(p - run));
    if (p == end) break;
    const unsigned char ch = static_cast<unsigned char>(*p++);
    const char* escaped = ch == '"'    ? "\\\""
                          : ch == '\\' ? "\\\\"
                          : ch == '\b' ? "\\b"
                          : ch == '\f' ? "\\f"
                          : ch == '\n' ? "\\n"
                          : ch == '\r' ? "\\r"
                          : ch == '\t' ? "\\t"
                                       : nullptr;
    if (escaped != nullptr) {
      out->append(escaped);
    } else {
      const char u[6] = {'\\', 'u', '0', '0', kHex[ch >> 4], kHex[ch & 15]};
      out->append(u, 6);
    }
  }
  out->push_back('"');
}

StatementCompletion MakeCompletion(Timestamp now, const nlohmann::json& authority,
                                   std::function<std::string()> new_id) {
  StatementCompletion c;
  c.now = now;
  c.stored = FormatTimestamp(now);
  if (!authority.is_null()) {
    c.authority = authority.dump();
    c.authority_key = AgentKey(authority);
  }
  c.new_id = std::move(new_id);
  return c;
}

PreparedStatement PrepareStatement(const nlohmann::json& statement, const StatementCompletion& c) {
  return Prepare(NView(statement), c);
}

PreparedStatement PrepareStatement(const json_view::SView& statement,
                                   const StatementCompletion& c) {
  return Prepare(statement, c);
}

}  // namespace pw::xapi
