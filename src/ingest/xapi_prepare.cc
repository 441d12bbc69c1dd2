#include "ingest/xapi_prepare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
       AppendJsonKey(key, !first, out);
       first = false;
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
     AppendJsonKey(key, !first, out);
     first = false;
     if (key == "contextActivities" && value.is_object()) {
       *out += '{';
       bool first_kind = true;
       value
           .EachMember([&](std::string_view kind, const V& acts) -> Status {
             AppendJsonKey(kind, !first_kind, out);
             first_kind = false;
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
    AppendJsonKey(key, !first, out);
    first = false;
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

namespace {

// The first character in [p, end) that a JSON string literal must escape (a quote, a backslash,
// a control character), or end. Sixteen bytes at a time where SSE2 is there (every x86-64).
const char* NextToEscape(const char* p, const char* const end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i control_max = _mm_set1_epi8(0x1F);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Unsigned v <= 0x1F: max(v, 0x1F) == 0x1F (UTF-8 bytes >= 0x80 are not controls).
    const __m128i escape =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmpeq_epi8(_mm_max_epu8(v, control_max), control_max));
    const int mask = _mm_movemask_epi8(escape);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && static_cast<unsigned char>(*p) >= 0x20 && *p != '"' && *p != '\\') ++p;
  return p;
}

// `text` quoted and escaped, after `prefix` and before `suffix` (each "" or one character).
void AppendQuoted(std::string_view prefix, std::string_view text, std::string_view suffix,
                  std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* p = text.data();
  const char* const end = p + text.size();
  const char* next = NextToEscape(p, end);
  if (next == end) {
    // Nothing to escape (nearly every string): one resize, one copy.
    const std::size_t at = out->size();
    out->resize(at + prefix.size() + text.size() + 2 + suffix.size());
    char* d = std::copy(prefix.begin(), prefix.end(), out->data() + at);
    *d++ = '"';
    d = std::copy(text.begin(), text.end(), d);
    *d++ = '"';
    std::copy(suffix.begin(), suffix.end(), d);
    return;
  }
  out->reserve(out->size() + prefix.size() + text.size() + 2 + suffix.size());
  out->append(prefix);
  out->push_back('"');
  while (true) {
    out->append(p, static_cast<std::size_t>(next - p));  // characters copied as they are
    if (next == end) break;
    const unsigned char ch = static_cast<unsigned char>(*next);
    p = next + 1;
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
    next = NextToEscape(p, end);
  }
  out->push_back('"');
  out->append(suffix);
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) { AppendQuoted({}, text, {}, out); }

void AppendJsonKey(std::string_view key, bool comma, std::string* out) {
  AppendQuoted(comma ? std::string_view(",") : std::string_view(), key, ":", out);
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
