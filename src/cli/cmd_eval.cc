// `pathwise eval`: short-cycle evaluation of a program from a CSV of students (src/eval does the
// statistics; this file reads the file, checks every cell and writes the outputs).
//
//   pathwise eval --data FILE.csv --outcome COL --treatment COL [--pretest COL]
//                 [--covariates A,B,...] [--cluster COL] [--school COL] [--grade COL] [--dose COL]
//                 [--design randomized|matched|regression|multilevel] [--threshold 0.1]
//                 [--report out.html] [--pdf out.pdf] [--json]
//   pathwise eval power --students N [--clusters J --icc 0.2] [--effect 0.2] [--json] ...
//   pathwise eval assign --data roster.csv --seed S [--block COL] [--balance A,B] --out FILE
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/csv.h"
#include "eval/evaluate.h"
#include "eval/power.h"
#include "eval/randomize.h"
#include "eval/report.h"

namespace pw::cli {
namespace {

using eval::Design;

struct EvalArgs {
  std::string data, outcome, treatment, pretest, cluster, school, grade, dose;
  std::vector<std::string> covariates;
  std::string design = "regression";
  std::string se = "cr2";
  std::string boundary = "cautious";
  double threshold = 0.1, prior_mean = 0.0, prior_sd = 0.2, confidence = 0.95;
  bool propensity = false, no_tighten = false;
  double caliper = INFINITY;
  std::string report, pdf, db;
  bool json = false;
};

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

bool ParseDouble(const std::string& cell, double* v) {
  const std::string t = Trim(cell);
  if (t.empty()) return false;
  const char* b = t.data();
  const char* e = b + t.size();
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, *v);
  return ec == std::errc() && p == e && std::isfinite(*v);
}

// A CSV table with named columns, all cells as text; errors name file and line.
struct RawTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::int64_t> lines;
};

Result<RawTable> ReadCsv(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return InvalidArgumentError("cannot open {}", path);
  CsvReader csv(f, path);
  RawTable t;
  std::vector<std::string> row;
  PW_ASSIGN_OR_RETURN(bool has_header, csv.Next(row));
  if (!has_header)
    return InvalidArgumentError("{}: the file is empty (expected a header row)", path);
  for (auto& h : row) t.header.push_back(Trim(h));
  while (true) {
    PW_ASSIGN_OR_RETURN(bool more, csv.Next(row));
    if (!more) break;
    if (row.size() != t.header.size())
      return InvalidArgumentError("{}: expected {} fields, got {}", csv.Where(), t.header.size(),
                                  row.size());
    t.rows.push_back(row);
    t.lines.push_back(csv.line());
  }
  if (t.rows.empty()) return InvalidArgumentError("{}: no students (only a header row)", path);
  return t;
}

Result<int> Column(const RawTable& t, const std::string& path, const std::string& name) {
  for (std::size_t i = 0; i < t.header.size(); ++i)
    if (t.header[i] == name) return static_cast<int>(i);
  std::string found;
  for (const auto& h : t.header) found += (found.empty() ? "" : ", ") + h;
  return InvalidArgumentError("{}:1: missing column \"{}\" (found: {})", path, name, found);
}

// Numbers of one column; an empty cell (or NA) is NaN when `allow_missing`, else an error.
Result<std::vector<double>> Numbers(const RawTable& t, const std::string& path,
                                    const std::string& name, bool allow_missing) {
  PW_ASSIGN_OR_RETURN(int c, Column(t, path, name));
  std::vector<double> out(t.rows.size());
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::string cell = Trim(t.rows[r][c]);
    if (allow_missing && (cell.empty() || cell == "NA")) {
      out[r] = NAN;
      continue;
    }
    if (!ParseDouble(cell, &out[r])) {
      return InvalidArgumentError("{}:{}: column \"{}\": expected a number, got {}", path,
                                  t.lines[r], name,
                                  cell.empty() ? std::string("an empty cell") : "\"" + cell + "\"");
    }
  }
  return out;
}

