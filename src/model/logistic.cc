#include "model/logistic.h"

#include <linear.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <unordered_map>

namespace pw::model {
namespace {

constexpr std::array<std::int64_t, 4> kWindows = {3600, 86400, 7 * 86400, 30 * 86400};
constexpr int kExtras = 8;

struct Layout {
  std::int32_t student = 0, item = 0, skill = 0, afm = 0, pfa = 0, logc = 0, total = 0, win = 0,
               extras = 0, n = 0;
  int n_windows = 1;  // time windows used (1 = "all" only)
};

Layout MakeLayout(const LogisticFeatures& f, std::int32_t ns, std::int32_t ni, std::int32_t nk,
                  bool has_time) {
  Layout l;
  std::int32_t at = 0;
  l.student = at;
  if (f.student) at += ns;
  l.item = at;
  if (f.item) at += ni;
  l.skill = at;
  if (f.skill) at += nk;
  l.afm = at;
  if (f.afm_counts) at += nk;
  l.pfa = at;
  if (f.pfa_counts) at += 2 * nk;
  l.logc = at;
  if (f.log_counts) at += 2 * nk;
  l.total = at;
  if (f.total_counts) at += 2;
  l.n_windows = has_time ? static_cast<int>(kWindows.size()) + 1 : 1;
  l.win = at;
  if (f.windows) at += nk * l.n_windows * 2;
  l.extras = at;
  if (f.extras) at += kExtras;
  l.n = at;
  return l;
}

struct SkillState {
  std::int32_t correct = 0, wrong = 0;
  std::uint8_t recent = 0, n_recent = 0;  // last answers on the skill, newest in bit 0
  std::int32_t hist = -1;                 // index into window histories
};

struct WindowHist {
  std::vector<std::int64_t> t;
  std::vector<std::int32_t> cum_wins{0};
  std::array<std::size_t, kWindows.size()> ptr{};
};

struct StudentState {
  std::int32_t correct = 0, wrong = 0;
  std::uint16_t recent = 0;
  std::uint8_t n_recent = 0;
};

inline std::uint64_t Key(std::int32_t a, std::int32_t b) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) |
         static_cast<std::uint32_t>(b);
}

void SetQuiet() {
  static const bool once = [] {
    set_print_string_function([](const char*) {});
    return true;
  }();
  (void)once;
}

}  // namespace

Result<LogisticFeatures> LogisticFeatures::ForModel(std::string_view name) {
  LogisticFeatures f;
  if (name == "irt") {
    f.student = f.item = true;
  } else if (name == "afm") {
    f.student = f.skill = f.afm_counts = true;
  } else if (name == "pfa") {
    f.skill = f.pfa_counts = true;
  } else if (name == "das3h") {
    f.student = f.item = f.skill = f.windows = true;
  } else if (name == "best-lr") {
    f.item = f.skill = f.log_counts = f.total_counts = true;
  } else if (name == "best-lr+") {
    f.item = f.skill = f.log_counts = f.total_counts = f.windows = f.extras = true;
  } else {
    return InvalidArgumentError("unknown logistic model \"{}\"", name);
  }
  return f;
}

