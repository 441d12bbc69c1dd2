#include "ingest/xapi_statement.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <initializer_list>
#include <set>
#include <type_traits>

#include "ingest/json_view.h"

namespace pw::xapi {
namespace {

using json = nlohmann::json;
using json_view::NoPath;
using json_view::NView;
using json_view::SView;

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }

// Error paths: strings ("statement.actor.mbox") for messages, or NoPath when only the verdict
// matters (the bulk path; see json_view.h).
std::string Join(std::string_view path, std::string_view field) {
  std::string out(path);
  out += '.';
  out += field;
  return out;
}
std::string Index(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}
using json_view::Index;
using json_view::Join;

// The validator below is written once over a JSON view V (NView or SView) and a path type P
// (std::string or NoPath).

// True when `v` is the string `s` (false for any other type), like nlohmann's v == "s".
template <class V>
bool Is(const V& v, std::string_view s) {
  return v.is_string() && v.str() == s;
}

// A JSON value shown in an error: strings as given (shortened), others by type.
template <class V>
std::string Shown(const V& v) {
  if (v.is_string()) {
    std::string s(v.str());
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return "\"" + s + "\"";
  }
  if (v.is_null()) return "null";
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_boolean()) return v.boolean() ? "true" : "false";
  return v.dump();
}

template <class V, class P>
Status Bad(const P& path, std::string_view expected, const V& got) {
  return InvalidArgumentError("{}: expected {}, got {}", path, expected, Shown(got));
}

// Every key of `obj` must be one of `allowed` (xAPI forbids properties it does not define).
template <class V, class P>
Status OnlyKeys(const V& obj, const P& path, std::initializer_list<std::string_view> allowed) {
  if constexpr (std::is_same_v<V, SView>) {
    // nlohmann keeps the last of a repeated key; the simdjson path declines such an object so
    // that the nlohmann path (which reads it that way) decides.
    if (obj.HasDuplicateKeys()) return InvalidArgumentError("{}: a key appears twice", path);
  }
  return obj.EachMember([&](std::string_view key, const V& value) -> Status {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return InvalidArgumentError("{}: unknown property \"{}\"", path, key);
    }
    if (value.is_null()) {
      return InvalidArgumentError("{}: null is not a valid value", Join(path, key));
    }
    return OkStatus();
  });
}

template <class V, class P>
Status RequireObject(const V& v, const P& path) {
  if (!v.is_object()) return Bad(path, "an object", v);
  return OkStatus();
}

template <class V, class P>
Status RequireString(const V& v, const P& path) {
  if (!v.is_string()) return Bad(path, "a string", v);
  return OkStatus();
}

template <class V, class P>
Status CheckIri(const V& v, const P& path) {
  if (!v.is_string() || !IsIri(v.str())) {
    return Bad(path, "an IRI with a scheme (such as \"http://...\")", v);
  }
  return OkStatus();
}

template <class V, class P>
Status CheckUuid(const V& v, const P& path) {
  if (!v.is_string() || !IsUuid(v.str())) {
    return Bad(path, "a UUID (8-4-4-4-12 hex digits)", v);
  }
  return OkStatus();
}

template <class V, class P>
Status CheckLanguageMap(const V& v, const P& path) {
  PW_RETURN_IF_ERROR(RequireObject(v, path));
  return v.EachMember([&](std::string_view key, const V& value) -> Status {
    if (!IsLanguageTag(key)) {
      return InvalidArgumentError("{}: \"{}\" is not an RFC 5646 language tag", path, key);
    }
    if (!value.is_string()) return Bad(Join(path, key), "a string", value);
    return OkStatus();
  });
}

template <class V, class P>
Status CheckExtensions(const V& v, const P& path) {
  PW_RETURN_IF_ERROR(RequireObject(v, path));
  return v.EachMember([&](std::string_view key, const V&) -> Status {
    if (!IsIri(key)) return InvalidArgumentError("{}: key \"{}\" is not an IRI", path, key);
    return OkStatus();
  });
}

