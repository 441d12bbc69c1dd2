#include "model/kt_model.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace pw::model {
namespace {

inline std::uint64_t Key(std::int32_t a, std::int32_t b) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) |
         static_cast<std::uint32_t>(b);
}

double BaseRate(const KtData& d) {
  if (d.size() == 0) return 0.5;
  double c = 0;
  for (auto y : d.correct) c += y;
  return std::clamp(c / static_cast<double>(d.size()), 1e-3, 1 - 1e-3);
}

// ---- BKT ---------------------------------------------------------------------------------

class BktModel final : public KtModel {
 public:
  BktModel(bool forget, BktFitOptions o) : forget_(forget), opt_(o) { opt_.fit_forget = forget; }
  std::string_view name() const override { return forget_ ? "bkt-forget" : "bkt"; }

  Status Fit(const KtData& train) override {
    std::vector<BktSkillData> skills = BuildBktSkillData(train);
    params_ = BktFitSkills(skills, opt_, BktParams{}, &stats_);
    has_data_.assign(skills.size(), false);
    BktParams mean{0, 0, 0, 0, 0};
    int n = 0;
    for (std::size_t k = 0; k < skills.size(); ++k) {
      if (skills[k].obs.empty()) continue;
      has_data_[k] = true;
      mean.prior += params_[k].prior;
      mean.learn += params_[k].learn;
      mean.guess += params_[k].guess;
      mean.slip += params_[k].slip;
      mean.forget += params_[k].forget;
      ++n;
    }
    if (n > 0) {
      mean.prior /= n, mean.learn /= n, mean.guess /= n, mean.slip /= n, mean.forget /= n;
      fallback_ = mean;
    }
    for (std::size_t k = 0; k < skills.size(); ++k) {
      if (!has_data_[k]) params_[k] = fallback_;
    }
    base_rate_ = BaseRate(train);
    return OkStatus();
  }

  const BktParams& P(std::int32_t k) const {
    return static_cast<std::size_t>(k) < params_.size() ? params_[static_cast<std::size_t>(k)]
                                                        : fallback_;
  }

  std::vector<double> Predict(const KtData& d) const override {
    std::vector<double> out(d.size());
    std::unordered_map<std::uint64_t, double> mastery;
    mastery.reserve(d.size() / 4 + 16);
    for (std::size_t i = 0; i < d.size(); ++i) {
      const std::int32_t kb = d.skill_begin[i], ke = d.skill_begin[i + 1];
      if (kb == ke) {
        out[i] = base_rate_;
        continue;
      }
      double p = 0;
      for (std::int32_t q = kb; q < ke; ++q) {
        const std::int32_t k = d.skills[static_cast<std::size_t>(q)];
        const BktParams& bp = P(k);
        auto [it, fresh] = mastery.try_emplace(Key(d.student[i], k), bp.prior);
        p += BktPredictCorrect(bp, it->second);
      }
      out[i] = p / (ke - kb);
      for (std::int32_t q = kb; q < ke; ++q) {
        const std::int32_t k = d.skills[static_cast<std::size_t>(q)];
        double& m = mastery[Key(d.student[i], k)];
        m = BktUpdate(P(k), m, d.correct[i] != 0);
      }
    }
    return out;
  }

  nlohmann::json ToJson() const override {
    nlohmann::json skills = nlohmann::json::array();
    for (const auto& p : params_) {
      skills.push_back({p.prior, p.learn, p.guess, p.slip, p.forget});
    }
    auto fb = fallback_;
    return {{"model", std::string(name())},
            {"columns", {"prior", "learn", "guess", "slip", "forget"}},
            {"skills", skills},
            {"fallback", {fb.prior, fb.learn, fb.guess, fb.slip, fb.forget}},
            {"base_rate", base_rate_},
            {"train_loglik", stats_.loglik}};
  }

