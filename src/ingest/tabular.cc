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

// A student sourcedId seen in the file: its id, or why it cannot be used.
struct KnownStudent {
  std::string sid;
  Id id = kNoId;
  std::string problem;     // "" when the id is a student
  std::int32_t next = -1;  // the student looked up after this one last time
};

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
    PW_ASSIGN_OR_RETURN(const KnownStudent* k, FindStudent(sid));
    if (!k->problem.empty()) {
      report_.errors.Add(fmt::format("{}:{}: column \"{}\": \"{}\": {}", source_, row.line,
                                     table_.FileName("student"), sid, k->problem));
      bad_row_ = true;
      return kNoId;
    }
    return k->id;
  }

  // A file lists its students in the same order day after day: each student remembers which one
  // came after it last time, so most lookups are one string comparison with the next entry of
  // students_ (in memory order) instead of a hash lookup that misses the CPU cache.
  Result<const KnownStudent*> FindStudent(const std::string& sid) {
    if (last_student_ >= 0) {
      const std::int32_t guess = students_[static_cast<std::size_t>(last_student_)].next;
      if (guess >= 0 && students_[static_cast<std::size_t>(guess)].sid == sid) {
        last_student_ = guess;
        return &students_[static_cast<std::size_t>(guess)];
      }
    }
    std::int32_t index = 0;
    if (auto it = student_index_.find(sid); it != student_index_.end()) {
      index = it->second;
    } else {
      PW_ASSIGN_OR_RETURN(std::optional<Person> p, store_.FindPersonBySourceId(sid));
      KnownStudent k;
      k.sid = sid;
      k.id = p ? p->id : kNoId;
      if (!p) {
        k.problem = "no person has this sourcedId";
      } else if (p->role != Role::kStudent) {
        k.problem = fmt::format("the person is a {}, not a student", RoleName(p->role));
      }
      index = static_cast<std::int32_t>(students_.size());
      students_.push_back(std::move(k));
      student_index_.emplace(sid, index);
    }
    if (last_student_ >= 0) students_[static_cast<std::size_t>(last_student_)].next = index;
    last_student_ = index;
    return &students_[static_cast<std::size_t>(index)];
  }

  // A spec column's value; the column's position is looked up once per name (the hot loop of a
  // 10-million-row file asks for the same four columns on every row).
  const std::string& Field(const CsvRow& row, std::string_view col) {
    for (const auto& [name, pos] : cols_) {
      if (name == col) return pos < 0 ? kEmpty : row.fields[static_cast<std::size_t>(pos)];
    }
    cols_.emplace_back(col, table_.Col(col));
    return Field(row, col);
  }
  // A date field, remembering the last one parsed (files are usually day by day).
  Result<Date> DateField(const CsvRow& row) {
    const std::string& v = Field(row, "date");
    if (v != last_date_text_ || !last_date_.ok()) {
      last_date_ = ParseDate(v);
      last_date_text_ = v;
    }
    return last_date_;
  }
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
        Result<Date> d = DateField(row);
        if (!d.ok()) Err(row, "date", "a date YYYY-MM-DD", Field(row, "date"));
        Result<AttendanceStatus> st = ParseAttendanceStatus(Field(row, "status"));
        if (!st.ok()) {
          Err(row, "status", "one of present, tardy, excused, unexcused", Field(row, "status"));
        }
        if (!bad_row_) {
          // Records of the previous batch are overwritten in place: their strings keep their
          // buffers, so a row costs no allocation.
          if (attendance_used_ == attendance_.size()) attendance_.emplace_back();
          AttendanceRecord& r = attendance_[attendance_used_++];
          r.student_id = student;
          r.date = *d;
          r.status = *st;
          const std::string& source = Field(row, "source");
          r.source_system.assign(source.empty() ? default_source_ : source);
        }
        break;
      }
      case TabularKind::kSel: {
        SelScore s;
        s.student_id = student;
        Result<Date> d = DateField(row);
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

  std::size_t Pending() const { return attendance_used_ + sel_.size(); }

  Status Flush() {
    // After an error nothing more is written (the transaction will roll back); validation goes
    // on so the report lists every problem.
    if (!report_.ok()) {
      attendance_used_ = 0;
      sel_.clear();
      return OkStatus();
    }
    PutCounts c;
    if (attendance_used_ > 0) {
      PW_ASSIGN_OR_RETURN(c, store_.PutAttendanceCounted(std::span<const AttendanceRecord>(
                                 attendance_.data(), attendance_used_)));
      attendance_used_ = 0;
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
  std::vector<KnownStudent> students_;                                    // in order of first use
  std::unordered_map<std::string, std::int32_t> student_index_;           // sid -> students_ index
  std::int32_t last_student_ = -1;
  std::vector<AttendanceRecord> attendance_;  // the first attendance_used_ are this batch's
  std::size_t attendance_used_ = 0;
  std::vector<SelScore> sel_;
  bool bad_row_ = false;
  std::int64_t rejected_ = 0;
  std::vector<std::pair<std::string_view, int>> cols_;  // spec column -> position (-1: absent)
  std::string last_date_text_;
  Result<Date> last_date_ = InvalidArgumentError("no date yet");
  static inline const std::string kEmpty;
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
