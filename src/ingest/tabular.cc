#include "ingest/tabular.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <unordered_map>

#include "core/enum_names.h"
#include "ingest/csv_table.h"
#include "ingest/prereq_csv.h"

namespace pw::ingest {
namespace {

constexpr EnumNames<TabularKind, 4> kKinds{{{
    {"scores", TabularKind::kScores},
    {"attendance", TabularKind::kAttendance},
    {"behavior", TabularKind::kBehavior},
    {"sel", TabularKind::kSel},
}}};

const std::vector<ColumnSpec> kScores = {{"student", true}, {"assessment", true},
                                         {"date", true},    {"scale_score", true},
                                         {"sem", false},    {"source", false}};
const std::vector<ColumnSpec> kAttendance = {
    {"student", true}, {"date", true}, {"status", true}, {"source", false}};
const std::vector<ColumnSpec> kBehavior = {
    {"student", true},      {"time", true}, {"category", true}, {"severity", true},
    {"description", false}, {"id", false},  {"source", false}};
const std::vector<ColumnSpec> kSel = {{"student", true}, {"date", true}, {"scale", true},
                                      {"score", true},   {"min", false}, {"max", false},
                                      {"source", false}};

const std::vector<ColumnSpec>& SpecFor(TabularKind k) {
  switch (k) {
    case TabularKind::kScores:
      return kScores;
    case TabularKind::kAttendance:
      return kAttendance;
    case TabularKind::kBehavior:
      return kBehavior;
    case TabularKind::kSel:
      return kSel;
  }
  return kScores;
}

std::optional<double> ParseNumber(std::string_view s) {
  double v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

class Importer {
 public:
  Importer(Store& store, TabularKind kind, std::istream& in, const std::string& source,
           const TabularOptions& options)
      : store_(store),
        kind_(kind),
        source_(source),
        options_(options),
        report_(std::string(TabularKindName(kind)), source),
        table_(in, source, SpecFor(kind),
               CsvTableOptions{options.mapping, "", kind == TabularKind::kScores}) {
    report_.check = options.check;
    report_.errors.set_max(options.max_errors);
    default_source_ = options.source_system.empty()
                          ? fmt::format("import:{}", TabularKindName(kind))
                          : options.source_system;
  }

  Result<ImportReport> Run() {
    EntityCounts& counts = report_.Entity(TabularKindName(kind_));
    if (!table_.ReadHeader(report_.errors)) return std::move(report_);
    if (kind_ == TabularKind::kScores) PW_RETURN_IF_ERROR(ResolveSubScores());
    if (!report_.ok()) return std::move(report_);
    PW_RETURN_IF_ERROR(RunImportTransaction(store_, options_, report_, [&]() -> Status {
      CsvRow row;
      while (table_.Next(row, report_.errors)) {
        PW_RETURN_IF_ERROR(Row(row));
        if (Pending() >= options_.batch_rows) PW_RETURN_IF_ERROR(Flush());
      }
      PW_RETURN_IF_ERROR(Flush());
      counts.read = table_.rows_read();
      counts.rejected = rejected_ + table_.rows_malformed();
      if (!report_.ok()) return FailedPreconditionError("rejected");
      return OkStatus();
    }));
    counts.read = table_.rows_read();
    counts.rejected = rejected_ + table_.rows_malformed();
    return std::move(report_);
  }

 private:
  void Err(const CsvRow& row, std::string_view spec_col, std::string_view expected,
           std::string_view value) {
    report_.errors.Add(FieldError(source_, row.line, table_.FileName(spec_col), expected, value));
    bad_row_ = true;
  }

  Status ResolveSubScores() {
    std::unordered_map<std::string, Id> codes;
    if (!options_.framework.empty()) {
      PW_ASSIGN_OR_RETURN(Framework fw, FindFramework(store_, options_.framework));
      PW_ASSIGN_OR_RETURN(std::vector<Competency> comps, store_.ListCompetencies(fw.id));
      for (const Competency& c : comps) codes[c.code] = c.id;
      for (const auto& [name, col] : table_.extra_columns()) {
        auto it = codes.find(name);
        if (it == codes.end()) {
          report_.errors.Add(fmt::format(
              "{}:1: column \"{}\": a sub-score column must be a competency code of framework "
              "\"{}\"",
              source_, name, fw.source_id));
          continue;
        }
        sub_ids_.push_back(it->second);
      }
    } else {
      sub_ids_.assign(table_.extra_columns().size(), kNoId);
    }
    return OkStatus();
  }

  // The student's id for a sourcedId, or kNoId with an error.
  Result<Id> Student(const CsvRow& row, const std::string& sid) {
    auto it = students_.find(sid);
    if (it == students_.end()) {
      PW_ASSIGN_OR_RETURN(std::optional<Person> p, store_.FindPersonBySourceId(sid));
      std::string problem;
      if (!p) {
        problem = "no person has this sourcedId";
      } else if (p->role != Role::kStudent) {
        problem = fmt::format("the person is a {}, not a student", RoleName(p->role));
      }
      it = students_.emplace(sid, std::make_pair(p ? p->id : kNoId, problem)).first;
    }
    if (!it->second.second.empty()) {
      report_.errors.Add(fmt::format("{}:{}: column \"{}\": \"{}\": {}", source_, row.line,
                                     table_.FileName("student"), sid, it->second.second));
      bad_row_ = true;
      return kNoId;
    }
    return it->second.first;
  }

  const std::string& Field(const CsvRow& row, std::string_view col) { return table_.Get(row, col); }
  std::string SourceOf(const CsvRow& row) {
    const std::string& s = Field(row, "source");
    return s.empty() ? default_source_ : s;
  }

  Status Row(const CsvRow& row) {
    bad_row_ = false;
    const std::string& sid = Field(row, "student");
    Id student = kNoId;
    if (sid.empty()) {
      Err(row, "student", "a student sourcedId", sid);
    } else {
      PW_ASSIGN_OR_RETURN(student, Student(row, sid));
    }
    switch (kind_) {
      case TabularKind::kAttendance: {
        AttendanceRecord r;
        r.student_id = student;
        Result<Date> d = ParseDate(Field(row, "date"));
        if (!d.ok()) Err(row, "date", "a date YYYY-MM-DD", Field(row, "date"));
        Result<AttendanceStatus> st = ParseAttendanceStatus(Field(row, "status"));
        if (!st.ok()) {
          Err(row, "status", "one of present, tardy, excused, unexcused", Field(row, "status"));
        }
        if (!bad_row_) {
          r.date = *d;
          r.status = *st;
          r.source_system = SourceOf(row);
          attendance_.push_back(std::move(r));
        }
        break;
      }
      case TabularKind::kSel: {
        SelScore s;
        s.student_id = student;
        Result<Date> d = ParseDate(Field(row, "date"));
        if (!d.ok()) Err(row, "date", "a date YYYY-MM-DD", Field(row, "date"));
        if (Field(row, "scale").empty()) Err(row, "scale", "a scale name", "");
        std::optional<double> score = ParseNumber(Field(row, "score"));
        if (!score) Err(row, "score", "a number", Field(row, "score"));
        std::optional<double> lo = 1, hi = 5;
        if (!Field(row, "min").empty()) {
          lo = ParseNumber(Field(row, "min"));
          if (!lo) Err(row, "min", "a number", Field(row, "min"));
        }
        if (!Field(row, "max").empty()) {
          hi = ParseNumber(Field(row, "max"));
          if (!hi) Err(row, "max", "a number", Field(row, "max"));
        }
        if (lo && hi && *lo >= *hi) {
          Err(row, "max", fmt::format("a number above min {}", *lo), Field(row, "max"));
        } else if (score && lo && hi && (*score < *lo || *score > *hi)) {
          Err(row, "score", fmt::format("a number in {}..{}", *lo, *hi), Field(row, "score"));
        }
        if (!bad_row_) {
          s.date = *d;
          s.scale = Field(row, "scale");
          s.score = *score;
          s.scale_min = *lo;
          s.scale_max = *hi;
          s.source_system = SourceOf(row);
          sel_.push_back(std::move(s));
        }
        break;
      }
      case TabularKind::kBehavior: {
        BehaviorIncident b;
        b.student_id = student;
        Result<Timestamp> t = ParseTimestamp(Field(row, "time"));
        if (!t.ok()) {
          Err(row, "time", "an ISO 8601 date or date-time", Field(row, "time"));
        }
        if (Field(row, "category").empty()) Err(row, "category", "a category", "");
        const std::string& sev = Field(row, "severity");
        if (sev == "1" || sev == "minor") {
          b.severity = 1;
        } else if (sev == "2" || sev == "moderate") {
          b.severity = 2;
        } else if (sev == "3" || sev == "major") {
          b.severity = 3;
        } else {
          Err(row, "severity", "1, 2, 3, minor, moderate or major", sev);
        }
        if (!bad_row_) {
          b.time = *t;
          b.category = Field(row, "category");
          b.description = Field(row, "description");
          b.source_system = SourceOf(row);
          b.source_record = Field(row, "id");
          if (b.source_record.empty()) {
            b.source_record = fmt::format("{}|{}|{}", sid, FormatTimestamp(b.time), b.category);
          }
          PW_RETURN_IF_ERROR(Counted(row, store_.PutBehavior(b)));
        }
        break;
      }
      case TabularKind::kScores: {
        AssessmentScore a;
        a.student_id = student;
        a.assessment = Field(row, "assessment");
        if (a.assessment.empty()) Err(row, "assessment", "an assessment name", "");
        Result<Date> d = ParseDate(Field(row, "date"));
        if (!d.ok()) Err(row, "date", "a date YYYY-MM-DD", Field(row, "date"));
        std::optional<double> scale = ParseNumber(Field(row, "scale_score"));
        if (!scale) Err(row, "scale_score", "a number", Field(row, "scale_score"));
        if (!Field(row, "sem").empty()) {
          a.sem = ParseNumber(Field(row, "sem"));
          if (!a.sem || *a.sem < 0) Err(row, "sem", "a number >= 0", Field(row, "sem"));
        }
        const auto& extra = table_.extra_columns();
        for (std::size_t i = 0; i < extra.size(); ++i) {
          const std::string& v = row.fields[static_cast<std::size_t>(extra[i].second)];
          if (v.empty()) continue;
          std::optional<double> x = ParseNumber(v);
          if (!x) {
            report_.errors.Add(FieldError(source_, row.line, extra[i].first, "a number", v));
            bad_row_ = true;
            continue;
          }
          a.sub_scores.push_back({extra[i].first, sub_ids_[i], *x});
        }
        if (!bad_row_) {
          a.date = *d;
          a.scale_score = *scale;
          a.source_system = SourceOf(row);
          PW_RETURN_IF_ERROR(Counted(row, store_.PutAssessmentScore(a)));
        }
        break;
      }
    }
    if (bad_row_) ++rejected_;
    return OkStatus();
  }

  // Counts a single-row write; a bad-input failure from the store becomes this row's error.
  Status Counted(const CsvRow& row, const Result<PutOutcome>& o) {
    if (o.ok()) {
      report_.Count(TabularKindName(kind_), *o);
      return OkStatus();
    }
    if (o.status().code() != StatusCode::kInvalidArgument &&
        o.status().code() != StatusCode::kAlreadyExists) {
      return o.status();
    }
    report_.errors.Add(fmt::format("{}:{}: {}", source_, row.line, o.status().message()));
    bad_row_ = true;
    return OkStatus();
  }

  std::size_t Pending() const { return attendance_.size() + sel_.size(); }

  Status Flush() {
    // After an error nothing more is written (the transaction will roll back); validation goes
    // on so the report lists every problem.
    if (!report_.ok()) {
      attendance_.clear();
      sel_.clear();
      return OkStatus();
    }
    PutCounts c;
    if (!attendance_.empty()) {
      PW_ASSIGN_OR_RETURN(c, store_.PutAttendanceCounted(attendance_));
      attendance_.clear();
    } else if (!sel_.empty()) {
      PW_ASSIGN_OR_RETURN(c, store_.PutSelCounted(sel_));
      sel_.clear();
    }
    EntityCounts& counts = report_.Entity(TabularKindName(kind_));
    counts.created += c.created;
    counts.updated += c.updated;
    counts.unchanged += c.unchanged;
    return OkStatus();
  }

  Store& store_;
  TabularKind kind_;
  std::string source_;
  TabularOptions options_;
  ImportReport report_;
  CsvTableReader table_;
  std::string default_source_;
  std::vector<Id> sub_ids_;                                               // per extra column
  std::unordered_map<std::string, std::pair<Id, std::string>> students_;  // sid -> id, problem
  std::vector<AttendanceRecord> attendance_;
  std::vector<SelScore> sel_;
  bool bad_row_ = false;
  std::int64_t rejected_ = 0;
};

}  // namespace

Result<TabularKind> ParseTabularKind(std::string_view name) {
  return kKinds.Parse(name, "import kind");
}
std::string_view TabularKindName(TabularKind k) { return kKinds.Name(k); }

Result<ImportReport> ImportTabular(Store& store, TabularKind kind, std::istream& in,
                                   const std::string& source, const TabularOptions& options) {
  Importer importer(store, kind, in, source, options);
  return importer.Run();
}

}  // namespace pw::ingest