  Status FromJson(const nlohmann::json& j) override {
    auto read = [](const nlohmann::json& a, BktParams* p) -> bool {
      if (!a.is_array() || a.size() != 5) return false;
      for (const auto& v : a) {
        if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) return false;
      }
      *p = BktParams{a[0].get<double>(), a[1].get<double>(), a[2].get<double>(), a[3].get<double>(),
                     a[4].get<double>()};
      return true;
    };
    if (!j.contains("skills") || !j["skills"].is_array()) {
      return InvalidArgumentError(
          "params: skills: expected an array of [prior, learn, guess, slip, forget]");
    }
    params_.clear();
    for (std::size_t k = 0; k < j["skills"].size(); ++k) {
      BktParams p;
      if (!read(j["skills"][k], &p)) {
        return InvalidArgumentError(
            "params: skills[{}]: expected [prior, learn, guess, slip, forget] in [0, 1]", k);
      }
      params_.push_back(p);
    }
    if (!j.contains("fallback") || !read(j["fallback"], &fallback_)) {
      return InvalidArgumentError(
          "params: fallback: expected [prior, learn, guess, slip, forget] in [0, 1]");
    }
    base_rate_ = j.value("base_rate", 0.5);
    return OkStatus();
  }

  const BktFitStats& stats() const { return stats_; }

 private:
  bool forget_;
  BktFitOptions opt_;
  std::vector<BktParams> params_;
  std::vector<bool> has_data_;
  BktParams fallback_;
  BktFitStats stats_;
  double base_rate_ = 0.5;
};

// ---- logistic family ---------------------------------------------------------------------

class LogisticKt final : public KtModel {
 public:
  LogisticKt(std::string name, LogisticFeatures f, LogisticOptions o)
      : name_(name), m_(name, f, o) {}
  std::string_view name() const override { return name_; }
  Status Fit(const KtData& train) override { return m_.Fit(train); }
  std::vector<double> Predict(const KtData& d) const override { return m_.Predict(d); }
  nlohmann::json ToJson() const override { return m_.ToJson(); }
  Status FromJson(const nlohmann::json& j) override { return m_.FromJson(j); }

 private:
  std::string name_;
  LogisticModel m_;
};

// ---- Elo ---------------------------------------------------------------------------------

class EloModel final : public KtModel {
 public:
  explicit EloModel(EloOptions o) : opt_(o) {}
  std::string_view name() const override { return "elo"; }

  double K(double n) const { return opt_.a / (1.0 + opt_.b * n); }

  // Runs through `d` updating students (fresh) and, if `learn_items`, items.
  void Pass(const KtData& d, bool learn_items, std::vector<double>* out) {
    std::unordered_map<std::int32_t, std::pair<double, double>> student;  // theta, n
    std::unordered_map<std::uint64_t, std::pair<double, double>> skill;   // theta, n
    for (std::size_t i = 0; i < d.size(); ++i) {
      const std::int32_t s = d.student[i], it = d.item[i];
      auto& st = student[s];
      const std::int32_t kb = d.skill_begin[i], ke = d.skill_begin[i + 1];
      double z = st.first - Difficulty(it);
      for (std::int32_t q = kb; q < ke; ++q)
        z += skill[Key(s, d.skills[static_cast<std::size_t>(q)])].first / (ke - kb);
      const double p = 1.0 / (1.0 + std::exp(-z));
      if (out) (*out)[i] = p;
      const double err = (d.correct[i] ? 1.0 : 0.0) - p;
      st.first += K(st.second) * err;
      st.second += 1;
      for (std::int32_t q = kb; q < ke; ++q) {
        auto& sk = skill[Key(s, d.skills[static_cast<std::size_t>(q)])];
        sk.first += K(sk.second) * err;
        sk.second += 1;
      }
      if (learn_items && it >= 0) {
        if (static_cast<std::size_t>(it) >= item_b_.size()) {
          item_b_.resize(static_cast<std::size_t>(it) + 1, 0.0);
          item_n_.resize(static_cast<std::size_t>(it) + 1, 0.0);
        }
        item_b_[static_cast<std::size_t>(it)] -= K(item_n_[static_cast<std::size_t>(it)]) * err;
        item_n_[static_cast<std::size_t>(it)] += 1;
      }
    }
  }

  double Difficulty(std::int32_t it) const {
    return static_cast<std::size_t>(it) < item_b_.size() ? item_b_[static_cast<std::size_t>(it)]
                                                         : mean_b_;
  }