Result<std::vector<std::string>> Labels(const RawTable& t, const std::string& path,
                                        const std::string& name) {
  PW_ASSIGN_OR_RETURN(int c, Column(t, path, name));
  std::vector<std::string> out(t.rows.size());
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    out[r] = Trim(t.rows[r][c]);
    if (out[r].empty())
      return InvalidArgumentError("{}:{}: column \"{}\": expected a label, got an empty cell", path,
                                  t.lines[r], name);
  }
  return out;
}

Result<eval::EvalTable> LoadEvalTable(const EvalArgs& a) {
  PW_ASSIGN_OR_RETURN(RawTable raw, ReadCsv(a.data));
  eval::EvalTable t;
  t.outcome_name = a.outcome;
  t.treatment_name = a.treatment;
  PW_ASSIGN_OR_RETURN(t.outcome, Numbers(raw, a.data, a.outcome, /*allow_missing=*/true));
  PW_ASSIGN_OR_RETURN(int tc, Column(raw, a.data, a.treatment));
  t.treated.resize(raw.rows.size());
  for (std::size_t r = 0; r < raw.rows.size(); ++r) {
    const std::string cell = Trim(raw.rows[r][tc]);
    double v;
    if (!ParseDouble(cell, &v) || (v != 0 && v != 1))
      return InvalidArgumentError("{}:{}: column \"{}\": expected 0 or 1, got {}", a.data,
                                  raw.lines[r], a.treatment,
                                  cell.empty() ? std::string("an empty cell") : "\"" + cell + "\"");
    t.treated[r] = static_cast<int>(v);
  }
  if (!a.pretest.empty()) {
    t.pretest_name = a.pretest;
    PW_ASSIGN_OR_RETURN(t.pretest, Numbers(raw, a.data, a.pretest, false));
  }
  for (const auto& c : a.covariates) {
    t.covariate_names.push_back(c);
    PW_ASSIGN_OR_RETURN(auto col, Numbers(raw, a.data, c, false));
    t.covariates.push_back(std::move(col));
  }
  if (!a.cluster.empty()) {
    t.cluster_name = a.cluster;
    PW_ASSIGN_OR_RETURN(t.cluster, Labels(raw, a.data, a.cluster));
  }
  if (!a.school.empty()) {
    t.school_name = a.school;
    PW_ASSIGN_OR_RETURN(t.school, Labels(raw, a.data, a.school));
  }
  if (!a.grade.empty()) {
    PW_ASSIGN_OR_RETURN(t.grade, Labels(raw, a.data, a.grade));
  }
  if (!a.dose.empty()) {
    t.dose_name = a.dose;
    PW_ASSIGN_OR_RETURN(t.dose, Numbers(raw, a.data, a.dose, false));
  }
  return t;
}

nlohmann::json Num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json BalanceJson(const eval::EvalResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  const auto& main = r.match ? r.balance_after : r.balance;
  for (std::size_t i = 0; i < main.size(); ++i) {
    const auto& b = main[i];
    nlohmann::json j = {{"measure", b.name},
                        {"mean_treated", Num(b.mean_treated)},
                        {"mean_comparison", Num(b.mean_comparison)},
                        {"std_diff", Num(b.std_diff)},
                        {"wwc", eval::WwcBandName(b.band)}};
    if (r.match) {
      j["std_diff_before"] = Num(r.balance[i].std_diff);
      j["wwc_before"] = eval::WwcBandName(r.balance[i].band);
    }
    rows.push_back(j);
  }
  return rows;
}

