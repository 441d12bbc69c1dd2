#include "eval/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace pw::eval {
namespace {

std::string Esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::string Num(double v, int digits = 2) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "+inf" : "-inf";
  return fmt::format("{:.{}f}", v, digits);
}

std::string PValue(double p) { return p < 0.001 ? "< 0.001" : fmt::format("{:.3f}", p); }

// Horizontal interval plot: one row per item with a point and an interval, a zero line.
struct Row {
  std::string label;
  double lo, mid, hi;  // interval drawn as a line
  double mid2 = NAN;   // optional second point (shrunken estimate)
};

std::string IntervalPlot(const std::vector<Row>& rows, const std::string& axis_label) {
  if (rows.empty()) return "";
  double lo = 0, hi = 0;
  for (const auto& r : rows) {
    lo = std::min({lo, r.lo, r.mid});
    hi = std::max({hi, r.hi, r.mid});
  }
  const double pad = 0.05 * (hi - lo + 1e-9);
  lo -= pad;
  hi += pad;
  const int left = 190, width = 440, row_h = 18, top = 10;
  const int height = top + static_cast<int>(rows.size()) * row_h + 40;
  auto x = [&](double v) { return left + (v - lo) / (hi - lo) * width; };
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n",
      left + width + 20, height);
  s += fmt::format(
      "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#888\" "
      "stroke-dasharray=\"3,3\"/>\n",
      x(0), top - 4, top + rows.size() * row_h);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const double y = top + i * row_h + row_h / 2.0;
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 8, y + 4,
                     Esc(r.label));
    s += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#9aa\" "
        "stroke-width=\"2\"/>\n",
        x(r.lo), x(r.hi), y, y);
    s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#9aa\"/>\n", x(r.mid), y);
    if (!std::isnan(r.mid2))
      s += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"7\" height=\"7\" fill=\"#1f5fa8\"/>\n",
          x(r.mid2) - 3.5, y - 3.5);
  }
  const double yb = top + rows.size() * row_h + 4;
  s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#333\"/>\n",
                   left, left + width, yb, yb);
  // Ticks at round values (1, 2 or 5 times a power of ten), zero among them when in range.
  const double raw = (hi - lo) / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / mag < 1.5 ? mag : (raw / mag < 3.5 ? 2 * mag : (raw / mag < 7.5 ? 5 * mag : 10 * mag));
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-12; v += step) {
    const double tick = std::fabs(v) < step * 1e-9 ? 0.0 : v;
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x(tick), yb + 14,
                     Num(tick, std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)))));
  }

  s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                   left + width / 2, yb + 30, Esc(axis_label));
  s += "</svg>\n";
  return s;
}

std::string BalanceTableHtml(const std::vector<BalanceRow>& rows, const char* caption) {
  std::string s = fmt::format(
      "<table><caption>{}</caption><tr><th>Measure</th><th>Program mean</th>"
      "<th>Comparison mean</th><th>Difference (SD)</th><th>WWC</th></tr>\n",
      caption);
  for (const auto& b : rows)
    s += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     Esc(b.name), Num(b.mean_treated, 3), Num(b.mean_comparison, 3),
                     Num(b.std_diff, 3), WwcBandName(b.band));
  return s + "</table>\n";
}

}  // namespace

std::string PlainSummary(const EvalResult& r) {
  const double ci = r.confidence * 100;
  std::string dir = r.estimate >= 0 ? "higher" : "lower";
  std::string s = fmt::format(
      "Students in the program scored {} points {} on {} than comparable students not in the "
      "program "
      "(an effect size of {} standard deviations). ",
      Num(std::fabs(r.estimate)), dir, r.outcome_name, Num(r.effect_size));
  s += fmt::format("The true effect is likely ({:.0f}% confidence) between {} and {} points", ci,
                   Num(r.ci_low), Num(r.ci_high));
  if (r.ci_low > 0)
    s += ", so the program most likely helped. ";
  else if (r.ci_high < 0)
    s += ", so the program most likely hurt. ";
  else
    s += ", which includes zero: the data cannot rule out that the program made no difference. ";
  s += fmt::format(
      "Taking the data together with a cautious starting assumption (most programs have small "
      "effects: a normal prior centred at {} with SD {} effect-size units), the probability that "
      "the effect is larger than {} SD is {:.0f}%.",
      Num(r.prior_mean), Num(r.prior_sd), Num(r.threshold), 100 * r.p_effect_above_threshold);
  return s;
}