  Status Fit(const KtData& train) override {
    item_b_.assign(static_cast<std::size_t>(train.n_items), 0.0);
    item_n_.assign(static_cast<std::size_t>(train.n_items), 0.0);
    mean_b_ = 0;
    for (int pass = 0; pass < std::max(1, opt_.item_passes); ++pass) Pass(train, true, nullptr);
    double sum = 0;
    int n = 0;
    for (std::size_t i = 0; i < item_b_.size(); ++i) {
      if (item_n_[i] > 0) sum += item_b_[i], ++n;
    }
    mean_b_ = n ? sum / n : 0.0;
    for (std::size_t i = 0; i < item_b_.size(); ++i) {
      if (item_n_[i] == 0) item_b_[i] = mean_b_;
    }
    return OkStatus();
  }

  std::vector<double> Predict(const KtData& d) const override {
    std::vector<double> out(d.size());
    EloModel copy = *this;
    copy.Pass(d, false, &out);
    return out;
  }

  nlohmann::json ToJson() const override {
    return {{"model", "elo"},
            {"a", opt_.a},
            {"b", opt_.b},
            {"item_difficulty", item_b_},
            {"mean_difficulty", mean_b_}};
  }
  Status FromJson(const nlohmann::json& j) override {
    try {
      opt_.a = j.at("a").get<double>();
      opt_.b = j.at("b").get<double>();
      item_b_ = j.at("item_difficulty").get<std::vector<double>>();
      mean_b_ = j.at("mean_difficulty").get<double>();
    } catch (const nlohmann::json::exception& e) {
      return InvalidArgumentError("params: expected Elo fields: {}", e.what());
    }
    item_n_.assign(item_b_.size(), 1.0);
    return OkStatus();
  }

 private:
  EloOptions opt_;
  std::vector<double> item_b_, item_n_;
  double mean_b_ = 0;
};

}  // namespace

std::string_view KtModelNames() {
  return "bkt, bkt-forget, irt, afm, pfa, das3h, best-lr, best-lr+, elo";
}

Result<std::unique_ptr<KtModel>> MakeKtModel(std::string_view name, const KtModelOptions& options) {
  if (name == "bkt" || name == "bkt-forget") {
    return std::unique_ptr<KtModel>(new BktModel(name == "bkt-forget", options.bkt));
  }
  if (name == "elo") return std::unique_ptr<KtModel>(new EloModel(options.elo));
  auto f = LogisticFeatures::ForModel(name);
  if (f.ok()) {
    return std::unique_ptr<KtModel>(new LogisticKt(std::string(name), *f, options.logistic));
  }
  std::string shown(name.substr(0, 40));
  return InvalidArgumentError("--model: expected one of {}, got \"{}\"", KtModelNames(), shown);
}

std::vector<BktSkillData> BuildBktSkillData(const KtData& d) {
  struct Entry {
    std::int32_t skill, student;
    std::uint32_t idx;
  };
  std::vector<Entry> e;
  e.reserve(d.skills.size());
  std::int32_t nk = d.n_skills;
  for (std::size_t i = 0; i < d.size(); ++i) {
    for (std::int32_t q = d.skill_begin[i]; q < d.skill_begin[i + 1]; ++q) {
      const std::int32_t k = d.skills[static_cast<std::size_t>(q)];
      nk = std::max(nk, k + 1);
      e.push_back({k, d.student[i], static_cast<std::uint32_t>(i)});
    }
  }
  std::stable_sort(e.begin(), e.end(), [](const Entry& a, const Entry& b) {
    return a.skill != b.skill ? a.skill < b.skill : a.student < b.student;
  });
  std::vector<BktSkillData> out(static_cast<std::size_t>(nk));
  for (std::size_t j = 0; j < e.size(); ++j) {
    BktSkillData& s = out[static_cast<std::size_t>(e[j].skill)];
    if (j > 0 && e[j - 1].skill == e[j].skill && e[j - 1].student != e[j].student) {
      s.seq_begin.push_back(static_cast<std::int64_t>(s.obs.size()));
    }
    s.obs.push_back(d.correct[e[j].idx]);
  }
  for (auto& s : out) {
    if (!s.obs.empty()) s.seq_begin.push_back(static_cast<std::int64_t>(s.obs.size()));
  }
  return out;
}

}  // namespace pw::model