Status RenderPdf(const std::string& html, const std::string& pdf, std::ostream& err) {
  const char* renderers[] = {"chromium", "chromium-browser", "wkhtmltopdf"};
  for (const char* r : renderers) {
    if (std::system(fmt::format("command -v {} >/dev/null 2>&1", r).c_str()) != 0) continue;
    std::string cmd = std::string(r) == "wkhtmltopdf"
                          ? fmt::format("wkhtmltopdf -q '{}' '{}' >/dev/null 2>&1", html, pdf)
                          : fmt::format(
                                "{} --headless --no-sandbox --disable-gpu --print-to-pdf='{}' "
                                "'file://{}' >/dev/null 2>&1",
                                r, pdf, html);
    if (std::system(cmd.c_str()) == 0) return OkStatus();
    return InternalError("{} could not render {} to {}", r, html, pdf);
  }
  err << "pathwise: note: no PDF renderer (chromium or wkhtmltopdf) is installed; skipped " << pdf
      << "\n";
  return OkStatus();
}

Status RunEval(const EvalArgs& a, Io& io) {
  if (!a.db.empty())
    return FailedPreconditionError(
        "eval --db is not supported yet: export the students to CSV and pass --data");
  if (a.data.empty())
    return InvalidArgumentError("eval needs --data FILE.csv (or use `pathwise eval power`)");
  if (a.outcome.empty()) return InvalidArgumentError("eval needs --outcome COLUMN");
  if (a.treatment.empty()) return InvalidArgumentError("eval needs --treatment COLUMN");
  eval::EvalOptions o;
  if (a.design == "randomized")
    o.design = Design::kRandomized;
  else if (a.design == "matched")
    o.design = Design::kMatched;
  else if (a.design == "regression")
    o.design = Design::kRegression;
  else if (a.design == "multilevel")
    o.design = Design::kMultilevel;
  else
    return InvalidArgumentError(
        "--design must be randomized, matched, regression or multilevel, got \"{}\"", a.design);
  if (a.se == "cr2")
    o.vcov = eval::VcovType::kCR2;
  else if (a.se == "cr1")
    o.vcov = eval::VcovType::kCR1;
  else
    return InvalidArgumentError("--se must be cr2 or cr1, got \"{}\"", a.se);
  if (a.boundary == "cautious")
    o.attrition_boundary = eval::AttritionBoundary::kCautious;
  else if (a.boundary == "optimistic")
    o.attrition_boundary = eval::AttritionBoundary::kOptimistic;
  else
    return InvalidArgumentError("--attrition-boundary must be cautious or optimistic, got \"{}\"",
                                a.boundary);
  if (!(a.prior_sd > 0))
    return InvalidArgumentError("--prior-sd must be positive, got {}", a.prior_sd);
  if (!(a.confidence > 0 && a.confidence < 1))
    return InvalidArgumentError("--confidence must be between 0 and 1");
  o.threshold = a.threshold;
  o.prior_mean = a.prior_mean;
  o.prior_sd = a.prior_sd;
  o.confidence = a.confidence;
  o.match.distance =
      a.propensity ? eval::MatchDistance::kPropensity : eval::MatchDistance::kMahalanobis;
  o.match.caliper = a.caliper;
  o.match.tighten_caliper = !a.no_tighten;

  PW_ASSIGN_OR_RETURN(eval::EvalTable table, LoadEvalTable(a));
  PW_ASSIGN_OR_RETURN(eval::EvalResult r, eval::Evaluate(table, o));

  if (!a.report.empty()) {
    std::ofstream f(a.report, std::ios::binary);
    if (!f) return InvalidArgumentError("cannot write the report to {}", a.report);
    eval::ReportOptions ro;
    ro.data_source = a.data;
    eval::WriteHtmlReport(r, ro, f);
    f.close();
    if (!f) return InternalError("writing {} failed", a.report);
    if (!a.pdf.empty()) PW_RETURN_IF_ERROR(RenderPdf(a.report, a.pdf, io.err));
  } else if (!a.pdf.empty()) {
    return InvalidArgumentError("--pdf needs --report out.html (the PDF is rendered from it)");
  }
  if (a.json) {
    nlohmann::json j = {{"design", eval::DesignName(r.design)},
                        {"estimate", Num(r.estimate)},
                        {"se", Num(r.se)},
                        {"ci_low", Num(r.ci_low)},
                        {"ci_high", Num(r.ci_high)},
                        {"p_value", Num(r.p_value)},
                        {"df", Num(r.df)},
                        {"effect_size", Num(r.effect_size)},
                        {"p_effect_above_threshold", Num(r.p_effect_above_threshold)},
                        {"n_treated", r.n_treated},
                        {"n_comparison", r.n_comparison},
                        {"balance", BalanceJson(r)}};
    io.out << j.dump(2) << "\n";
    return OkStatus();
  }
  io.out << eval::PlainSummary(r) << "\n\n";
  io.out << fmt::format("design {}: {}\n", eval::DesignName(r.design), r.method);
  io.out << fmt::format(
      "estimate {:.4f}  se {:.4f}  {:.0f}% CI [{:.4f}, {:.4f}]  p {:.4g}  df {:.1f}\n", r.estimate,
      r.se, 100 * r.confidence, r.ci_low, r.ci_high, r.p_value, r.df);
  io.out << fmt::format(
      "effect size (Hedges' g) {:.3f}  P(effect > {} SD) = {:.3f}  (prior N({}, {}^2))\n",
      r.effect_size, r.threshold, r.p_effect_above_threshold, r.prior_mean, r.prior_sd);
  io.out << fmt::format("students: {} in the program, {} comparison\n", r.n_treated,
                        r.n_comparison);
  for (const auto& w : r.warnings) io.out << "warning: " << w << "\n";
  if (!a.report.empty()) io.out << "report: " << a.report << "\n";
  return OkStatus();
}

