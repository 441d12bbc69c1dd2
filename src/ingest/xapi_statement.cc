#include "ingest/xapi_statement.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <initializer_list>
#include <set>

namespace pw::xapi {
namespace {

using json = nlohmann::json;

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }

std::string Join(std::string_view path, std::string_view field) {
  std::string out(path);
  out += '.';
  out += field;
  return out;
}
std::string Index(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

// A JSON value shown in an error: strings as given (shortened), others by type.
std::string Shown(const json& v) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return "\"" + s + "\"";
  }
  if (v.is_null()) return "null";
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

Status Bad(std::string_view path, std::string_view expected, const json& got) {
  return InvalidArgumentError("{}: expected {}, got {}", path, expected, Shown(got));
}

// Every key of `obj` must be one of `allowed` (xAPI forbids properties it does not define).
Status OnlyKeys(const json& obj, std::string_view path, std::initializer_list<std::string_view> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      return InvalidArgumentError("{}: unknown property \"{}\"", path, it.key());
    }
    if (it.value().is_null()) {
      return InvalidArgumentError("{}: null is not a valid value", Join(path, it.key()));
    }
  }
  return OkStatus();
}

Status RequireObject(const json& v, std::string_view path) {
  if (!v.is_object()) return Bad(path, "an object", v);
  return OkStatus();
}

Status RequireString(const json& v, std::string_view path) {
  if (!v.is_string()) return Bad(path, "a string", v);
  return OkStatus();
}

Status CheckIri(const json& v, std::string_view path) {
  if (!v.is_string() || !IsIri(v.get_ref<const std::string&>())) {
    return Bad(path, "an IRI with a scheme (such as \"http://...\")", v);
  }
  return OkStatus();
}

Status CheckUuid(const json& v, std::string_view path) {
  if (!v.is_string() || !IsUuid(v.get_ref<const std::string&>())) {
    return Bad(path, "a UUID (8-4-4-4-12 hex digits)", v);
  }
  return OkStatus();
}

Status CheckLanguageMap(const json& v, std::string_view path) {
  PW_RETURN_IF_ERROR(RequireObject(v, path));
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!IsLanguageTag(it.key())) {
      return InvalidArgumentError("{}: \"{}\" is not an RFC 5646 language tag", path, it.key());
    }
    if (!it.value().is_string()) return Bad(Join(path, it.key()), "a string", it.value());
  }
  return OkStatus();
}

Status CheckExtensions(const json& v, std::string_view path) {
  PW_RETURN_IF_ERROR(RequireObject(v, path));
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!IsIri(it.key())) {
      return InvalidArgumentError("{}: key \"{}\" is not an IRI", path, it.key());
    }
  }
  return OkStatus();
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
Result<int> CheckIfis(const json& a, std::string_view path) {
  int count = 0;
  if (a.contains("mbox")) {
    ++count;
    const json& m = a["mbox"];
    if (!m.is_string() || !IsMbox(m.get_ref<const std::string&>())) {
      return Bad(Join(path, "mbox"), "an IRI of the form \"mailto:name@host\"", m);
    }
  }
  if (a.contains("mbox_sha1sum")) {
    ++count;
    const json& m = a["mbox_sha1sum"];
    if (!m.is_string() || m.get_ref<const std::string&>().size() != 40 ||
        !std::all_of(m.get_ref<const std::string&>().begin(), m.get_ref<const std::string&>().end(),
                     IsHex)) {
      return Bad(Join(path, "mbox_sha1sum"), "40 hex digits (a SHA-1 of a mailto IRI)", m);
    }
  }
  if (a.contains("openid")) {
    ++count;
    PW_RETURN_IF_ERROR(CheckIri(a["openid"], Join(path, "openid")));
  }
  if (a.contains("account")) {
    ++count;
    const json& acc = a["account"];
    const std::string ap = Join(path, "account");
    PW_RETURN_IF_ERROR(RequireObject(acc, ap));
    PW_RETURN_IF_ERROR(OnlyKeys(acc, ap, {"homePage", "name"}));
    if (!acc.contains("homePage")) return InvalidArgumentError("{}: homePage is required", ap);
    if (!acc.contains("name")) return InvalidArgumentError("{}: name is required", ap);
    PW_RETURN_IF_ERROR(CheckIri(acc["homePage"], Join(ap, "homePage")));
    PW_RETURN_IF_ERROR(RequireString(acc["name"], Join(ap, "name")));
  }
  return count;
}

