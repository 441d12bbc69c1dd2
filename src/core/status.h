// Status and Result<T>: errors as values, used by every Pathwise module.
//
// Library code returns Status (or Result<T> when it produces a value); no exception crosses a
// module boundary. The server maps codes to HTTP statuses in one place, the CLI maps them to
// exit codes (InvalidArgument/NotFound/... -> 2, Internal -> 1).
//
//   Result<Competency> r = graph.Find("6.EE.A.2");
//   if (!r.ok()) return r.status();
//   PW_ASSIGN_OR_RETURN(auto rows, ReadRows(path));
//   PW_RETURN_IF_ERROR(store.PutEvidence(rows));
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <fmt/core.h>

namespace pw {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input from a user or file: 400, exit 2
  kNotFound,            // 404
  kAlreadyExists,       // 409
  kFailedPrecondition,  // 409: the system is not in a state to do this
  kPermissionDenied,    // 403
  kUnauthenticated,     // 401
  kResourceExhausted,   // 413 / 429
  kUnavailable,         // 503: try again later
  kUnimplemented,       // 501
  kInternal,            // 500: a bug or an environment failure
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "INVALID_ARGUMENT: message"
  std::string ToString() const;

  // Returns a copy whose message is "prefix: message" (keeps the code). For adding context
  // such as a file name as an error travels up.
  Status WithPrefix(std::string_view prefix) const;

  // Marks a status as deliberately dropped.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }

#define PW_DEFINE_ERROR_FACTORY(Name, Code)                                      \
  inline Status Name(std::string message) { return Status(Code, std::move(message)); } \
  template <typename... Args>                                                    \
  Status Name(fmt::format_string<Args...> f, Args&&... args) {                   \
    return Status(Code, fmt::format(f, std::forward<Args>(args)...));            \
  }
PW_DEFINE_ERROR_FACTORY(InvalidArgumentError, StatusCode::kInvalidArgument)
PW_DEFINE_ERROR_FACTORY(NotFoundError, StatusCode::kNotFound)
PW_DEFINE_ERROR_FACTORY(AlreadyExistsError, StatusCode::kAlreadyExists)
PW_DEFINE_ERROR_FACTORY(FailedPreconditionError, StatusCode::kFailedPrecondition)
PW_DEFINE_ERROR_FACTORY(PermissionDeniedError, StatusCode::kPermissionDenied)
PW_DEFINE_ERROR_FACTORY(UnauthenticatedError, StatusCode::kUnauthenticated)
PW_DEFINE_ERROR_FACTORY(ResourceExhaustedError, StatusCode::kResourceExhausted)
PW_DEFINE_ERROR_FACTORY(UnavailableError, StatusCode::kUnavailable)
PW_DEFINE_ERROR_FACTORY(UnimplementedError, StatusCode::kUnimplemented)
PW_DEFINE_ERROR_FACTORY(InternalError, StatusCode::kInternal)
#undef PW_DEFINE_ERROR_FACTORY

// Either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return ok() ? std::get<T>(v_) : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

#define PW_STATUS_CONCAT_INNER(a, b) a##b
#define PW_STATUS_CONCAT(a, b) PW_STATUS_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define PW_RETURN_IF_ERROR(expr)                    \
  do {                                              \
    ::pw::Status pw_status_tmp_ = (expr);           \
    if (!pw_status_tmp_.ok()) return pw_status_tmp_; \
  } while (0)

// `lhs = value of expr` (a Result<T>), or returns its status from the enclosing function.
#define PW_ASSIGN_OR_RETURN(lhs, expr) \
  PW_ASSIGN_OR_RETURN_IMPL(PW_STATUS_CONCAT(pw_result_, __LINE__), lhs, expr)
#define PW_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

}  // namespace pw