void WriteHtmlReport(const EvalResult& r, const ReportOptions& o, std::ostream& out) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>"
      << Esc(o.title)
      << "</title>\n<style>body{font-family:Georgia,serif;max-width:760px;margin:2em auto;"
         "line-height:1.5;color:#222}h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;"
         "border-bottom:1px solid #ccc}table{border-collapse:collapse;margin:.8em 0;font-size:.9em}"
         "td,th{border:1px solid #ccc;padding:3px "
         "8px;text-align:right}td:first-child,th:first-child"
         "{text-align:left}caption{text-align:left;font-weight:bold;margin-bottom:.3em}.big{font-"
         "size:"
         "1.15em;background:#f3f6fa;padding:.8em;border-left:4px solid "
         "#1f5fa8}.warn{background:#fff6e5;"
         "border-left:4px solid #e0a030;padding:.4em .8em;margin:.4em "
         "0}.small{font-size:.85em;color:#555}"
         "</style></head><body>\n";
  out << "<h1>" << Esc(o.title) << "</h1>\n";
  if (!o.data_source.empty()) out << "<p class=\"small\">Data: " << Esc(o.data_source) << "</p>\n";
  out << "<h2>The answer</h2>\n<p class=\"big\">" << Esc(PlainSummary(r)) << "</p>\n";
  if (!r.warnings.empty()) {
    out << "<h2>Cautions</h2>\n";
    for (const auto& w : r.warnings) out << "<p class=\"warn\">" << Esc(w) << "</p>\n";
  }
  out << "<h2>The numbers</h2>\n<table>\n";
  auto row = [&](const std::string& k, const std::string& v) {
    out << "<tr><td>" << Esc(k) << "</td><td>" << Esc(v) << "</td></tr>\n";
  };
  row("Design", DesignName(r.design));
  row("Students in the program / comparison", fmt::format("{} / {}", r.n_treated, r.n_comparison));
  row("Estimated effect (" + r.outcome_name + " points)", Num(r.estimate, 3));
  row("Standard error", Num(r.se, 3));
  row(fmt::format("{:.0f}% confidence interval", r.confidence * 100),
      fmt::format("{} to {}", Num(r.ci_low, 3), Num(r.ci_high, 3)));
  row("p-value (two-sided)", PValue(r.p_value));
  row("Degrees of freedom", Num(r.df, 1));
  row("Effect size (Hedges' g, pooled SD " + Num(r.pooled_sd, 3) + ")", Num(r.effect_size, 3));
  row(fmt::format("Probability the effect exceeds {} SD", Num(r.threshold)),
      fmt::format("{:.1f}%", 100 * r.p_effect_above_threshold));
  row("Posterior effect size (mean, SD)",
      fmt::format("{}, {}", Num(r.posterior_mean, 3), Num(r.posterior_sd, 3)));
  if (r.design == Design::kMultilevel) {
    row("Variance between schools / within schools",
        fmt::format("{} / {}", Num(r.sigma2_between, 4), Num(r.sigma2_within, 4)));
    row("Intraclass correlation", Num(r.icc, 3));
  }
  if (r.attrition) {
    row("Students without an outcome (attrition)",
        fmt::format("{:.1f}% overall, {:.1f} points differential ({})", 100 * r.attrition->overall,
                    100 * r.attrition->differential, r.attrition->low ? "low" : "high"));
  }
  out << "</table>\n<p class=\"small\">Method: " << Esc(r.method) << ".</p>\n";

  out << "<h2>Were the groups comparable at the start?</h2>\n"
         "<p>The What Works Clearinghouse asks that the program and comparison groups differ by at "
         "most "
         "0.05 standard deviations on each baseline measure, or by at most 0.25 if the analysis "
         "adjusts "
         "for that measure (it does here).</p>\n";
  if (!r.balance.empty()) {
    out << BalanceTableHtml(r.balance, r.match ? "Before matching" : "Analysed students");
    if (r.match) out << BalanceTableHtml(r.balance_after, "After matching");
  } else {
    out << "<p>No baseline measures were given, so comparability cannot be checked.</p>\n";
  }
  if (r.match) {
    out << fmt::format("<p>{} of {} program students were matched{}.</p>\n", r.match->n_matched,
                       r.match->n_treated,
                       std::isfinite(r.match->caliper_used)
                           ? fmt::format(" (caliper {:.3g})", r.match->caliper_used)
                           : "");
  }

  if (!r.schools.empty()) {
    out << "<h2>School by school</h2>\n<p>Each row is a school's program students compared with "
           "comparison students who had the same baseline measures. Grey: the school's own "
           "estimate "
           "with its 95% interval. Blue square: the estimate after borrowing strength from the "
           "other "
           "schools (empirical Bayes), which pulls small, noisy schools toward the average. Effect "
           "sizes in SD units.";
    out << fmt::format(" The estimated spread of true school effects is {} SD.</p>\n",
                       Num(r.school_tau / r.pooled_sd));
    std::vector<Row> rows;
    std::vector<SchoolEffect> s = r.schools;
    std::sort(s.begin(), s.end(), [](const auto& a, const auto& b) { return a.shrunk > b.shrunk; });
    if (s.size() > 60) s.resize(60);
    for (const auto& e : s) {
      const double k = 1 / r.pooled_sd;
      rows.push_back({fmt::format("{} (n={})", e.school, e.n_treated),
                      k * (e.estimate - 1.96 * e.se), k * e.estimate,
                      k * (e.estimate + 1.96 * e.se), k * e.shrunk});
    }
    out << IntervalPlot(rows, "effect size (SD)");
  }
  if (!r.terciles.empty()) {
    out << "<h2>For whom?</h2>\n<p>Effects for students who started low, in the middle, and high "
           "on the pretest "
           "(points of "
        << Esc(r.outcome_name) << ", 95% intervals).</p>\n";
    std::vector<Row> rows;
    for (const auto& e : r.terciles) {
      if (!e.note.empty()) {
        out << "<p class=\"small\">" << Esc(e.label) << ": " << Esc(e.note) << "</p>\n";
        continue;
      }
      rows.push_back({e.label, e.ci_low, e.estimate, e.ci_high});
    }
    out << IntervalPlot(rows, r.outcome_name + " points");
  }
  if (r.dose_slope) {
    const auto& d = *r.dose_slope;
    out << "<h2>More use, more effect?</h2>\n";
    if (d.note.empty())
      out << "<p>"
          << Esc(fmt::format(
                 "Among program students, each extra unit of use went with a change of {} points "
                 "(95% interval {} to {}, p {}). This is a correlation among users, not proof that "
                 "more use causes more learning.",
                 Num(d.estimate, 4), Num(d.ci_low, 4), Num(d.ci_high, 4), PValue(d.p_value)))
          << "</p>\n";
    else
      out << "<p>" << Esc(d.note) << "</p>\n";
  }
  out << "<h2>How this was computed</h2>\n<p class=\"small\">" << Esc(r.method)
      << ". Effect size: Hedges' g, the estimate divided by the pooled standard deviation of the "
         "outcome, "
         "with the small-sample correction. Standard errors account for students sharing a school "
         "or class "
         "(Bell &amp; McCaffrey 2002; Pustejovsky &amp; Tipton 2018). Baseline equivalence and "
         "attrition follow "
         "the What Works Clearinghouse Standards Handbook (version 5.0; attrition boundary table "
         "from version 4.1).</p>\n";
  out << "</body></html>\n";
}

}  // namespace pw::eval