struct PowerArgs {
  eval::PowerOptions o;
  bool json = false;
};

Status RunPower(const PowerArgs& a, Io& io) {
  PW_ASSIGN_OR_RETURN(eval::PowerResult r, eval::ComputePower(a.o));
  if (a.json) {
    nlohmann::json j = {{"design", r.cluster_design ? "cluster" : "individual"},
                        {"mde", Num(r.mde)},
                        {"se", Num(r.se)},
                        {"df", Num(r.df)},
                        {"multiplier", Num(r.multiplier)},
                        {"power_at_effect", Num(r.power_at_effect)},
                        {"required", r.required}};
    io.out << j.dump(2) << "\n";
    return OkStatus();
  }
  if (r.cluster_design)
    io.out << fmt::format(
        "{} schools (or classes) of {} students, ICC {}, {:.0f}% assigned to the program:\n",
        a.o.clusters, a.o.students, a.o.icc, 100 * a.o.p_treated);
  else
    io.out << fmt::format("{} students, {:.0f}% assigned to the program:\n", a.o.students,
                          100 * a.o.p_treated);
  io.out << fmt::format(
      "the smallest effect this study can reliably detect (MDE, {:.0f}% power, alpha {}) is {:.3f} "
      "SD\n",
      100 * a.o.power, a.o.alpha, r.mde);
  if (!std::isnan(r.power_at_effect)) {
    io.out << fmt::format("power to detect an effect of {} SD: {:.1f}%\n", a.o.effect,
                          100 * r.power_at_effect);
    if (r.required > 0)
      io.out << fmt::format("{} needed for {:.0f}% power: {}\n",
                            r.cluster_design ? "schools (clusters)" : "students", 100 * a.o.power,
                            r.required);
    else
      io.out << "more than 1,000,000 needed for that power\n";
  }
  return OkStatus();
}

struct AssignArgs {
  std::string data, block, out, name = "treatment";
  std::vector<std::string> balance;
  eval::AssignOptions o;
  bool seed_given = false;
};

