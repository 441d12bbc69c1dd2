// Read-only views of a parsed JSON value with one small interface over two parsers, so that one
// piece of code (the xAPI statement validator, the statement preparation) runs on either:
//
//   NView -- a nlohmann::json (what most of Pathwise uses),
//   SView -- a simdjson DOM element (bulk ingest: parsing is ~30x faster and allocates nothing
//            per value; see docs/decisions.md).
//
//   simdjson::dom::parser parser;
//   simdjson::dom::element doc;
//   if (parser.parse(text).get(doc) == simdjson::SUCCESS) Use(json_view::SView(doc));
//   Use(json_view::NView(nlohmann_value));
//
// A missing member reads as null (operator[] never fails), like nlohmann's value(key, null).
// Member order: NView iterates nlohmann's (sorted) order, SView the order in the text. Duplicate
// keys: nlohmann keeps the last; SView sees all of them (HasDuplicateKeys tells).
// NoPath is a stand-in for an error path that costs nothing to build, for callers that only need
// to know whether a value is valid.
#pragma once

#include <fmt/core.h>
#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace pw::json_view {

class NView {
 public:
  explicit NView(const nlohmann::json& j) : j_(&j) {}
  NView() : j_(&Null()) {}

  bool is_object() const { return j_->is_object(); }
  bool is_array() const { return j_->is_array(); }
  bool is_string() const { return j_->is_string(); }
  bool is_number() const { return j_->is_number(); }
  bool is_number_integer() const { return j_->is_number_integer(); }
  bool is_boolean() const { return j_->is_boolean(); }
  bool is_null() const { return j_->is_null(); }
  bool contains(std::string_view key) const { return j_->is_object() && j_->contains(key); }
  NView operator[](std::string_view key) const {
    if (!j_->is_object()) return NView();
    auto it = j_->find(key);
    return it == j_->end() ? NView() : NView(*it);
  }
  std::size_t size() const { return j_->is_object() || j_->is_array() ? j_->size() : 0; }
  // Preconditions: is_string() / is_number() / is_boolean().
  std::string_view str() const { return j_->get_ref<const std::string&>(); }
  double number() const { return j_->get<double>(); }
  std::int64_t integer() const { return j_->get<std::int64_t>(); }
  bool boolean() const { return j_->get<bool>(); }
  // f(std::string_view key, NView value) -> Status; stops at the first error and returns it.
  template <class F>
  Status EachMember(F&& f) const {
    if (!j_->is_object()) return OkStatus();
    for (auto it = j_->begin(); it != j_->end(); ++it) {
      Status s = f(std::string_view(it.key()), NView(it.value()));
      if (!s.ok()) return s;
    }
    return OkStatus();
  }
  // f(std::size_t index, NView value) -> Status.
  template <class F>
  Status EachElement(F&& f) const {
    if (!j_->is_array()) return OkStatus();
    for (std::size_t i = 0; i < j_->size(); ++i) {
      Status s = f(i, NView((*j_)[i]));
      if (!s.ok()) return s;
    }
    return OkStatus();
  }
  // The value as JSON text (numbers as nlohmann writes them).
  std::string dump() const { return j_->dump(); }
  const nlohmann::json& json() const { return *j_; }

 private:
  static const nlohmann::json& Null() {
    static const nlohmann::json null;
    return null;
  }
  const nlohmann::json* j_;
};

class SView {
 public:
  explicit SView(simdjson::dom::element e) : e_(e), present_(true) {}
  SView() = default;

