#include "server/xapi_http.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include <fmt/core.h>
#include <httplib.h>
#include <sodium.h>

#include "ingest/xapi_statement.h"
#include "server/auth.h"

namespace pw::server::xapi_http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::uint32_t Rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

}  // namespace

Status CheckRequest(const ApiRequest& req, const std::set<std::string>& allowed) {
  const httplib::Request& http = req.http();
  if (!http.has_header("X-Experience-API-Version")) {
    return InvalidArgumentError("X-Experience-API-Version header is required (1.0.3)");
  }
  const std::string v = http.get_header_value("X-Experience-API-Version");
  if (!(v == "1.0" || (v.starts_with("1.0.") && v.size() > 4 && v.size() <= 8 &&
                       std::all_of(v.begin() + 4, v.end(), ::isdigit)))) {
    return InvalidArgumentError("X-Experience-API-Version: expected 1.0.x, got \"{}\"", v);
  }
  for (const auto& [name, value] : http.params) {
    (void)value;
    if (!allowed.contains(name)) {
      return InvalidArgumentError("query parameter {}: not a parameter of this resource", name);
    }
  }
  return OkStatus();
}

Result<XapiStore*> LrsOf(const ApiRequest& req) {
  XapiStore* lrs = req.store().xapi();
  if (lrs == nullptr) {
    return UnavailableError(
        "this database backend has no xAPI learning record store yet (use SQLite)");
  }
  return lrs;
}

std::optional<std::string> Param(const ApiRequest& req, const std::string& name) {
  if (!req.http().has_param(name)) return std::nullopt;
  return req.http().get_param_value(name);
}

Result<std::string> RequiredParam(const ApiRequest& req, const std::string& name) {
  std::optional<std::string> v = Param(req, name);
  if (!v) return InvalidArgumentError("query parameter {}: required", name);
  return *v;
}

Result<std::string> AgentParam(const ApiRequest& req, const std::string& name, bool required,
                               nlohmann::json* agent_out) {
  std::optional<std::string> v = Param(req, name);
  if (!v) {
    if (required) return InvalidArgumentError("query parameter {}: required", name);
    return std::string();
  }
  nlohmann::json agent = nlohmann::json::parse(*v, nullptr, false);
  if (agent.is_discarded()) {
    return InvalidArgumentError("query parameter {}: expected an Agent as JSON", name);
  }
  PW_RETURN_IF_ERROR(xapi::ValidateAgentParam(agent, "query parameter " + name));
  if (agent_out) *agent_out = agent;
  return xapi::AgentKey(agent);
}

Result<std::optional<std::string>> IriParam(const ApiRequest& req, const std::string& name) {
  std::optional<std::string> v = Param(req, name);
  if (v && !xapi::IsIri(*v)) {
    return InvalidArgumentError("query parameter {}: expected an IRI, got \"{}\"", name, *v);
  }
  return v;
}

Result<std::optional<std::string>> UuidParam(const ApiRequest& req, const std::string& name) {
  std::optional<std::string> v = Param(req, name);
  if (v && !xapi::IsUuid(*v)) {
    return InvalidArgumentError("query parameter {}: expected a UUID, got \"{}\"", name, *v);
  }
  if (v) *v = NormalizeUuid(*v);
  return v;
}

Result<std::optional<Timestamp>> TimeParam(const ApiRequest& req, const std::string& name) {
  std::optional<std::string> v = Param(req, name);
  if (!v) return std::optional<Timestamp>();
  std::optional<Timestamp> t = xapi::ParseXapiTimestamp(*v);
  if (!t) {
    return InvalidArgumentError("query parameter {}: expected an ISO 8601 timestamp, got \"{}\"",
                                name, *v);
  }
  return t;
}

Result<bool> BoolParam(const ApiRequest& req, const std::string& name) {
  std::optional<std::string> v = Param(req, name);
  if (!v) return false;
  if (*v == "true") return true;
  if (*v == "false") return false;
  return InvalidArgumentError("query parameter {}: expected true or false, got \"{}\"", name, *v);
}