bool IsMbox(std::string_view s) {
  if (!s.starts_with("mailto:")) return false;
  std::string_view addr = s.substr(7);
  std::size_t at = addr.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= addr.size()) return false;
  return std::none_of(addr.begin(), addr.end(),
                      [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

// The inverse functional identifiers present in an Agent/Group; validates each.
template <class V, class P>
Result<int> CheckIfis(const V& a, const P& path) {
  int count = 0;
  if (a.contains("mbox")) {
    ++count;
    const V m = a["mbox"];
    if (!m.is_string() || !IsMbox(m.str())) {
      return Bad(Join(path, "mbox"), "an IRI of the form \"mailto:name@host\"", m);
    }
  }
  if (a.contains("mbox_sha1sum")) {
    ++count;
    const V m = a["mbox_sha1sum"];
    if (!m.is_string() || m.str().size() != 40 ||
        !std::all_of(m.str().begin(), m.str().end(), IsHex)) {
      return Bad(Join(path, "mbox_sha1sum"), "40 hex digits (a SHA-1 of a mailto IRI)", m);
    }
  }
  if (a.contains("openid")) {
    ++count;
    PW_RETURN_IF_ERROR(CheckIri(a["openid"], Join(path, "openid")));
  }
  if (a.contains("account")) {
    ++count;
    const V acc = a["account"];
    const auto ap = Join(path, "account");
    PW_RETURN_IF_ERROR(RequireObject(acc, ap));
    PW_RETURN_IF_ERROR(OnlyKeys(acc, ap, {"homePage", "name"}));
    if (!acc.contains("homePage")) return InvalidArgumentError("{}: homePage is required", ap);
    if (!acc.contains("name")) return InvalidArgumentError("{}: name is required", ap);
    PW_RETURN_IF_ERROR(CheckIri(acc["homePage"], Join(ap, "homePage")));
    PW_RETURN_IF_ERROR(RequireString(acc["name"], Join(ap, "name")));
  }
  return count;
}

template <class V, class P>
Status CheckAgentOnly(const V& a, const P& path, bool object_type_required) {
  PW_RETURN_IF_ERROR(RequireObject(a, path));
  PW_RETURN_IF_ERROR(
      OnlyKeys(a, path, {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}));
  if (a.contains("objectType") && !Is(a["objectType"], "Agent")) {
    return Bad(Join(path, "objectType"), "\"Agent\"", a["objectType"]);
  }
  if (object_type_required && !a.contains("objectType")) {
    return InvalidArgumentError("{}: objectType \"Agent\" is required here", path);
  }
  if (a.contains("name")) PW_RETURN_IF_ERROR(RequireString(a["name"], Join(path, "name")));
  PW_ASSIGN_OR_RETURN(int ifis, CheckIfis(a, path));
  if (ifis != 1) {
    return InvalidArgumentError(
        "{}: an Agent needs exactly one of mbox, mbox_sha1sum, openid, account (found {})", path,
        ifis);
  }
  return OkStatus();
}

template <class V, class P>
Status CheckGroup(const V& g, const P& path) {
  PW_RETURN_IF_ERROR(OnlyKeys(
      g, path, {"objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account"}));
  if (g.contains("name")) PW_RETURN_IF_ERROR(RequireString(g["name"], Join(path, "name")));
  PW_ASSIGN_OR_RETURN(int ifis, CheckIfis(g, path));
  if (ifis > 1) {
    return InvalidArgumentError(
        "{}: a Group has at most one of mbox, mbox_sha1sum, openid, account (found {})", path,
        ifis);
  }
  if (g.contains("member")) {
    const V m = g["member"];
    const auto mp = Join(path, "member");
    if (!m.is_array()) return Bad(mp, "an array of Agents", m);
    PW_RETURN_IF_ERROR(m.EachElement([&](std::size_t i, const V& e) -> Status {
      if (e.is_object() && Is(e["objectType"], "Group")) {
        return InvalidArgumentError("{}: a Group member must be an Agent, not a Group",
                                    Index(mp, i));
      }
      return CheckAgentOnly(e, Index(mp, i), false);
    }));
  } else if (ifis == 0) {
    return InvalidArgumentError("{}: an anonymous Group (no identifier) needs a member list", path);
  }
  if (ifis == 0 && g["member"].size() == 0) {
    return InvalidArgumentError("{}: an anonymous Group needs at least one member", path);
  }
  return OkStatus();
}

template <class V, class P>
Status CheckActor(const V& a, const P& path, bool as_object) {
  PW_RETURN_IF_ERROR(RequireObject(a, path));
  if (Is(a["objectType"], "Group")) return CheckGroup(a, path);
  return CheckAgentOnly(a, path, as_object);
}

template <class V, class P>
Status CheckInteractionComponents(const V& v, const P& path) {
  if (!v.is_array()) return Bad(path, "an array of interaction components", v);
  std::set<std::string, std::less<>> ids;
  return v.EachElement([&](std::size_t i, const V& c) -> Status {
    const auto p = Index(path, i);
    PW_RETURN_IF_ERROR(RequireObject(c, p));
    PW_RETURN_IF_ERROR(OnlyKeys(c, p, {"id", "description"}));
    if (!c.contains("id")) return InvalidArgumentError("{}: id is required", p);
    PW_RETURN_IF_ERROR(RequireString(c["id"], Join(p, "id")));
    if (!ids.emplace(c["id"].str()).second) {
      return InvalidArgumentError("{}: id \"{}\" appears twice", p, c["id"].str());
    }
    if (c.contains("description")) {
      PW_RETURN_IF_ERROR(CheckLanguageMap(c["description"], Join(p, "description")));
    }
    return OkStatus();
  });
}

template <class V, class P>
Status CheckDefinition(const V& d, const P& path) {
  PW_RETURN_IF_ERROR(RequireObject(d, path));
  PW_RETURN_IF_ERROR(
      OnlyKeys(d, path,
               {"name", "description", "type", "moreInfo", "extensions", "interactionType",
                "correctResponsesPattern", "choices", "scale", "source", "target", "steps"}));
  if (d.contains("name")) PW_RETURN_IF_ERROR(CheckLanguageMap(d["name"], Join(path, "name")));
  if (d.contains("description")) {
    PW_RETURN_IF_ERROR(CheckLanguageMap(d["description"], Join(path, "description")));
  }
  if (d.contains("type")) PW_RETURN_IF_ERROR(CheckIri(d["type"], Join(path, "type")));
  if (d.contains("moreInfo")) PW_RETURN_IF_ERROR(CheckIri(d["moreInfo"], Join(path, "moreInfo")));
  if (d.contains("extensions")) {
    PW_RETURN_IF_ERROR(CheckExtensions(d["extensions"], Join(path, "extensions")));
  }
  static const std::set<std::string, std::less<>> kInteractionTypes = {
      "true-false",  "choice",     "fill-in", "long-fill-in", "matching",
      "performance", "sequencing", "likert",  "numeric",      "other"};
  std::string_view itype;
  if (d.contains("interactionType")) {
    const V t = d["interactionType"];
    if (!t.is_string() || !kInteractionTypes.contains(t.str())) {
      return Bad(Join(path, "interactionType"),
                 "one of true-false, choice, fill-in, long-fill-in, matching, performance, "
                 "sequencing, likert, numeric, other",
                 t);
    }
    itype = t.str();
  }
  if (d.contains("correctResponsesPattern")) {
    const V c = d["correctResponsesPattern"];
    const auto cp = Join(path, "correctResponsesPattern");
    if (itype.empty()) return InvalidArgumentError("{}: needs an interactionType", cp);
    if (!c.is_array()) return Bad(cp, "an array of strings", c);
    PW_RETURN_IF_ERROR(c.EachElement(
        [&](std::size_t i, const V& e) -> Status { return RequireString(e, Index(cp, i)); }));
  }
  for (const char* key : {"choices", "scale", "source", "target", "steps"}) {
    if (!d.contains(key)) continue;
    const auto kp = Join(path, key);
    if (itype.empty()) return InvalidArgumentError("{}: needs an interactionType", kp);
    PW_RETURN_IF_ERROR(CheckInteractionComponents(d[key], kp));
  }
  return OkStatus();
}

template <class V, class P>
Status CheckActivity(const V& a, const P& path) {
  PW_RETURN_IF_ERROR(RequireObject(a, path));
  PW_RETURN_IF_ERROR(OnlyKeys(a, path, {"objectType", "id", "definition"}));
  if (a.contains("objectType") && !Is(a["objectType"], "Activity")) {
    return Bad(Join(path, "objectType"), "\"Activity\"", a["objectType"]);
  }
  if (!a.contains("id")) return InvalidArgumentError("{}: id is required", path);
  PW_RETURN_IF_ERROR(CheckIri(a["id"], Join(path, "id")));
  if (a.contains("definition")) {
    PW_RETURN_IF_ERROR(CheckDefinition(a["definition"], Join(path, "definition")));
  }
  return OkStatus();
}

template <class V, class P>
Status CheckStatementRef(const V& r, const P& path) {
  PW_RETURN_IF_ERROR(RequireObject(r, path));
  PW_RETURN_IF_ERROR(OnlyKeys(r, path, {"objectType", "id"}));
  if (!Is(r["objectType"], "StatementRef")) {
    return Bad(Join(path, "objectType"), "\"StatementRef\"", r["objectType"]);
  }
  if (!r.contains("id")) return InvalidArgumentError("{}: id is required", path);
  return CheckUuid(r["id"], Join(path, "id"));
}

template <class V, class P>
Status CheckVerb(const V& v, const P& path) {
  PW_RETURN_IF_ERROR(RequireObject(v, path));
  PW_RETURN_IF_ERROR(OnlyKeys(v, path, {"id", "display"}));
  if (!v.contains("id")) return InvalidArgumentError("{}: id is required", path);
  PW_RETURN_IF_ERROR(CheckIri(v["id"], Join(path, "id")));
  if (v.contains("display"))
    PW_RETURN_IF_ERROR(CheckLanguageMap(v["display"], Join(path, "display")));
  return OkStatus();
}

template <class V, class P>
Status CheckResult(const V& r, const P& path) {
  PW_RETURN_IF_ERROR(RequireObject(r, path));
  PW_RETURN_IF_ERROR(
      OnlyKeys(r, path, {"score", "success", "completion", "response", "duration", "extensions"}));
  if (r.contains("score")) {
    const V s = r["score"];
    const auto sp = Join(path, "score");
    PW_RETURN_IF_ERROR(RequireObject(s, sp));
    PW_RETURN_IF_ERROR(OnlyKeys(s, sp, {"scaled", "raw", "min", "max"}));
    for (const char* k : {"scaled", "raw", "min", "max"}) {
      if (s.contains(k) && !s[k].is_number()) return Bad(Join(sp, k), "a number", s[k]);
    }
    if (s.contains("scaled")) {
      const double scaled = s["scaled"].number();
      if (!(scaled >= -1.0 && scaled <= 1.0)) {
        return InvalidArgumentError("{}: must be between -1 and 1, got {}", Join(sp, "scaled"),
                                    s["scaled"].dump());
      }
    }
    const bool has_min = s.contains("min"), has_max = s.contains("max");
    if (has_min && has_max && s["min"].number() > s["max"].number()) {
      return InvalidArgumentError("{}: min {} is greater than max {}", sp, s["min"].dump(),
                                  s["max"].dump());
    }
    if (s.contains("raw")) {
      const double raw = s["raw"].number();
      if (has_min && raw < s["min"].number()) {
        return InvalidArgumentError("{}: raw {} is below min {}", sp, s["raw"].dump(),
                                    s["min"].dump());
      }
      if (has_max && raw > s["max"].number()) {
        return InvalidArgumentError("{}: raw {} is above max {}", sp, s["raw"].dump(),
                                    s["max"].dump());
      }
    }
  }
  for (const char* k : {"success", "completion"}) {
    if (r.contains(k) && !r[k].is_boolean()) return Bad(Join(path, k), "true or false", r[k]);
  }
  if (r.contains("response"))
    PW_RETURN_IF_ERROR(RequireString(r["response"], Join(path, "response")));
  if (r.contains("duration")) {
    const V d = r["duration"];
    if (!d.is_string() || !IsDuration(d.str())) {
      return Bad(Join(path, "duration"), "an ISO 8601 duration such as \"PT1M30S\"", d);
    }
  }
  if (r.contains("extensions")) {
    PW_RETURN_IF_ERROR(CheckExtensions(r["extensions"], Join(path, "extensions")));
  }
  return OkStatus();
}

template <class V, class P>
Status CheckContext(const V& c, const P& path, bool object_is_activity) {
  PW_RETURN_IF_ERROR(RequireObject(c, path));
  PW_RETURN_IF_ERROR(OnlyKeys(c, path,
                              {"registration", "instructor", "team", "contextActivities",
                               "revision", "platform", "language", "statement", "extensions"}));
  if (c.contains("registration")) {
    PW_RETURN_IF_ERROR(CheckUuid(c["registration"], Join(path, "registration")));
  }
  if (c.contains("instructor")) {
    PW_RETURN_IF_ERROR(CheckActor(c["instructor"], Join(path, "instructor"), false));
  }
  if (c.contains("team")) {
    const V t = c["team"];
    if (!t.is_object() || !Is(t["objectType"], "Group")) {
      return Bad(Join(path, "team"), "a Group (objectType \"Group\")", t);
    }
    PW_RETURN_IF_ERROR(CheckGroup(t, Join(path, "team")));
  }
  if (c.contains("contextActivities")) {
    const V ca = c["contextActivities"];
    const auto cp = Join(path, "contextActivities");
    PW_RETURN_IF_ERROR(RequireObject(ca, cp));
    PW_RETURN_IF_ERROR(OnlyKeys(ca, cp, {"parent", "grouping", "category", "other"}));
    PW_RETURN_IF_ERROR(ca.EachMember([&](std::string_view key, const V& value) -> Status {
      const auto kp = Join(cp, key);
      if (value.is_array()) {
        return value.EachElement(
            [&](std::size_t i, const V& a) -> Status { return CheckActivity(a, Index(kp, i)); });
      }
      return CheckActivity(value, kp);
    }));
  }
  for (const char* k : {"revision", "platform"}) {
    if (!c.contains(k)) continue;
    PW_RETURN_IF_ERROR(RequireString(c[k], Join(path, k)));
    if (!object_is_activity) {
      return InvalidArgumentError("{}: allowed only when the statement's object is an Activity",
                                  Join(path, k));
    }
  }
  if (c.contains("language")) {
    const V l = c["language"];
    if (!l.is_string() || !IsLanguageTag(l.str())) {
      return Bad(Join(path, "language"), "an RFC 5646 language tag", l);
    }
  }
  if (c.contains("statement")) {
    PW_RETURN_IF_ERROR(CheckStatementRef(c["statement"], Join(path, "statement")));
  }
  if (c.contains("extensions")) {
    PW_RETURN_IF_ERROR(CheckExtensions(c["extensions"], Join(path, "extensions")));
  }
  return OkStatus();
}

template <class V, class P>
Status CheckAttachments(const V& a, const P& path) {
  if (!a.is_array()) return Bad(path, "an array of attachments", a);
  return a.EachElement([&](std::size_t i, const V& at) -> Status {
    const auto p = Index(path, i);
    PW_RETURN_IF_ERROR(RequireObject(at, p));
    PW_RETURN_IF_ERROR(OnlyKeys(
        at, p,
        {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}));
    for (const char* k : {"usageType", "display", "contentType", "length", "sha2"}) {
      if (!at.contains(k)) return InvalidArgumentError("{}: {} is required", p, k);
    }
    PW_RETURN_IF_ERROR(CheckIri(at["usageType"], Join(p, "usageType")));
    PW_RETURN_IF_ERROR(CheckLanguageMap(at["display"], Join(p, "display")));
    if (at.contains("description")) {
      PW_RETURN_IF_ERROR(CheckLanguageMap(at["description"], Join(p, "description")));
    }
    const V ct = at["contentType"];
    if (!ct.is_string() || ct.str().find('/') == std::string_view::npos) {
      return Bad(Join(p, "contentType"), "an Internet Media Type such as \"text/plain\"", ct);
    }
    if (!at["length"].is_number_integer() || at["length"].integer() < 0) {
      return Bad(Join(p, "length"), "a non-negative integer", at["length"]);
    }
    const V sha = at["sha2"];
    if (!sha.is_string() || sha.str().empty() ||
        !std::all_of(sha.str().begin(), sha.str().end(), IsHex)) {
      return Bad(Join(p, "sha2"), "a hex SHA-2 digest", sha);
    }
    if (at.contains("fileUrl")) PW_RETURN_IF_ERROR(CheckIri(at["fileUrl"], Join(p, "fileUrl")));
    return OkStatus();
  });
}

template <class V>
std::string AgentKeyOf(const V& a);

template <class V, class P>
Status CheckStatementBody(const V& s, const P& path, bool sub);

template <class V, class P>
Status CheckObject(const V& o, const P& path, bool in_sub) {
  PW_RETURN_IF_ERROR(RequireObject(o, path));
  if (o.contains("objectType") && !o["objectType"].is_string()) {
    return Bad(Join(path, "objectType"), "a string", o["objectType"]);
  }
  const std::string_view t = ObjectTypeOf(o, "Activity");
  if (t == "Activity") return CheckActivity(o, path);
  if (t == "Agent") return CheckAgentOnly(o, path, true);
  if (t == "Group") return CheckGroup(o, path);
  if (t == "StatementRef") return CheckStatementRef(o, path);
  if (t == "SubStatement") {
    if (in_sub)
      return InvalidArgumentError("{}: a SubStatement cannot contain a SubStatement", path);
    return CheckStatementBody(o, path, true);
  }
  return Bad(Join(path, "objectType"), "one of Activity, Agent, Group, StatementRef, SubStatement",
             o["objectType"]);
}

template <class V, class P>
Status CheckStatementBody(const V& s, const P& path, bool sub) {
  PW_RETURN_IF_ERROR(RequireObject(s, path));
  if (sub) {
    PW_RETURN_IF_ERROR(OnlyKeys(s, path,
                                {"objectType", "actor", "verb", "object", "result", "context",
                                 "timestamp", "attachments"}));
  } else {
    PW_RETURN_IF_ERROR(OnlyKeys(s, path,
                                {"id", "actor", "verb", "object", "result", "context", "timestamp",
                                 "stored", "authority", "version", "attachments"}));
  }
  for (const char* k : {"actor", "verb", "object"}) {
    if (!s.contains(k)) return InvalidArgumentError("{}: {} is required", path, k);
  }
  if (s.contains("id")) PW_RETURN_IF_ERROR(CheckUuid(s["id"], Join(path, "id")));
  PW_RETURN_IF_ERROR(CheckActor(s["actor"], Join(path, "actor"), false));
  PW_RETURN_IF_ERROR(CheckVerb(s["verb"], Join(path, "verb")));
  PW_RETURN_IF_ERROR(CheckObject(s["object"], Join(path, "object"), sub));
  const bool object_is_activity = ObjectTypeOf(s["object"], "Activity") == "Activity";
  if (s.contains("result")) PW_RETURN_IF_ERROR(CheckResult(s["result"], Join(path, "result")));
  if (s.contains("context")) {
    PW_RETURN_IF_ERROR(CheckContext(s["context"], Join(path, "context"), object_is_activity));
  }
  for (const char* k : {"timestamp", "stored"}) {
    if (!s.contains(k)) continue;
    const V t = s[k];
    if (!t.is_string() || !ParseXapiTimestamp(t.str())) {
      return Bad(Join(path, k), "an ISO 8601 timestamp with a time zone", t);
    }
  }
  if (s.contains("authority")) {
    const V a = s["authority"];
    const auto ap = Join(path, "authority");
    PW_RETURN_IF_ERROR(CheckActor(a, ap, false));
    if (Is(a["objectType"], "Group")) {
      // A Group authority stands for an OAuth consumer and a user: anonymous, two members.
      if (!AgentKeyOf(a).empty() || !a.contains("member") || a["member"].size() != 2) {
        return InvalidArgumentError(
            "{}: a Group authority must be an anonymous Group of exactly two Agents (OAuth "
            "consumer and user)",
            ap);
      }
    }
  }
  if (s.contains("version")) {
    const V v = s["version"];
    if (!v.is_string() || !(v.str().starts_with("1.0.") || v.str() == "1.0") ||
        v.str().size() > 8) {
      return Bad(Join(path, "version"), "an xAPI version 1.0.x", v);
    }
    const std::string_view vs = v.str();
    if (vs.size() > 4 && !std::all_of(vs.begin() + 4, vs.end(), IsDigit)) {
      return Bad(Join(path, "version"), "an xAPI version 1.0.x", v);
    }
  }
  if (s.contains("attachments")) {
    PW_RETURN_IF_ERROR(CheckAttachments(s["attachments"], Join(path, "attachments")));
  }
  if (Is(s["verb"]["id"], kVoidedVerb) && !sub) {
    if (!Is(s["object"]["objectType"], "StatementRef")) {
      return InvalidArgumentError(
          "{}: a voiding statement (verb voided) needs a StatementRef object",
          Join(path, "object"));
    }
  }
  return OkStatus();
}

bool ParseDigits(std::string_view s, std::size_t pos, std::size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

template <class V>
std::string AgentKeyOf(const V& a) {
  if (!a.is_object()) return "";
  if (a["mbox"].is_string()) return "mbox:" + std::string(a["mbox"].str());
  if (a["mbox_sha1sum"].is_string()) {
    std::string h(a["mbox_sha1sum"].str());
    std::transform(h.begin(), h.end(), h.begin(), [](char c) { return std::tolower(c); });
    return "sha1:" + h;
  }
  if (a["openid"].is_string()) return "openid:" + std::string(a["openid"].str());
  const V acc = a["account"];
  if (acc.is_object() && acc["homePage"].is_string() && acc["name"].is_string()) {
    std::string out = "account:";
    out += acc["homePage"].str();
    out += ' ';
    out += acc["name"].str();
    return out;
  }
  return "";
}

template <class V>
void AddAgentKeys(const V& a, std::vector<std::string>* out) {
  if (!a.is_object()) return;
  std::string k = AgentKeyOf(a);
  if (!k.empty()) out->push_back(std::move(k));
  a["member"]
      .EachElement([&](std::size_t, const V& m) -> Status {
        std::string mk = AgentKeyOf(m);
        if (!mk.empty()) out->push_back(std::move(mk));
        return OkStatus();
      })
      .IgnoreError();
}

void Dedupe(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

template <class V>
void CollectAgents(const V& s, std::vector<std::string>* out) {
  AddAgentKeys(s["actor"], out);
  if (s.contains("object")) {
    const V o = s["object"];
    const std::string_view t = ObjectTypeOf(o, "Activity");
    if (t == "Agent" || t == "Group") AddAgentKeys(o, out);
    if (t == "SubStatement") CollectAgents(o, out);
  }
  AddAgentKeys(s["authority"], out);
  const V c = s["context"];
  AddAgentKeys(c["instructor"], out);
  AddAgentKeys(c["team"], out);
}

template <class V>
void CollectActivities(const V& s, std::vector<std::string>* out) {
  auto add = [&](const V& a) {
    if (a["id"].is_string()) out->emplace_back(a["id"].str());
  };
  if (s.contains("object")) {
    const V o = s["object"];
    const std::string_view t = ObjectTypeOf(o, "Activity");
    if (t == "Activity") add(o);
    if (t == "SubStatement") CollectActivities(o, out);
  }
  s["context"]["contextActivities"]
      .EachMember([&](std::string_view, const V& v) -> Status {
        if (v.is_array()) {
          return v.EachElement([&](std::size_t, const V& a) -> Status {
            add(a);
            return OkStatus();
          });
        }
        add(v);
        return OkStatus();
      })
      .IgnoreError();
}

// The keys `collect` gathers from a statement, sorted, without duplicates.
template <class V>
std::vector<std::string> Collected(const V& statement,
                                   void (*collect)(const V&, std::vector<std::string>*)) {
  std::vector<std::string> out;
  collect(statement, &out);
  Dedupe(&out);
  return out;
}

json IdsAgent(const json& a) {
  json out = json::object();
  if (a.contains("objectType")) out["objectType"] = a["objectType"];
  for (const char* k : {"mbox", "mbox_sha1sum", "openid", "account"}) {
    if (a.contains(k)) out[k] = a[k];
  }
  if (a.contains("member") && AgentKey(a).empty()) {
    out["member"] = json::array();
    for (const json& m : a["member"]) out["member"].push_back(IdsAgent(m));
  }
  return out;
}

json IdsActivity(const json& a) { return json{{"id", a["id"]}}; }

json IdsBody(const json& s) {
  json out = s;
  if (s.contains("actor")) out["actor"] = IdsAgent(s["actor"]);
  if (s.contains("authority")) out["authority"] = IdsAgent(s["authority"]);
  if (s.contains("verb")) out["verb"] = {{"id", s["verb"]["id"]}};
  if (s.contains("object")) {
    const json& o = s["object"];
    const json t = o.value("objectType", json("Activity"));
    if (t == "Activity") out["object"] = IdsActivity(o);
    if (t == "Agent" || t == "Group") out["object"] = IdsAgent(o);
    if (t == "SubStatement") out["object"] = IdsBody(o);
  }
  if (s.contains("context")) {
    json& c = out["context"];
    if (c.contains("instructor")) c["instructor"] = IdsAgent(c["instructor"]);
    if (c.contains("team")) c["team"] = IdsAgent(c["team"]);
    if (c.contains("contextActivities")) {
      for (auto& [key, v] : c["contextActivities"].items()) {
        (void)key;
        if (v.is_array()) {
          for (json& a : v) a = IdsActivity(a);
        } else {
          v = IdsActivity(v);
        }
      }
    }
  }
  return out;
}

bool IsLanguageMapKey(std::string_view key) {
  return key == "display" || key == "name" || key == "description";
}

void Canonicalize(json& v, const std::vector<std::string>& languages) {
  if (v.is_array()) {
    for (json& e : v) Canonicalize(e, languages);
    return;
  }
  if (!v.is_object()) return;
  for (auto it = v.begin(); it != v.end(); ++it) {
    json& child = it.value();
    if (IsLanguageMapKey(it.key()) && child.is_object() && !child.empty() &&
        std::all_of(child.begin(), child.end(), [](const json& e) { return e.is_string(); })) {
      std::string chosen;
      for (const std::string& lang : languages) {
        if (child.contains(lang)) {
          chosen = lang;
          break;
        }
      }
      if (chosen.empty()) chosen = child.begin().key();
      json one = {{chosen, child[chosen]}};
      child = std::move(one);
    } else if (it.key() != "extensions") {
      Canonicalize(child, languages);
    }
  }
}

}  // namespace

bool IsUuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (t[i] != '-') return false;
    } else if (!IsHex(t[i])) {
      return false;
    }
  }
  return true;
}