Status RunAssign(const AssignArgs& a, Io& io) {
  if (a.data.empty()) return InvalidArgumentError("eval assign needs --data roster.csv");
  if (a.out.empty()) return InvalidArgumentError("eval assign needs --out FILE.csv");
  if (!a.seed_given)
    return InvalidArgumentError(
        "eval assign needs --seed N (it is recorded so the draw can be reproduced)");
  PW_ASSIGN_OR_RETURN(RawTable raw, ReadCsv(a.data));
  for (const auto& h : raw.header)
    if (h == a.name)
      return InvalidArgumentError("{}:1: column \"{}\" already exists; choose another --name",
                                  a.data, a.name);
  std::vector<std::string> block;
  if (!a.block.empty()) {
    PW_ASSIGN_OR_RETURN(block, Labels(raw, a.data, a.block));
  }
  Eigen::MatrixXd x(raw.rows.size(), a.balance.size());
  for (std::size_t k = 0; k < a.balance.size(); ++k) {
    PW_ASSIGN_OR_RETURN(auto col, Numbers(raw, a.data, a.balance[k], false));
    for (std::size_t r = 0; r < col.size(); ++r) x(r, k) = col[r];
  }
  PW_ASSIGN_OR_RETURN(eval::Assignment as, eval::AssignBlocked(block, x, a.balance, a.o));
  std::ofstream f(a.out, std::ios::binary);
  if (!f) return InvalidArgumentError("cannot write {}", a.out);
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  for (const auto& h : raw.header) f << quote(h) << ",";
  f << a.name << "\n";
  for (std::size_t r = 0; r < raw.rows.size(); ++r) {
    for (const auto& c : raw.rows[r]) f << quote(c) << ",";
    f << as.treated[r] << "\n";
  }
  f.close();
  int nt = 0;
  for (int v : as.treated) nt += v;
  io.out << fmt::format(
      "assigned {} of {} students to the program (seed {}, draw {}{}), written to {}\n", nt,
      as.treated.size(), as.seed, as.draw, a.block.empty() ? "" : ", blocked by " + a.block, a.out);
  for (const auto& b : as.balance)
    io.out << fmt::format("  {}: standardized difference {:.3f} ({})\n", b.name, b.std_diff,
                          eval::WwcBandName(b.band));
  if (!as.balanced)
    io.out << fmt::format(
        "warning: no draw in {} reached a standardized difference of at most {} on every measure; "
        "the "
        "best draw is kept\n",
        a.o.max_draws, a.o.max_std_diff);
  return OkStatus();
}

