#include "profile/kt_params.h"

#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pw::profile {
namespace {

using json = nlohmann::json;

bool ReadParams(const json& a, model::BktParams* p) {
  if (!a.is_array() || a.size() != 5) return false;
  for (const auto& v : a) {
    if (!v.is_number()) return false;
    const double d = v.get<double>();
    if (!(d >= 0 && d <= 1)) return false;
  }
  *p = model::BktParams{a[0].get<double>(), a[1].get<double>(), a[2].get<double>(),
                        a[3].get<double>(), a[4].get<double>()};
  return true;
}

}  // namespace

std::string KtParamsKey(Id framework_id) { return fmt::format("kt.params.framework.{}", framework_id); }

std::string MasteryOptionsKey(Id framework_id) {
  return fmt::format("profile.options.framework.{}", framework_id);
}

model::BktParams DefaultBktParams() {
  return model::BktParams{.prior = 0.2, .learn = 0.15, .guess = 0.2, .slip = 0.1, .forget = 0.0};
}

Result<FrameworkKtParams> ParseKtParams(std::string_view text, std::string_view what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError("{}: expected a JSON object from `pathwise kt fit`", what);
  }
  FrameworkKtParams out;
  if (!j.contains("model") || !j["model"].is_string() ||
      (j["model"] != "bkt" && j["model"] != "bkt-forget")) {
    return InvalidArgumentError("{}: model: expected \"bkt\" or \"bkt-forget\", got {}", what,
                                j.contains("model") ? j["model"].dump() : "nothing");
  }
  out.model = j["model"].get<std::string>();
  if (!j.contains("skills") || !j["skills"].is_array()) {
    return InvalidArgumentError("{}: skills: expected an array of competency ids", what);
  }
  if (!j.contains("params") || !j["params"].is_object()) {
    return InvalidArgumentError("{}: params: expected an object", what);
  }
  const json& params = j["params"];
  if (!params.contains("skills") || !params["skills"].is_array() ||
      params["skills"].size() != j["skills"].size()) {
    return InvalidArgumentError("{}: params.skills: expected one entry per skill ({})", what,
                                j["skills"].size());
  }
  if (!params.contains("fallback") || !ReadParams(params["fallback"], &out.fallback)) {
    return InvalidArgumentError(
        "{}: params.fallback: expected [prior, learn, guess, slip, forget] in [0, 1]", what);
  }
  for (std::size_t i = 0; i < j["skills"].size(); ++i) {
    const json& name = j["skills"][i];
    Id id = 0;
    bool ok = name.is_string();
    if (ok) {
      const std::string& s = name.get_ref<const std::string&>();
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
      ok = ec == std::errc() && ptr == s.data() + s.size() && id > 0;
    }
    if (!ok) {
      return InvalidArgumentError("{}: skills[{}]: expected a competency id as text, got {}",
                                  what, i, name.dump());
    }
    model::BktParams p;
    if (!ReadParams(params["skills"][i], &p)) {
      return InvalidArgumentError(
          "{}: params.skills[{}]: expected [prior, learn, guess, slip, forget] in [0, 1]", what,
          i);
    }
    out.by_competency[id] = p;
  }
  return out;
}

Result<MasteryOptions> ParseMasteryOptions(std::string_view text, std::string_view what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError("{}: expected a JSON object of mastery options", what);
  }
  MasteryOptions o;
  for (const auto& [key, value] : j.items()) {
    if (!value.is_number()) {
      return InvalidArgumentError("{}: {}: expected a number, got {}", what, key, value.dump());
    }
    if (key == "mastery_threshold") {
      o.mastery_threshold = value.get<double>();
    } else if (key == "min_evidence") {
      o.min_evidence = value.get<int>();
    } else if (key == "review_below") {
      o.review_below = value.get<double>();
    } else if (key == "half_life_days") {
      o.half_life_days = value.get<double>();
    } else if (key == "retry_minutes") {
      o.retry_minutes = value.get<int>();
    } else {
      return InvalidArgumentError(
          "{}: unknown option \"{}\" (expected mastery_threshold, min_evidence, review_below, "
          "half_life_days, retry_minutes)",
          what, key);
    }
  }
  Status s = ValidateMasteryOptions(o);
  if (!s.ok()) return s.WithPrefix(what);
  return o;
}

}  // namespace pw::profile