SparseRows LogisticModel::Features(const KtData& d) const {
  const bool fitted = !w_.empty();
  const std::int32_t ns = fitted ? n_students_ : d.n_students;
  const std::int32_t ni = fitted ? n_items_ : d.n_items;
  const std::int32_t nk = fitted ? n_skills_ : d.n_skills;
  const bool ht = fitted ? has_time_ : d.has_time;
  const Layout L = MakeLayout(f_, ns, ni, nk, ht);
  SparseRows x;
  x.n_cols = L.n;
  const std::size_t n = d.size();
  x.row_begin.reserve(n + 1);
  x.col.reserve(n * 8);
  x.val.reserve(n * 8);
  std::unordered_map<std::uint64_t, SkillState> skill_state;
  std::unordered_map<std::int32_t, StudentState> student_state;
  std::unordered_map<std::uint64_t, std::pair<std::int32_t, std::int32_t>> item_state;
  std::vector<WindowHist> hists;
  skill_state.reserve(n / 4 + 16);
  std::vector<std::pair<std::int32_t, double>> row;
  for (std::size_t i = 0; i < n; ++i) {
    row.clear();
    const std::int32_t s = d.student[i], it = d.item[i];
    const std::int64_t t = d.time[i];
    StudentState& st = student_state[s];
    auto add = [&](std::int32_t c, double v) {
      if (v != 0.0) row.emplace_back(c, v);
    };
    if (f_.student && s < ns) add(L.student + s, 1.0);
    if (f_.item && it < ni) add(L.item + it, 1.0);
    if (f_.total_counts) {
      add(L.total, std::log1p(st.correct));
      add(L.total + 1, std::log1p(st.wrong));
    }
    const std::int32_t kb = d.skill_begin[i], ke = d.skill_begin[i + 1];
    for (std::int32_t q = kb; q < ke; ++q) {
      const std::int32_t k = d.skills[static_cast<std::size_t>(q)];
      if (k >= nk) continue;
      SkillState& ss = skill_state[Key(s, k)];
      if (f_.skill) add(L.skill + k, 1.0);
      if (f_.afm_counts) add(L.afm + k, ss.correct + ss.wrong);
      if (f_.pfa_counts) {
        add(L.pfa + 2 * k, ss.correct);
        add(L.pfa + 2 * k + 1, ss.wrong);
      }
      if (f_.log_counts) {
        add(L.logc + 2 * k, std::log1p(ss.correct));
        add(L.logc + 2 * k + 1, std::log1p(ss.wrong));
      }
      if (f_.windows) {
        const std::int32_t base = L.win + k * L.n_windows * 2;
        add(base, std::log1p(ss.correct + ss.wrong));
        add(base + 1, std::log1p(ss.correct));
        if (L.n_windows > 1) {
          if (ss.hist < 0) {
            ss.hist = static_cast<std::int32_t>(hists.size());
            hists.emplace_back();
          }
          WindowHist& h = hists[static_cast<std::size_t>(ss.hist)];
          for (std::size_t w = 0; w < kWindows.size(); ++w) {
            while (h.ptr[w] < h.t.size() && h.t[h.ptr[w]] < t - kWindows[w]) ++h.ptr[w];
            const auto att = static_cast<double>(h.t.size() - h.ptr[w]);
            const double wins = h.cum_wins.back() - h.cum_wins[h.ptr[w]];
            add(base + 2 + 2 * static_cast<std::int32_t>(w), std::log1p(att));
            add(base + 3 + 2 * static_cast<std::int32_t>(w), std::log1p(wins));
          }
        }
      }
      if (f_.extras) {
        if (ss.n_recent > 0) {
          add(L.extras + 2, (ss.recent & 1) ? 1.0 : 0.0);
          add(L.extras + 3, (ss.recent & 1) ? 0.0 : 1.0);
        }
        const int m = std::min<int>(ss.n_recent, 3);
        const int c3 = std::popcount(static_cast<unsigned>(ss.recent & 7u));
        add(L.extras + 4, c3);
        add(L.extras + 5, m - c3);
      }
    }
    if (f_.extras) {
      auto& is = item_state[Key(s, it)];
      add(L.extras + 0, std::log1p(is.first));
      add(L.extras + 1, std::log1p(is.second));
      const int m = std::min<int>(st.n_recent, 10);
      const int c10 = std::popcount(static_cast<unsigned>(st.recent & 1023u));
      add(L.extras + 6, c10);
      add(L.extras + 7, m - c10);
    }
    // Merge duplicate columns (multi-skill answers) and emit in column order.
    std::sort(row.begin(), row.end());
    for (std::size_t a = 0; a < row.size();) {
      std::size_t b = a;
      double v = 0;
      while (b < row.size() && row[b].first == row[a].first) v += row[b++].second;
      x.col.push_back(row[a].first);
      x.val.push_back(v);
      a = b;
    }
    x.row_begin.push_back(static_cast<std::int64_t>(x.col.size()));
    // Reveal the answer: update the states.
    const bool c = d.correct[i] != 0;
    (c ? st.correct : st.wrong) += 1;
    st.recent = static_cast<std::uint16_t>((st.recent << 1) | (c ? 1 : 0));
    if (st.n_recent < 255) ++st.n_recent;
    for (std::int32_t q = kb; q < ke; ++q) {
      const std::int32_t k = d.skills[static_cast<std::size_t>(q)];
      if (k >= nk) continue;
      SkillState& ss = skill_state[Key(s, k)];
      (c ? ss.correct : ss.wrong) += 1;
      ss.recent = static_cast<std::uint8_t>((ss.recent << 1) | (c ? 1 : 0));
      if (ss.n_recent < 255) ++ss.n_recent;
      if (ss.hist >= 0) {
        WindowHist& h = hists[static_cast<std::size_t>(ss.hist)];
        h.t.push_back(t);
        h.cum_wins.push_back(h.cum_wins.back() + (c ? 1 : 0));
      }
    }
    if (f_.extras) {
      auto& is = item_state[Key(s, it)];
      is.first += 1;
      is.second += c ? 1 : 0;
    }
  }
  return x;
}