void SetupEval(CLI::App& app, const Binder& bind) {
  auto* sub = app.add_subcommand(
      "eval", "Estimate a program's effect from a CSV of students (short-cycle evaluation)");
  auto a = std::make_shared<EvalArgs>();
  sub->add_option("--data", a->data, "CSV file, one row per student");
  sub->add_option("--db", a->db, "Read students from the store (not supported yet)");
  sub->add_option("--outcome", a->outcome,
                  "Outcome column (an empty cell = no outcome, counted as attrition)");
  sub->add_option("--treatment", a->treatment, "Treatment column (0 or 1)");
  sub->add_option("--pretest", a->pretest, "Pretest column");
  sub->add_option("--covariates", a->covariates, "Numeric covariate columns, comma separated")
      ->delimiter(',');
  sub->add_option("--cluster", a->cluster,
                  "Cluster column for the standard errors (class, school)");
  sub->add_option("--school", a->school, "School column (school effects; multilevel groups)");
  sub->add_option("--grade", a->grade, "Grade column: matching is exact within grade");
  sub->add_option("--dose", a->dose,
                  "Dose column (minutes of use, implementation) for the dose-response slope");
  sub->add_option("--design", a->design, "randomized | matched | regression | multilevel")
      ->capture_default_str();
  sub->add_option("--se", a->se, "cr2 (Bell-McCaffrey df) | cr1")->capture_default_str();
  sub->add_option("--threshold", a->threshold, "Report P(effect size > threshold)")
      ->capture_default_str();
  sub->add_option("--prior-mean", a->prior_mean, "Prior mean of the effect size")
      ->capture_default_str();
  sub->add_option("--prior-sd", a->prior_sd, "Prior SD of the effect size")->capture_default_str();
  sub->add_option("--confidence", a->confidence, "Confidence level of the intervals")
      ->capture_default_str();
  sub->add_flag("--propensity", a->propensity,
                "Match on a logistic propensity score (default: Mahalanobis)");
  sub->add_option("--caliper", a->caliper,
                  "Matching caliper (SD of the propensity score, or Mahalanobis units)");
  sub->add_flag("--no-tighten", a->no_tighten,
                "Do not tighten the caliper until balance <= 0.25 SD");
  sub->add_option("--attrition-boundary", a->boundary,
                  "WWC attrition boundary: cautious | optimistic")
      ->capture_default_str();
  sub->add_option("--report", a->report, "Write an HTML report");
  sub->add_option("--pdf", a->pdf, "Also render the report to PDF (needs chromium or wkhtmltopdf)");
  sub->add_flag("--json", a->json, "Machine-readable output");
  bind(sub, [a](Io& io) { return RunEval(*a, io); });

  auto* power =
      sub->add_subcommand("power", "Minimum detectable effect and power for a planned study");
  auto p = std::make_shared<PowerArgs>();
  power->add_option("--students", p->o.students, "Students (total; per cluster with --clusters)")
      ->required();
  power
      ->add_option("--clusters", p->o.clusters,
                   "Schools or classes randomized (0 = students randomized)")
      ->capture_default_str();
  power->add_option("--icc", p->o.icc, "Intraclass correlation")->capture_default_str();
  power
      ->add_option("--r2", p->o.r2_student,
                   "Student-level variance explained by the pretest/covariates")
      ->capture_default_str();
  power->add_option("--r2-cluster", p->o.r2_cluster, "Cluster-level variance explained")
      ->capture_default_str();
  power->add_option("--p-treated", p->o.p_treated, "Share assigned to the program")
      ->capture_default_str();
  power->add_option("--covariates", p->o.covariates, "Number of covariates in the model")
      ->capture_default_str();
  power->add_option("--alpha", p->o.alpha, "Two-sided significance level")->capture_default_str();
  power->add_option("--power", p->o.power, "Target power")->capture_default_str();
  power->add_option("--effect", p->o.effect,
                    "Effect size (SD) to compute power and the sample needed for");
  power->add_flag("--json", p->json, "Machine-readable output");
  bind(power, [p](Io& io) { return RunPower(*p, io); });

  auto* assign =
      sub->add_subcommand("assign", "Blocked random assignment for a pilot, with a recorded seed");
  auto s = std::make_shared<AssignArgs>();
  assign->add_option("--data", s->data, "Roster CSV, one row per student")->required();
  assign->add_option("--out", s->out, "Output CSV: the roster plus the assignment column")
      ->required();
  assign->add_option("--seed", s->o.seed, "Random seed (recorded)")
      ->required()
      ->each([s](const std::string&) { s->seed_given = true; });
  assign->add_option("--block", s->block, "Block column (e.g. school or school-grade)");
  assign->add_option("--balance", s->balance, "Numeric columns to balance, comma separated")
      ->delimiter(',');
  assign
      ->add_option("--max-std-diff", s->o.max_std_diff,
                   "Re-draw while any standardized difference is larger")
      ->capture_default_str();
  assign->add_option("--max-draws", s->o.max_draws, "Give up re-drawing after this many draws")
      ->capture_default_str();
  assign->add_option("--name", s->name, "Name of the assignment column")->capture_default_str();
  bind(assign, [s](Io& io) { return RunAssign(*s, io); });
}

PW_CLI_COMMAND(70, SetupEval);

}  // namespace
}  // namespace pw::cli