bool IsIri(std::string_view t) {
  if (t.empty() || !IsAlpha(t[0])) return false;
  std::size_t i = 1;
  while (i < t.size() && (IsAlnum(t[i]) || t[i] == '+' || t[i] == '-' || t[i] == '.')) ++i;
  if (i >= t.size() || t[i] != ':' || i + 1 >= t.size()) return false;
  return std::none_of(t.begin(), t.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '<' || c == '>' || c == '"';
  });
}

bool IsLanguageTag(std::string_view t) {
  if (t.empty() || t.size() > 64) return false;
  std::size_t pos = 0, index = 0;
  bool private_use = false;
  std::size_t singleton_tags = 0;  // subtags seen after an extension singleton
  bool after_singleton = false;
  while (pos <= t.size()) {
    std::size_t end = t.find('-', pos);
    if (end == std::string_view::npos) end = t.size();
    std::string_view sub = t.substr(pos, end - pos);
    if (sub.empty() || sub.size() > 8 || !std::all_of(sub.begin(), sub.end(), IsAlnum))
      return false;
    if (index == 0) {
      if (sub == "x" || sub == "X" || sub == "i" || sub == "I") {
        private_use = true;
      } else if (sub.size() < 2 || !std::all_of(sub.begin(), sub.end(), IsAlpha)) {
        return false;
      }
    } else if (!private_use) {
      if (sub.size() == 1) {
        if (after_singleton && singleton_tags == 0) return false;
        if (sub == "x" || sub == "X") private_use = true;
        after_singleton = true;
        singleton_tags = 0;
      } else {
        ++singleton_tags;
      }
    }
    ++index;
    if (end == t.size()) break;
    pos = end + 1;
  }
  if (after_singleton && singleton_tags == 0 && !private_use) return false;
  return !t.ends_with("-");
}