Result<std::vector<double>> FitLogistic(const SparseRows& x, const std::vector<std::uint8_t>& y,
                                        const LogisticOptions& options) {
  SetQuiet();
  const std::size_t n = x.rows();
  if (n == 0) return InvalidArgumentError("no training answers");
  // liblinear rows: 1-based indexes, the bias as an extra feature, -1 terminated.
  std::vector<feature_node> nodes(x.col.size() + 2 * n);
  std::vector<feature_node*> rows(n);
  std::vector<double> labels(n);
  std::size_t at = 0;
  bool any_pos = false, any_neg = false;
  for (std::size_t i = 0; i < n; ++i) {
    rows[i] = &nodes[at];
    for (auto p = x.row_begin[i]; p < x.row_begin[i + 1]; ++p) {
      nodes[at++] =
          feature_node{x.col[static_cast<std::size_t>(p)] + 1, x.val[static_cast<std::size_t>(p)]};
    }
    nodes[at++] = feature_node{x.n_cols + 1, 1.0};
    nodes[at++] = feature_node{-1, 0.0};
    labels[i] = y[i] ? 1.0 : -1.0;
    (y[i] ? any_pos : any_neg) = true;
  }
  std::vector<double> w(static_cast<std::size_t>(x.n_cols) + 1, 0.0);
  if (!any_pos || !any_neg) {
    // One class only: a constant prediction.
    const double p = any_pos ? 1 - 1e-6 : 1e-6;
    w.back() = std::log(p / (1 - p));
    return w;
  }
  problem prob{};
  prob.l = static_cast<int>(n);
  prob.n = x.n_cols + 1;
  prob.y = labels.data();
  prob.x = rows.data();
  prob.bias = -1;
  parameter param{};
  param.solver_type = L2R_LR;
  param.eps = options.epsilon;
  param.C = options.c;
  if (const char* err = check_parameter(&prob, &param))
    return InvalidArgumentError("liblinear: {}", err);
  ::model* m = ::train(&prob, &param);
  if (!m) return InternalError("liblinear: training failed");
  const double sign = m->label[0] == 1 ? 1.0 : -1.0;
  for (std::size_t j = 0; j < w.size(); ++j) w[j] = sign * m->w[j];
  free_and_destroy_model(&m);
  return w;
}

Status LogisticModel::Fit(const KtData& train) {
  w_.clear();
  n_students_ = train.n_students;
  n_items_ = train.n_items;
  n_skills_ = train.n_skills;
  has_time_ = train.has_time;
  SparseRows x = Features(train);
  PW_ASSIGN_OR_RETURN(w_, FitLogistic(x, train.correct, opt_));
  return OkStatus();
}

std::vector<double> LogisticModel::Predict(const KtData& data) const {
  SparseRows x = Features(data);
  std::vector<double> p(x.rows());
  const double bias = w_.empty() ? 0.0 : w_.back();
  for (std::size_t i = 0; i < x.rows(); ++i) {
    double z = bias;
    for (auto q = x.row_begin[i]; q < x.row_begin[i + 1]; ++q) {
      const auto c = static_cast<std::size_t>(x.col[static_cast<std::size_t>(q)]);
      if (c + 1 < w_.size()) z += w_[c] * x.val[static_cast<std::size_t>(q)];
    }
    p[i] = 1.0 / (1.0 + std::exp(-z));
  }
  return p;
}

nlohmann::json LogisticModel::ToJson() const {
  return nlohmann::json{{"model", name_},      {"c", opt_.c},           {"n_students", n_students_},
                        {"n_items", n_items_}, {"n_skills", n_skills_}, {"has_time", has_time_},
                        {"weights", w_}};
}

Status LogisticModel::FromJson(const nlohmann::json& j) {
  try {
    n_students_ = j.at("n_students").get<std::int32_t>();
    n_items_ = j.at("n_items").get<std::int32_t>();
    n_skills_ = j.at("n_skills").get<std::int32_t>();
    has_time_ = j.at("has_time").get<bool>();
    w_ = j.at("weights").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError("params: expected logistic-model fields: {}", e.what());
  }
  const Layout L = MakeLayout(f_, n_students_, n_items_, n_skills_, has_time_);
  if (w_.size() != static_cast<std::size_t>(L.n) + 1) {
    return InvalidArgumentError("params: weights: expected {} values, got {}", L.n + 1, w_.size());
  }
  return OkStatus();
}

}  // namespace pw::model