Status CheckAgentOnly(const json& a, std::string_view path, bool object_type_required) {
  PW_RETURN_IF_ERROR(RequireObject(a, path));
  PW_RETURN_IF_ERROR(
      OnlyKeys(a, path, {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}));
  if (a.contains("objectType") && a["objectType"] != "Agent") {
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

Status CheckGroup(const json& g, std::string_view path) {
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
    const json& m = g["member"];
    const std::string mp = Join(path, "member");
    if (!m.is_array()) return Bad(mp, "an array of Agents", m);
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (m[i].is_object() && m[i].contains("objectType") && m[i]["objectType"] == "Group") {
        return InvalidArgumentError("{}: a Group member must be an Agent, not a Group",
                                    Index(mp, i));
      }
      PW_RETURN_IF_ERROR(CheckAgentOnly(m[i], Index(mp, i), false));
    }
  } else if (ifis == 0) {
    return InvalidArgumentError("{}: an anonymous Group (no identifier) needs a member list", path);
  }
  if (ifis == 0 && g["member"].empty()) {
    return InvalidArgumentError("{}: an anonymous Group needs at least one member", path);
  }
  return OkStatus();
}

Status CheckActor(const json& a, std::string_view path, bool as_object) {
  PW_RETURN_IF_ERROR(RequireObject(a, path));
  if (a.contains("objectType") && a["objectType"] == "Group") return CheckGroup(a, path);
  return CheckAgentOnly(a, path, as_object);
}

Status CheckInteractionComponents(const json& v, std::string_view path) {
  if (!v.is_array()) return Bad(path, "an array of interaction components", v);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = Index(path, i);
    PW_RETURN_IF_ERROR(RequireObject(v[i], p));
    PW_RETURN_IF_ERROR(OnlyKeys(v[i], p, {"id", "description"}));
    if (!v[i].contains("id")) return InvalidArgumentError("{}: id is required", p);
    PW_RETURN_IF_ERROR(RequireString(v[i]["id"], Join(p, "id")));
    if (!ids.insert(v[i]["id"].get<std::string>()).second) {
      return InvalidArgumentError("{}: id \"{}\" appears twice", p, v[i]["id"].get<std::string>());
    }
    if (v[i].contains("description")) {
      PW_RETURN_IF_ERROR(CheckLanguageMap(v[i]["description"], Join(p, "description")));
    }
  }
  return OkStatus();
}

Status CheckDefinition(const json& d, std::string_view path) {
  PW_RETURN_IF_ERROR(RequireObject(d, path));
  PW_RETURN_IF_ERROR(OnlyKeys(d, path,
                              {"name", "description", "type", "moreInfo", "extensions",
                               "interactionType", "correctResponsesPattern", "choices", "scale",
                               "source", "target", "steps"}));
  if (d.contains("name")) PW_RETURN_IF_ERROR(CheckLanguageMap(d["name"], Join(path, "name")));
  if (d.contains("description")) {
    PW_RETURN_IF_ERROR(CheckLanguageMap(d["description"], Join(path, "description")));
  }
  if (d.contains("type")) PW_RETURN_IF_ERROR(CheckIri(d["type"], Join(path, "type")));
  if (d.contains("moreInfo")) PW_RETURN_IF_ERROR(CheckIri(d["moreInfo"], Join(path, "moreInfo")));
  if (d.contains("extensions")) {
    PW_RETURN_IF_ERROR(CheckExtensions(d["extensions"], Join(path, "extensions")));
  }
  static const std::set<std::string> kInteractionTypes = {
      "true-false", "choice",    "fill-in",    "long-fill-in", "matching",
      "performance", "sequencing", "likert",    "numeric",      "other"};
  std::string itype;
  if (d.contains("interactionType")) {
    const json& t = d["interactionType"];
    if (!t.is_string() || !kInteractionTypes.contains(t.get<std::string>())) {
      return Bad(Join(path, "interactionType"),
                 "one of true-false, choice, fill-in, long-fill-in, matching, performance, "
                 "sequencing, likert, numeric, other",
                 t);
    }
    itype = t.get<std::string>();
  }
  if (d.contains("correctResponsesPattern")) {
    const json& c = d["correctResponsesPattern"];
    const std::string cp = Join(path, "correctResponsesPattern");
    if (itype.empty()) return InvalidArgumentError("{}: needs an interactionType", cp);
    if (!c.is_array()) return Bad(cp, "an array of strings", c);
    for (std::size_t i = 0; i < c.size(); ++i) {
      PW_RETURN_IF_ERROR(RequireString(c[i], Index(cp, i)));
    }
  }
  for (const char* key : {"choices", "scale", "source", "target", "steps"}) {
    if (!d.contains(key)) continue;
    const std::string kp = Join(path, key);
    if (itype.empty()) return InvalidArgumentError("{}: needs an interactionType", kp);
    PW_RETURN_IF_ERROR(CheckInteractionComponents(d[key], kp));
  }
  return OkStatus();
}