std::optional<double> DurationSeconds(std::string_view t) {
  if (t.size() < 3 || t[0] != 'P') return std::nullopt;
  std::size_t i = 1;
  bool in_time = false, any = false, fraction_seen = false;
  std::string_view date_units = "YMWD", time_units = "HMS";
  // Seconds per unit; a year and a month have no fixed length, so 365 and 30 days.
  constexpr double kDate[] = {365 * 86400.0, 30 * 86400.0, 7 * 86400.0, 86400.0};
  constexpr double kTime[] = {3600.0, 60.0, 1.0};
  double seconds = 0;
  std::size_t last_unit = 0;
  while (i < t.size()) {
    if (t[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      last_unit = 0;
      ++i;
      if (i == t.size()) return std::nullopt;
      continue;
    }
    if (fraction_seen) return std::nullopt;  // a fraction only on the last part
    std::size_t start = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    const std::size_t digits_end = i;
    std::size_t fraction = 0, fraction_end = 0;
    if (i < t.size() && (t[i] == '.' || t[i] == ',')) {
      ++i;
      fraction = i;
      while (i < t.size() && IsDigit(t[i])) ++i;
      if (i == fraction) return std::nullopt;
      fraction_end = i;
      fraction_seen = true;
    }
    if (i == start || i >= t.size()) return std::nullopt;
    std::string_view units = in_time ? time_units : date_units;
    std::size_t u = units.find(t[i]);
    if (u == std::string_view::npos || u + 1 <= last_unit) return std::nullopt;
    last_unit = u + 1;
    any = true;
    double value = 0;
    for (std::size_t k = start; k < digits_end; ++k) value = value * 10 + (t[k] - '0');
    double scale = 0.1;
    for (std::size_t k = fraction; k < fraction_end; ++k, scale /= 10) value += (t[k] - '0') * scale;
    seconds += value * (in_time ? kTime[u] : kDate[u]);
    ++i;
  }
  // ISO 8601 allows weeks only on their own ("P4W", not "P4W1D").
  if (any && t.find('W') != std::string_view::npos &&
      t.find_first_of("YMDTHS", 1) != std::string_view::npos) {
    return std::nullopt;
  }
  if (!any) return std::nullopt;
  return seconds;
}

bool IsDuration(std::string_view t) { return DurationSeconds(t).has_value(); }

std::optional<Timestamp> ParseXapiTimestamp(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 20) return std::nullopt;
  if (!ParseDigits(s, 0, 4, &y) || s[4] != '-' || !ParseDigits(s, 5, 2, &mo) || s[7] != '-' ||
      !ParseDigits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !ParseDigits(s, 11, 2, &h) ||
      s[13] != ':' || !ParseDigits(s, 14, 2, &mi) || s[16] != ':' || !ParseDigits(s, 17, 2, &sec)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t i = 19;
  std::int64_t millis = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t start = i;
    int digits = 0;
    while (i < s.size() && IsDigit(s[i])) {
      if (digits < 3) millis = millis * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (i == start) return std::nullopt;
    while (digits < 3) {
      millis *= 10;
      ++digits;
    }
  }
  if (i >= s.size()) return std::nullopt;
  std::int64_t offset_min = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    const bool neg = s[i] == '-';
    int oh = 0, om = 0;
    if (!ParseDigits(s, i + 1, 2, &oh)) return std::nullopt;
    std::size_t j = i + 3;
    if (j < s.size() && s[j] == ':') ++j;
    if (j < s.size()) {
      if (!ParseDigits(s, j, 2, &om)) return std::nullopt;
      j += 2;
    }
    if (oh > 23 || om > 59) return std::nullopt;
    if (neg && oh == 0 && om == 0) return std::nullopt;  // "-00:00": unknown offset
    offset_min = (neg ? -1 : 1) * (oh * 60 + om);
    i = j;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const Date date = DateFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int cy;
  unsigned cm, cd;
  CivilFromDate(date, &cy, &cm, &cd);
  if (cy != y || static_cast<int>(cm) != mo || static_cast<int>(cd) != d) return std::nullopt;
  std::int64_t ms = StartOf(date).millis + ((h * 60LL + mi) * 60 + std::min(sec, 59)) * 1000 +
                    millis - offset_min * 60'000;
  return Timestamp{ms};
}

Status ValidateStatement(const json& statement, std::string_view path) {
  if (statement.is_object() && statement.contains("objectType")) {
    return InvalidArgumentError("{}: unknown property \"objectType\"", path);
  }
  return CheckStatementBody(NView(statement), path, false);
}

bool IsValidStatement(const json_view::SView& statement) {
  if (statement.contains("objectType")) return false;
  return CheckStatementBody(statement, NoPath{}, false).ok();
}

Status ValidateAgent(const json& agent, std::string_view path) {
  return CheckActor(NView(agent), path, false);
}

Status ValidateAgentParam(const json& agent, std::string_view param) {
  PW_RETURN_IF_ERROR(CheckActor(NView(agent), param, false));
  if (AgentKey(agent).empty()) {
    return InvalidArgumentError("{}: expected an Agent or identified Group", param);
  }
  return OkStatus();
}

std::string AgentKey(const json& a) { return AgentKeyOf(NView(a)); }
std::string AgentKey(const json_view::SView& a) { return AgentKeyOf(a); }
std::string AgentKey(const json_view::NView& a) { return AgentKeyOf(a); }

std::vector<std::string> RelatedAgentKeys(const json& s) {
  return Collected(NView(s), CollectAgents<NView>);
}
std::vector<std::string> RelatedAgentKeys(const NView& s) { return Collected(s, CollectAgents); }
std::vector<std::string> RelatedAgentKeys(const SView& s) { return Collected(s, CollectAgents); }

std::vector<std::string> RelatedActivityIds(const json& s) {
  return Collected(NView(s), CollectActivities<NView>);
}
std::vector<std::string> RelatedActivityIds(const NView& s) {
  return Collected(s, CollectActivities);
}
std::vector<std::string> RelatedActivityIds(const SView& s) {
  return Collected(s, CollectActivities);
}

json IdsFormat(const json& statement) { return IdsBody(statement); }

void NormalizeStatement(json& s) {
  if (!s.is_object()) return;
  if (s.contains("context") && s["context"].contains("contextActivities")) {
    for (auto& [key, v] : s["context"]["contextActivities"].items()) {
      (void)key;
      if (v.is_object()) v = json::array({v});
    }
  }
  if (s.contains("object") && s["object"].value("objectType", json()) == "SubStatement") {
    NormalizeStatement(s["object"]);
  }
}

json MergeActivity(const json& known, const json& incoming) {
  if (!known.is_object()) return incoming;
  json out = known;
  for (auto it = incoming.begin(); it != incoming.end(); ++it) {
    if (it.key() == "definition" && out.contains("definition") && out["definition"].is_object() &&
        it.value().is_object()) {
      json& def = out["definition"];
      for (auto d = it.value().begin(); d != it.value().end(); ++d) {
        if ((d.key() == "name" || d.key() == "description" || d.key() == "extensions") &&
            def.contains(d.key()) && def[d.key()].is_object() && d.value().is_object()) {
          def[d.key()].update(d.value());
        } else {
          def[d.key()] = d.value();
        }
      }
    } else {
      out[it.key()] = it.value();
    }
  }
  return out;
}

json CanonicalFormat(const json& statement, const std::vector<std::string>& languages) {
  json out = statement;
  Canonicalize(out, languages);
  return out;
}

}  // namespace pw::xapi
