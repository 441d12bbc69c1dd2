// The one place where a Status becomes an HTTP status and a JSON error body (DESIGN.md):
//   {"error":{"code":"not_found","message":"student 7 not found","details":{...}}}
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace pw::server {

// InvalidArgument 400, Unauthenticated 401, PermissionDenied 403, NotFound 404,
// AlreadyExists/FailedPrecondition 409, ResourceExhausted 413, Unavailable 503,
// Unimplemented 501, anything else 500.
int HttpStatusFor(StatusCode code);

// "not_found", "invalid_argument", ...
std::string ErrorCodeFor(StatusCode code);

// The error body. Internal errors never carry their message to the client (it is logged
// instead): the body then says only "internal error".
nlohmann::json ErrorBody(const Status& status, const nlohmann::json& details = nullptr);

}  // namespace pw::server