Status CheckActivity(const json& a, std::string_view path) {
  PW_RETURN_IF_ERROR(RequireObject(a, path));
  PW_RETURN_IF_ERROR(OnlyKeys(a, path, {"objectType", "id", "definition"}));
  if (a.contains("objectType") && a["objectType"] != "Activity") {
    return Bad(Join(path, "objectType"), "\"Activity\"", a["objectType"]);
  }
  if (!a.contains("id")) return InvalidArgumentError("{}: id is required", path);
  PW_RETURN_IF_ERROR(CheckIri(a["id"], Join(path, "id")));
  if (a.contains("definition")) {
    PW_RETURN_IF_ERROR(CheckDefinition(a["definition"], Join(path, "definition")));
  }
  return OkStatus();
}

Status CheckStatementRef(const json& r, std::string_view path) {
  PW_RETURN_IF_ERROR(RequireObject(r, path));
  PW_RETURN_IF_ERROR(OnlyKeys(r, path, {"objectType", "id"}));
  if (r.value("objectType", json()) != "StatementRef") {
    return Bad(Join(path, "objectType"), "\"StatementRef\"", r.value("objectType", json()));
  }
  if (!r.contains("id")) return InvalidArgumentError("{}: id is required", path);
  return CheckUuid(r["id"], Join(path, "id"));
}

Status CheckVerb(const json& v, std::string_view path) {
  PW_RETURN_IF_ERROR(RequireObject(v, path));
  PW_RETURN_IF_ERROR(OnlyKeys(v, path, {"id", "display"}));
  if (!v.contains("id")) return InvalidArgumentError("{}: id is required", path);
  PW_RETURN_IF_ERROR(CheckIri(v["id"], Join(path, "id")));
  if (v.contains("display")) PW_RETURN_IF_ERROR(CheckLanguageMap(v["display"], Join(path, "display")));
  return OkStatus();
}

Status CheckResult(const json& r, std::string_view path) {
  PW_RETURN_IF_ERROR(RequireObject(r, path));
  PW_RETURN_IF_ERROR(
      OnlyKeys(r, path, {"score", "success", "completion", "response", "duration", "extensions"}));
  if (r.contains("score")) {
    const json& s = r["score"];
    const std::string sp = Join(path, "score");
    PW_RETURN_IF_ERROR(RequireObject(s, sp));
    PW_RETURN_IF_ERROR(OnlyKeys(s, sp, {"scaled", "raw", "min", "max"}));
    for (const char* k : {"scaled", "raw", "min", "max"}) {
      if (s.contains(k) && !s[k].is_number()) return Bad(Join(sp, k), "a number", s[k]);
    }
    if (s.contains("scaled")) {
      const double scaled = s["scaled"].get<double>();
      if (!(scaled >= -1.0 && scaled <= 1.0)) {
        return InvalidArgumentError("{}: must be between -1 and 1, got {}", Join(sp, "scaled"),
                                    s["scaled"].dump());
      }
    }
    const bool has_min = s.contains("min"), has_max = s.contains("max");
    if (has_min && has_max && s["min"].get<double>() > s["max"].get<double>()) {
      return InvalidArgumentError("{}: min {} is greater than max {}", sp, s["min"].dump(),
                                  s["max"].dump());
    }
    if (s.contains("raw")) {
      const double raw = s["raw"].get<double>();
      if (has_min && raw < s["min"].get<double>()) {
        return InvalidArgumentError("{}: raw {} is below min {}", sp, s["raw"].dump(),
                                    s["min"].dump());
      }
      if (has_max && raw > s["max"].get<double>()) {
        return InvalidArgumentError("{}: raw {} is above max {}", sp, s["raw"].dump(),
                                    s["max"].dump());
      }
    }
  }
  for (const char* k : {"success", "completion"}) {
    if (r.contains(k) && !r[k].is_boolean()) return Bad(Join(path, k), "true or false", r[k]);
  }
  if (r.contains("response")) PW_RETURN_IF_ERROR(RequireString(r["response"], Join(path, "response")));
  if (r.contains("duration")) {
    const json& d = r["duration"];
    if (!d.is_string() || !IsDuration(d.get<std::string>())) {
      return Bad(Join(path, "duration"), "an ISO 8601 duration such as \"PT1M30S\"", d);
    }
  }
  if (r.contains("extensions")) {
    PW_RETURN_IF_ERROR(CheckExtensions(r["extensions"], Join(path, "extensions")));
  }
  return OkStatus();
}

