// HTTP plumbing of the xAPI resources (server/xapi_routes.h): version-header rules, query
// parameters checked the way the specification types them, multipart/mixed bodies, digests,
// ETags, and generated statement ids.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"
#include "server/api.h"
#include "store/xapi_store.h"

namespace pw::server::xapi_http {

// Checks the request's X-Experience-API-Version (required, 1.0.x) and that every query
// parameter is one of `allowed`. InvalidArgument naming the header or parameter.
Status CheckRequest(const ApiRequest& req, const std::set<std::string>& allowed);

// The XapiStore of the request's store, or Unavailable (503) for a backend without one.
Result<XapiStore*> LrsOf(const ApiRequest& req);

std::optional<std::string> Param(const ApiRequest& req, const std::string& name);
Result<std::string> RequiredParam(const ApiRequest& req, const std::string& name);
// A JSON Agent/Group parameter; returns its agent key.
Result<std::string> AgentParam(const ApiRequest& req, const std::string& name, bool required,
                               nlohmann::json* agent_out = nullptr);
// An IRI parameter, a UUID parameter, a timestamp parameter, a "true"/"false" parameter.
Result<std::optional<std::string>> IriParam(const ApiRequest& req, const std::string& name);
Result<std::optional<std::string>> UuidParam(const ApiRequest& req, const std::string& name);
Result<std::optional<Timestamp>> TimeParam(const ApiRequest& req, const std::string& name);
Result<bool> BoolParam(const ApiRequest& req, const std::string& name);

// One part of a multipart/mixed body; header names in lower case.
struct Part {
  std::map<std::string, std::string> headers;
  std::string body;
};
// The parts of a multipart body with the boundary of `content_type`. InvalidArgument when the
// boundary is missing or the body is not well formed.
Result<std::vector<Part>> ParseMultipart(std::string_view content_type, std::string_view body);

// The media type of a Content-Type value, lower case, parameters dropped.
std::string MediaType(std::string_view content_type);

// RFC 7231 HTTP-date: "Thu, 26 Nov 2026 08:15:00 GMT".
std::string HttpDate(Timestamp t);

std::string Sha1Hex(std::string_view data);
std::string Sha256Hex(std::string_view data);
// A new random (version 4) UUID.
std::string NewUuid();

// Lower-case hex digits and no braces: the form statement ids are compared in.
std::string NormalizeUuid(std::string_view id);

}  // namespace pw::server::xapi_http