  bool is_object() const { return present_ && e_.type() == Type::OBJECT; }
  bool is_array() const { return present_ && e_.type() == Type::ARRAY; }
  bool is_string() const { return present_ && e_.type() == Type::STRING; }
  bool is_number() const {
    return present_ &&
           (e_.type() == Type::INT64 || e_.type() == Type::UINT64 || e_.type() == Type::DOUBLE);
  }
  bool is_number_integer() const {
    return present_ && (e_.type() == Type::INT64 || e_.type() == Type::UINT64);
  }
  bool is_boolean() const { return present_ && e_.type() == Type::BOOL; }
  bool is_null() const { return !present_ || e_.type() == Type::NULL_VALUE; }
  bool contains(std::string_view key) const { return !(*this)[key].is_missing(); }
  // The first member with this key. (nlohmann keeps the last of duplicate keys: callers that
  // must agree with it check HasDuplicateKeys first.)
  SView operator[](std::string_view key) const {
    if (is_object()) {
      for (simdjson::dom::key_value_pair kv : Obj()) {
        if (kv.key == key) return SView(kv.value);
      }
    }
    return SView();
  }
  // True when a key appears twice in this object (not in nested ones).
  bool HasDuplicateKeys() const {
    if (!is_object()) return false;
    simdjson::dom::object o = Obj();
    const std::size_t n = o.size();
    if (n <= 16) {
      std::string_view keys[16];
      std::size_t i = 0;
      for (auto it = o.begin(); it != o.end(); ++it) {
        const std::string_view k = it.key();
        for (std::size_t j = 0; j < i; ++j) {
          if (keys[j] == k) return true;
        }
        keys[i++] = k;
      }
      return false;
    }
    std::vector<std::string_view> keys;
    keys.reserve(n);
    for (auto it = o.begin(); it != o.end(); ++it) keys.push_back(it.key());
    std::sort(keys.begin(), keys.end());
    return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
  }
  std::size_t size() const {
    if (is_array()) return Arr().size();
    if (is_object()) return Obj().size();
    return 0;
  }
  std::string_view str() const { return e_.get_string().value_unsafe(); }
  double number() const { return e_.get_double().value_unsafe(); }
  // As nlohmann's get<std::int64_t>(): an unsigned value above INT64_MAX wraps.
  std::int64_t integer() const {
    if (e_.type() == Type::UINT64) return static_cast<std::int64_t>(e_.get_uint64().value_unsafe());
    if (e_.type() == Type::DOUBLE) return static_cast<std::int64_t>(e_.get_double().value_unsafe());
    return e_.get_int64().value_unsafe();
  }
  bool boolean() const { return e_.get_bool().value_unsafe(); }
  // Members in text order (a key sent twice is visited twice).
  template <class F>
  Status EachMember(F&& f) const {
    if (!is_object()) return OkStatus();
    for (simdjson::dom::key_value_pair kv : Obj()) {
      Status s = f(kv.key, SView(kv.value));
      if (!s.ok()) return s;
    }
    return OkStatus();
  }
  template <class F>
  Status EachElement(F&& f) const {
    if (!is_array()) return OkStatus();
    std::size_t i = 0;
    for (simdjson::dom::element v : Arr()) {
      Status s = f(i++, SView(v));
      if (!s.ok()) return s;
    }
    return OkStatus();
  }
  std::string dump() const { return present_ ? simdjson::to_string(e_) : "null"; }
  simdjson::dom::element element() const { return e_; }
  bool is_missing() const { return !present_; }

 private:
  using Type = simdjson::dom::element_type;
  simdjson::dom::object Obj() const {
    simdjson::dom::object o;
    if (e_.get(o) != simdjson::SUCCESS) return {};
    return o;
  }
  simdjson::dom::array Arr() const {
    simdjson::dom::array a;
    if (e_.get(a) != simdjson::SUCCESS) return {};
    return a;
  }
  simdjson::dom::element e_;
  bool present_ = false;
};

// An error path that is never built (see the file comment).
struct NoPath {};
inline NoPath Join(NoPath, std::string_view) { return {}; }
inline NoPath Index(NoPath, std::size_t) { return {}; }

}  // namespace pw::json_view

template <>
struct fmt::formatter<pw::json_view::NoPath> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <class Ctx>
  auto format(pw::json_view::NoPath, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "(statement)");
  }
};