Status CheckContext(const json& c, std::string_view path, bool object_is_activity) {
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
    const json& t = c["team"];
    if (!t.is_object() || t.value("objectType", json()) != "Group") {
      return Bad(Join(path, "team"), "a Group (objectType \"Group\")", t);
    }
    PW_RETURN_IF_ERROR(CheckGroup(t, Join(path, "team")));
  }
  if (c.contains("contextActivities")) {
    const json& ca = c["contextActivities"];
    const std::string cp = Join(path, "contextActivities");
    PW_RETURN_IF_ERROR(RequireObject(ca, cp));
    PW_RETURN_IF_ERROR(OnlyKeys(ca, cp, {"parent", "grouping", "category", "other"}));
    for (auto it = ca.begin(); it != ca.end(); ++it) {
      const std::string kp = Join(cp, it.key());
      if (it.value().is_array()) {
        for (std::size_t i = 0; i < it.value().size(); ++i) {
          PW_RETURN_IF_ERROR(CheckActivity(it.value()[i], Index(kp, i)));
        }
      } else {
        PW_RETURN_IF_ERROR(CheckActivity(it.value(), kp));
      }
    }
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
    const json& l = c["language"];
    if (!l.is_string() || !IsLanguageTag(l.get<std::string>())) {
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

Status CheckAttachments(const json& a, std::string_view path) {
  if (!a.is_array()) return Bad(path, "an array of attachments", a);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string p = Index(path, i);
    const json& at = a[i];
    PW_RETURN_IF_ERROR(RequireObject(at, p));
    PW_RETURN_IF_ERROR(OnlyKeys(at, p,
                                {"usageType", "display", "description", "contentType", "length",
                                 "sha2", "fileUrl"}));
    for (const char* k : {"usageType", "display", "contentType", "length", "sha2"}) {
      if (!at.contains(k)) return InvalidArgumentError("{}: {} is required", p, k);
    }
    PW_RETURN_IF_ERROR(CheckIri(at["usageType"], Join(p, "usageType")));
    PW_RETURN_IF_ERROR(CheckLanguageMap(at["display"], Join(p, "display")));
    if (at.contains("description")) {
      PW_RETURN_IF_ERROR(CheckLanguageMap(at["description"], Join(p, "description")));
    }
    const json& ct = at["contentType"];
    if (!ct.is_string() || ct.get<std::string>().find('/') == std::string::npos) {
      return Bad(Join(p, "contentType"), "an Internet Media Type such as \"text/plain\"", ct);
    }
    if (!at["length"].is_number_integer() || at["length"].get<std::int64_t>() < 0) {
      return Bad(Join(p, "length"), "a non-negative integer", at["length"]);
    }
    const json& sha = at["sha2"];
    if (!sha.is_string() || sha.get<std::string>().empty() ||
        !std::all_of(sha.get<std::string>().begin(), sha.get<std::string>().end(), IsHex)) {
      return Bad(Join(p, "sha2"), "a hex SHA-2 digest", sha);
    }
    if (at.contains("fileUrl")) PW_RETURN_IF_ERROR(CheckIri(at["fileUrl"], Join(p, "fileUrl")));
  }
  return OkStatus();
}

Status CheckStatementBody(const json& s, std::string_view path, bool sub);

Status CheckObject(const json& o, std::string_view path, bool in_sub) {
  PW_RETURN_IF_ERROR(RequireObject(o, path));
  const json type = o.value("objectType", json("Activity"));
  if (!type.is_string()) return Bad(Join(path, "objectType"), "a string", type);
  const std::string t = type.get<std::string>();
  if (t == "Activity") return CheckActivity(o, path);
  if (t == "Agent") return CheckAgentOnly(o, path, true);
  if (t == "Group") return CheckGroup(o, path);
  if (t == "StatementRef") return CheckStatementRef(o, path);
  if (t == "SubStatement") {
    if (in_sub) return InvalidArgumentError("{}: a SubStatement cannot contain a SubStatement", path);
    return CheckStatementBody(o, path, true);
  }
  return Bad(Join(path, "objectType"),
             "one of Activity, Agent, Group, StatementRef, SubStatement", type);
}

Status CheckStatementBody(const json& s, std::string_view path, bool sub) {
  PW_RETURN_IF_ERROR(RequireObject(s, path));
  if (sub) {
    PW_RETURN_IF_ERROR(OnlyKeys(s, path,
                                {"objectType", "actor", "verb", "object", "result", "context",
                                 "timestamp", "attachments"}));
  } else {
    PW_RETURN_IF_ERROR(OnlyKeys(s, path,
                                {"id", "actor", "verb", "object", "result", "context",
                                 "timestamp", "stored", "authority", "version", "attachments"}));
  }
  for (const char* k : {"actor", "verb", "object"}) {
    if (!s.contains(k)) return InvalidArgumentError("{}: {} is required", path, k);
  }
  if (s.contains("id")) PW_RETURN_IF_ERROR(CheckUuid(s["id"], Join(path, "id")));
  PW_RETURN_IF_ERROR(CheckActor(s["actor"], Join(path, "actor"), false));
  PW_RETURN_IF_ERROR(CheckVerb(s["verb"], Join(path, "verb")));
  PW_RETURN_IF_ERROR(CheckObject(s["object"], Join(path, "object"), sub));
  const bool object_is_activity =
      s["object"].value("objectType", json("Activity")) == "Activity";
  if (s.contains("result")) PW_RETURN_IF_ERROR(CheckResult(s["result"], Join(path, "result")));
  if (s.contains("context")) {
    PW_RETURN_IF_ERROR(CheckContext(s["context"], Join(path, "context"), object_is_activity));
  }
  for (const char* k : {"timestamp", "stored"}) {
    if (!s.contains(k)) continue;
    const json& t = s[k];
    if (!t.is_string() || !ParseXapiTimestamp(t.get<std::string>())) {
      return Bad(Join(path, k), "an ISO 8601 timestamp with a time zone", t);
    }
  }
  if (s.contains("authority")) {
    const json& a = s["authority"];
    const std::string ap = Join(path, "authority");
    PW_RETURN_IF_ERROR(CheckActor(a, ap, false));
    if (a.value("objectType", json()) == "Group") {
      // A Group authority stands for an OAuth consumer and a user: anonymous, two members.
      if (!AgentKey(a).empty() || !a.contains("member") || a["member"].size() != 2) {
        return InvalidArgumentError(
            "{}: a Group authority must be an anonymous Group of exactly two Agents (OAuth "
            "consumer and user)",
            ap);
      }
    }
  }
  if (s.contains("version")) {
    const json& v = s["version"];
    if (!v.is_string() || !(v.get<std::string>().starts_with("1.0.") || v == "1.0") ||
        v.get<std::string>().size() > 8) {
      return Bad(Join(path, "version"), "an xAPI version 1.0.x", v);
    }
    const std::string vs = v.get<std::string>();
    if (vs.size() > 4 && !std::all_of(vs.begin() + 4, vs.end(), IsDigit)) {
      return Bad(Join(path, "version"), "an xAPI version 1.0.x", v);
    }
  }
  if (s.contains("attachments")) {
    PW_RETURN_IF_ERROR(CheckAttachments(s["attachments"], Join(path, "attachments")));
  }
  if (s["verb"]["id"] == kVoidedVerb && !sub) {
    if (s["object"].value("objectType", json()) != "StatementRef") {
      return InvalidArgumentError("{}: a voiding statement (verb voided) needs a StatementRef object",
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

void AddAgentKeys(const json& a, std::vector<std::string>* out) {
  if (!a.is_object()) return;
  std::string k = AgentKey(a);
  if (!k.empty()) out->push_back(std::move(k));
  if (a.contains("member") && a["member"].is_array()) {
    for (const json& m : a["member"]) {
      std::string mk = AgentKey(m);
      if (!mk.empty()) out->push_back(std::move(mk));
    }
  }
}

void Dedupe(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

void CollectAgents(const json& s, std::vector<std::string>* out) {
  if (s.contains("actor")) AddAgentKeys(s["actor"], out);
  if (s.contains("object")) {
    const json& o = s["object"];
    const json t = o.value("objectType", json("Activity"));
    if (t == "Agent" || t == "Group") AddAgentKeys(o, out);
    if (t == "SubStatement") CollectAgents(o, out);
  }
  if (s.contains("authority")) AddAgentKeys(s["authority"], out);
  if (s.contains("context")) {
    const json& c = s["context"];
    if (c.contains("instructor")) AddAgentKeys(c["instructor"], out);
    if (c.contains("team")) AddAgentKeys(c["team"], out);
  }
}

void CollectActivities(const json& s, std::vector<std::string>* out) {
  if (s.contains("object")) {
    const json& o = s["object"];
    const json t = o.value("objectType", json("Activity"));
    if (t == "Activity" && o.contains("id") && o["id"].is_string()) out->push_back(o["id"]);
    if (t == "SubStatement") CollectActivities(o, out);
  }
  if (s.contains("context") && s["context"].contains("contextActivities")) {
    for (auto& [key, v] : s["context"]["contextActivities"].items()) {
      (void)key;
      if (v.is_array()) {
        for (const json& a : v) {
          if (a.contains("id") && a["id"].is_string()) out->push_back(a["id"]);
        }
      } else if (v.contains("id") && v["id"].is_string()) {
        out->push_back(v["id"]);
      }
    }
  }
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
    if (sub.empty() || sub.size() > 8 || !std::all_of(sub.begin(), sub.end(), IsAlnum)) return false;
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

bool IsDuration(std::string_view t) {
  if (t.size() < 3 || t[0] != 'P') return false;
  std::size_t i = 1;
  bool in_time = false, any = false, fraction_seen = false;
  std::string_view date_units = "YMWD", time_units = "HMS";
  std::size_t last_unit = 0;
  while (i < t.size()) {
    if (t[i] == 'T') {
      if (in_time) return false;
      in_time = true;
      last_unit = 0;
      ++i;
      if (i == t.size()) return false;
      continue;
    }
    if (fraction_seen) return false;  // a fraction only on the last part
    std::size_t start = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i < t.size() && (t[i] == '.' || t[i] == ',')) {
      ++i;
      std::size_t f = i;
      while (i < t.size() && IsDigit(t[i])) ++i;
      if (i == f) return false;
      fraction_seen = true;
    }
    if (i == start || i >= t.size()) return false;
    std::string_view units = in_time ? time_units : date_units;
    std::size_t u = units.find(t[i]);
    if (u == std::string_view::npos || u + 1 <= last_unit) return false;
    last_unit = u + 1;
    any = true;
    ++i;
  }
  // ISO 8601 allows weeks only on their own ("P4W", not "P4W1D").
  if (any && t.find('W') != std::string_view::npos && t.find_first_of("YMDTHS", 1) != std::string_view::npos) {
    return false;
  }
  return any;
}

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
  return CheckStatementBody(statement, path, false);
}

Status ValidateAgent(const json& agent, std::string_view path) {
  return CheckActor(agent, path, false);
}

Status ValidateAgentParam(const json& agent, std::string_view param) {
  PW_RETURN_IF_ERROR(CheckActor(agent, param, false));
  if (AgentKey(agent).empty()) {
    return InvalidArgumentError("{}: expected an Agent or identified Group", param);
  }
  return OkStatus();
}

std::string AgentKey(const json& a) {
  if (!a.is_object()) return "";
  if (a.contains("mbox") && a["mbox"].is_string()) return "mbox:" + a["mbox"].get<std::string>();
  if (a.contains("mbox_sha1sum") && a["mbox_sha1sum"].is_string()) {
    std::string h = a["mbox_sha1sum"].get<std::string>();
    std::transform(h.begin(), h.end(), h.begin(), [](char c) { return std::tolower(c); });
    return "sha1:" + h;
  }
  if (a.contains("openid") && a["openid"].is_string()) {
    return "openid:" + a["openid"].get<std::string>();
  }
  if (a.contains("account") && a["account"].is_object()) {
    const json& acc = a["account"];
    if (acc.contains("homePage") && acc["homePage"].is_string() && acc.contains("name") &&
        acc["name"].is_string()) {
      return "account:" + acc["homePage"].get<std::string>() + " " + acc["name"].get<std::string>();
    }
  }
  return "";
}

std::vector<std::string> RelatedAgentKeys(const json& statement) {
  std::vector<std::string> out;
  CollectAgents(statement, &out);
  Dedupe(&out);
  return out;
}

std::vector<std::string> RelatedActivityIds(const json& statement) {
  std::vector<std::string> out;
  CollectActivities(statement, &out);
  Dedupe(&out);
  return out;
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
