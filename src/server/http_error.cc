#include "server/http_error.h"

#include <algorithm>
#include <cctype>

namespace pw::server {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kResourceExhausted: return 413;
    case StatusCode::kUnimplemented: return 501;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

std::string ErrorCodeFor(StatusCode code) {
  std::string name(StatusCodeName(code));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

nlohmann::json ErrorBody(const Status& status, const nlohmann::json& details) {
  const bool internal = HttpStatusFor(status.code()) >= 500 && status.code() != StatusCode::kUnavailable &&
                        status.code() != StatusCode::kUnimplemented;
  nlohmann::json error = {
      {"code", ErrorCodeFor(status.code())},
      {"message", internal ? std::string("internal error") : status.message()},
  };
  if (!details.is_null()) error["details"] = details;
  return {{"error", std::move(error)}};
}

}  // namespace pw::server