std::string MediaType(std::string_view content_type) {
  std::size_t semi = content_type.find(';');
  return Lower(TrimView(content_type.substr(0, semi)));
}

Result<std::vector<Part>> ParseMultipart(std::string_view content_type, std::string_view body) {
  std::string boundary;
  std::size_t at = Lower(content_type).find("boundary=");
  if (at == std::string::npos) {
    return InvalidArgumentError("Content-Type: multipart/mixed needs a boundary parameter");
  }
  std::string_view b = content_type.substr(at + 9);
  b = b.substr(0, b.find(';'));
  b = TrimView(b);
  if (b.size() >= 2 && b.front() == '"' && b.back() == '"') b = b.substr(1, b.size() - 2);
  if (b.empty()) return InvalidArgumentError("Content-Type: empty multipart boundary");
  boundary = "--" + std::string(b);
  std::vector<Part> parts;
  std::size_t pos = body.find(boundary);
  if (pos == std::string_view::npos) {
    return InvalidArgumentError("multipart body: boundary \"{}\" not found", std::string(b));
  }
  while (true) {
    pos += boundary.size();
    if (body.substr(pos, 2) == "--") break;  // closing delimiter
    // Skip the rest of the delimiter line.
    std::size_t eol = body.find("\r\n", pos);
    if (eol == std::string_view::npos) return InvalidArgumentError("multipart body: truncated part");
    pos = eol + 2;
    std::size_t header_end = body.find("\r\n\r\n", pos);
    std::size_t content_start;
    Part part;
    if (body.substr(pos, 2) == "\r\n") {  // no headers
      content_start = pos + 2;
    } else {
      if (header_end == std::string_view::npos) {
        return InvalidArgumentError("multipart body: part headers not terminated");
      }
      std::string_view headers = body.substr(pos, header_end - pos);
      while (!headers.empty()) {
        std::size_t line_end = headers.find("\r\n");
        std::string_view line = headers.substr(0, line_end);
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
          return InvalidArgumentError("multipart body: malformed part header");
        }
        part.headers[Lower(TrimView(line.substr(0, colon)))] =
            std::string(TrimView(line.substr(colon + 1)));
        if (line_end == std::string_view::npos) break;
        headers.remove_prefix(line_end + 2);
      }
      content_start = header_end + 4;
    }
    std::size_t next = body.find("\r\n" + boundary, content_start);
    if (next == std::string_view::npos) {
      return InvalidArgumentError("multipart body: missing closing boundary");
    }
    part.body = std::string(body.substr(content_start, next - content_start));
    parts.push_back(std::move(part));
    pos = next + 2;
  }
  return parts;
}

std::string HttpDate(Timestamp t) {
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const Date d = DateOf(t);
  int y;
  unsigned m, day;
  CivilFromDate(d, &y, &m, &day);
  const std::int64_t secs = (t.millis - StartOf(d).millis) / 1000;
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[Weekday(d)], day, kMonths[m - 1], y,
                     secs / 3600, secs / 60 % 60, secs % 60);
}

std::string Sha1Hex(std::string_view data) {
  std::uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string msg(data);
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back('\0');
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<char>((bits >> (i * 8)) & 0xff));
  for (std::size_t off = 0; off < msg.size(); off += 64) {
    std::uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(msg.data() + off + i * 4);
      w[i] = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
             (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
    }
    for (int i = 16; i < 80; ++i) w[i] = Rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      std::uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d), k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d, k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d, k = 0xCA62C1D6;
      }
      const std::uint32_t t = Rotl(a, 5) + f + e + k + w[i];
      e = d, d = c, c = Rotl(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint32_t v : h) {
    for (int i = 28; i >= 0; i -= 4) out.push_back(kHex[(v >> i) & 0xf]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string NewUuid() {
  std::string h = RandomHex(16);
  h[12] = '4';
  static constexpr char kVariant[] = "89ab";
  h[16] = kVariant[std::stoi(std::string(1, h[16]), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string NormalizeUuid(std::string_view id) { return Lower(id); }

}  // namespace pw::server::xapi_http
