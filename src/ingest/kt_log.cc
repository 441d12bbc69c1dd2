#include "ingest/kt_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <numeric>

#include "core/csv.h"
#include "core/time.h"

namespace pw::ingest {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Shortens untrusted text for error messages.
std::string Shown(std::string_view s) {
  if (s.size() > 40) return fmt::format("{}...", s.substr(0, 40));
  return std::string(s);
}

Status Expected(const std::string& where, std::string_view field, std::string_view what,
                std::string_view got) {
  return InvalidArgumentError("{}: {}: expected {}, got \"{}\"", where, field, what, Shown(got));
}

Result<bool> ParseCorrect(const std::string& where, std::string_view field, std::string_view v) {
  v = Trim(v);
  if (v == "1") return true;
  if (v == "0") return false;
  return Expected(where, field, "0 or 1", v);
}

Result<std::int64_t> ParseInt(const std::string& where, std::string_view field, std::string_view v,
                              std::string_view what) {
  v = Trim(v);
  std::int64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size())
    return Expected(where, field, what, v);
  return x;
}

// Splits `s` on `sep` (a string), dropping empty pieces (trailing commas are common).
void SplitNonEmpty(std::string_view s, std::string_view sep, std::vector<std::string_view>& out) {
  out.clear();
  while (true) {
    std::size_t k = s.find(sep);
    std::string_view piece = Trim(s.substr(0, k));
    if (!piece.empty()) out.push_back(piece);
    if (k == std::string_view::npos) break;
    s.remove_prefix(k + sep.size());
  }
}

// Multi-skill cells: "12_34" or "12~~34".
void SplitSkills(std::string_view cell, KtInterner& skills, std::vector<std::int32_t>& out) {
  out.clear();
  cell = Trim(cell);
  std::string_view sep = cell.find("~~") != std::string_view::npos ? "~~" : "_";
  std::vector<std::string_view> parts;
  SplitNonEmpty(cell, sep, parts);
  for (auto p : parts) {
    std::int32_t id = skills.Intern(p);
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
}

class Limiter {
 public:
  explicit Limiter(std::int64_t max) : max_(max) {}
  Status Check(const KtLog& log, const std::string& where) const {
    if (max_ > 0 && static_cast<std::int64_t>(log.size()) > max_) {
      return InvalidArgumentError("{}: more than {} answers (the limit)", where, max_);
    }
    return OkStatus();
  }

 private:
  std::int64_t max_;
};

// ---- long / gervet / sim: one answer per row, header names the columns -------------------

Result<KtLog> ReadRows(CsvReader& csv, KtFormat format, const KtReadOptions& opt, KtVocab& vocab) {
  const bool sim = format == KtFormat::kSim;
  const char* c_student = sim ? "student_id" : "user_id";
  PW_ASSIGN_OR_RETURN(CsvHeader h, CsvHeader::Read(csv, {c_student, "item_id", "timestamp",
                                                         "correct", "skill_id"}));
  const int is = h.Index(c_student), ii = h.Index("item_id"), it = h.Index("timestamp"),
            ic = h.Index("correct"), ik = h.Index("skill_id");
  const std::size_t width = h.size();
  KtLog log;
  Limiter limit(opt.max_answers);
  std::vector<std::string> row;
  std::vector<std::int32_t> ks;
  while (true) {
    PW_ASSIGN_OR_RETURN(bool more, csv.Next(row));
    if (!more) break;
    const std::string where = csv.Where();
    if (row.size() != width) {
      return InvalidArgumentError("{}: expected {} fields (as in the header), got {}", where, width,
                                  row.size());
    }
    std::string_view student = Trim(row[is]), item = Trim(row[ii]);
    if (student.empty()) return Expected(where, c_student, "an id", student);
    if (item.empty()) return Expected(where, "item_id", "an id", item);
    PW_ASSIGN_OR_RETURN(bool correct, ParseCorrect(where, "correct", row[ic]));
    std::int64_t t = 0;
    if (sim) {
      auto ts = ParseTimestamp(Trim(row[it]));
      if (!ts.ok()) return Expected(where, "timestamp", "an ISO-8601 UTC time", row[it]);
      t = ts->millis >= 0 ? ts->millis / 1000 : -((-ts->millis + 999) / 1000);
    } else {
      PW_ASSIGN_OR_RETURN(t, ParseInt(where, "timestamp", row[it], "an integer (Unix seconds)"));
    }
    SplitSkills(row[ik], vocab.skills, ks);
    if (ks.empty()) return Expected(where, "skill_id", "a skill id", row[ik]);
    log.Add(vocab.students.Intern(student), vocab.items.Intern(item), t, correct, ks);
    PW_RETURN_IF_ERROR(limit.Check(log, where));
  }
  return log;
}

// ---- lines3 / lines4 ------------------------------------------------------------------

std::string JoinRow(const std::vector<std::string>& row) {
  std::string s;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) s += ',';
    s += row[i];
  }
  return s;
}

void NonEmptyFields(const std::vector<std::string>& row, std::vector<std::string_view>& out) {
  out.clear();
  for (const auto& f : row) {
    std::string_view t = Trim(f);
    if (!t.empty()) out.push_back(t);
  }
}

Result<KtLog> ReadLines(CsvReader& csv, KtFormat format, const KtReadOptions& opt, KtVocab& vocab) {
  const bool four = format == KtFormat::kLines4;
  KtLog log;
  Limiter limit(opt.max_answers);
  std::vector<std::string> row;
  std::vector<std::string_view> ids, skill_ids, answers;
  std::vector<std::string> ids_store, skills_store;
  std::vector<std::int32_t> ks;
  std::int64_t record = 0;
  while (true) {
    PW_ASSIGN_OR_RETURN(bool more, csv.Next(row));
    if (!more) break;
    const std::string head_where = csv.Where();
    std::string student_name;
    std::int64_t expected_len = -1;
    if (four) {
      std::vector<std::string_view> head;
      NonEmptyFields(row, head);
      if (head.size() != 2) {
        return Expected(head_where, "header line", "\"<index>,<user id>\"", JoinRow(row));
      }
      student_name = std::string(head[1]);
    } else {
      std::vector<std::string_view> head;
      NonEmptyFields(row, head);
      if (head.size() != 1) return Expected(head_where, "length line", "one integer", JoinRow(row));
      PW_ASSIGN_OR_RETURN(expected_len,
                          ParseInt(head_where, "length line", head[0], "a non-negative integer"));
      if (expected_len < 0)
        return Expected(head_where, "length line", "a non-negative integer", head[0]);
      student_name = fmt::format("{}#{}", csv.source_name(), record);
    }
    ++record;
    auto next_line = [&](std::string_view what, std::vector<std::string>& store,
                         std::vector<std::string_view>& out) -> Status {
      PW_ASSIGN_OR_RETURN(bool m, csv.Next(row));
      if (!m) {
        return InvalidArgumentError(
            "{}: {}: expected a line after this record's line {}, got the end of the file",
            csv.source_name(), what, head_where.substr(head_where.rfind(':') + 1));
      }
      store.assign(row.begin(), row.end());
      out.clear();
      for (const auto& f : store) {
        std::string_view t = Trim(f);
        if (!t.empty()) out.push_back(t);
      }
      return OkStatus();
    };
    PW_RETURN_IF_ERROR(next_line(four ? "problem line" : "id line", ids_store, ids));
    const std::string ids_where = csv.Where();
    if (!four && static_cast<std::int64_t>(ids.size()) != expected_len) {
      return InvalidArgumentError("{}: id line: expected {} ids (the length on line {}), got {}",
                                  ids_where, expected_len,
                                  head_where.substr(head_where.rfind(':') + 1), ids.size());
    }
    if (four) {
      PW_RETURN_IF_ERROR(next_line("skill line", skills_store, skill_ids));
      if (skill_ids.size() != ids.size()) {
        return InvalidArgumentError(
            "{}: skill line: expected {} skill ids (as many as problems), got {}", csv.Where(),
            ids.size(), skill_ids.size());
      }
    }
    std::vector<std::string> ans_store;
    PW_RETURN_IF_ERROR(next_line("answer line", ans_store, answers));
    const std::string ans_where = csv.Where();
    if (answers.size() != ids.size()) {
      return InvalidArgumentError("{}: answer line: expected {} answers (as many as ids), got {}",
                                  ans_where, ids.size(), answers.size());
    }
    const std::int32_t s = vocab.students.Intern(student_name);
    for (std::size_t j = 0; j < ids.size(); ++j) {
      PW_ASSIGN_OR_RETURN(bool c, ParseCorrect(ans_where, "answer line", answers[j]));
      ks.clear();
      if (four) {
        SplitSkills(skill_ids[j], vocab.skills, ks);
      } else {
        ks.push_back(vocab.skills.Intern(ids[j]));
      }
      log.Add(s, vocab.items.Intern(ids[j]), 0, c, ks);
    }
    PW_RETURN_IF_ERROR(limit.Check(log, ans_where));
  }
  return log;
}

// ---- pykt ------------------------------------------------------------------------------

Result<KtLog> ReadPykt(CsvReader& csv, const KtReadOptions& opt, KtVocab& vocab) {
  PW_ASSIGN_OR_RETURN(CsvHeader h, CsvHeader::Read(csv, {"uid", "responses"}));
  const int iu = h.Index("uid"), ir = h.Index("responses"), ic = h.Find("concepts"),
            iq = h.Find("questions"), it = h.Find("timestamps");
  if (ic < 0 && iq < 0) {
    return InvalidArgumentError(
        "{}:1: missing column \"concepts\" or \"questions\" (expected at least one)",
        csv.source_name());
  }
  KtLog log;
  Limiter limit(opt.max_answers);
  std::vector<std::string> row;
  std::vector<std::string_view> resp, conc, ques, times;
  std::vector<std::int32_t> ks;
  while (true) {
    PW_ASSIGN_OR_RETURN(bool more, csv.Next(row));
    if (!more) break;
    const std::string where = csv.Where();
    if (row.size() != h.size()) {
      return InvalidArgumentError("{}: expected {} fields (as in the header), got {}", where,
                                  h.size(), row.size());
    }
    std::string_view uid = Trim(row[iu]);
    if (uid.empty()) return Expected(where, "uid", "an id", uid);
    SplitNonEmpty(row[ir], ",", resp);
    auto same_len = [&](int col, std::string_view name,
                        std::vector<std::string_view>& out) -> Status {
      if (col < 0) return OkStatus();
      SplitNonEmpty(row[col], ",", out);
      if (out.size() != resp.size()) {
        return InvalidArgumentError("{}: {}: expected {} values (as many as responses), got {}",
                                    where, name, resp.size(), out.size());
      }
      return OkStatus();
    };
    PW_RETURN_IF_ERROR(same_len(ic, "concepts", conc));
    PW_RETURN_IF_ERROR(same_len(iq, "questions", ques));
    PW_RETURN_IF_ERROR(same_len(it, "timestamps", times));
    const std::int32_t s = vocab.students.Intern(uid);
    for (std::size_t j = 0; j < resp.size(); ++j) {
      if (resp[j] == "-1") continue;  // pyKT's padding in *_sequences files
      PW_ASSIGN_OR_RETURN(bool c, ParseCorrect(where, "responses", resp[j]));
      std::string_view skill_cell = ic >= 0 ? conc[j] : ques[j];
      std::string_view item = iq >= 0 ? ques[j] : conc[j];
      SplitSkills(skill_cell, vocab.skills, ks);
      std::int64_t t = 0;
      if (it >= 0) {
        PW_ASSIGN_OR_RETURN(std::int64_t ms,
                            ParseInt(where, "timestamps", times[j], "an integer (Unix ms)"));
        t = ms / 1000;
      }
      log.Add(s, vocab.items.Intern(item), t, c, ks);
    }
    PW_RETURN_IF_ERROR(limit.Check(log, where));
  }
  return log;
}

// ---- datashop --------------------------------------------------------------------------

// "M/D/YYYY H:MM[:SS]" or "YYYY-MM-DD HH:MM:SS[.f]" -> Unix seconds.
Result<std::int64_t> ParseDatashopTime(const std::string& where, std::string_view field,
                                       std::string_view v) {
  v = Trim(v);
  if (v.empty() || v == ".") return std::int64_t{0};
  if (v.find('/') != std::string_view::npos) {
    // Fields: month, day, year, hour, minute, optional second, each all digits.
    int f[6] = {0, 0, 0, 0, 0, 0};
    const char seps[5] = {'/', '/', ' ', ':', ':'};
    int nf = 0;
    bool ok = true;
    std::size_t at = 0;
    while (ok && nf < 6) {
      std::size_t start = at;
      int x = 0;
      while (at < v.size() && v[at] >= '0' && v[at] <= '9' && at - start < 5)
        x = x * 10 + (v[at++] - '0');
      if (at == start) ok = false;
      f[nf++] = x;
      if (!ok || at == v.size() || nf == 6) break;
      if (v[at] != seps[nf - 1]) ok = false;
      ++at;
    }
    ok = ok && at == v.size() && nf >= 5;
    const int mo = f[0], d = f[1], y = f[2], hh = f[3], mm = f[4], ss = f[5];
    if (!ok || mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1900 || y > 9999 || hh > 23 || mm > 59 ||
        ss > 60) {
      return Expected(where, field, "a time \"M/D/YYYY H:MM\" or \"YYYY-MM-DD HH:MM:SS\"", v);
    }
    Date date = DateFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    return static_cast<std::int64_t>(date.days) * 86400 + hh * 3600 + mm * 60 + ss;
  }
  std::string s(v);
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  auto ts = ParseTimestamp(s);
  if (!ts.ok())
    return Expected(where, field, "a time \"M/D/YYYY H:MM\" or \"YYYY-MM-DD HH:MM:SS\"", v);
  return ts->millis / 1000;
}

Result<KtLog> ReadDatashop(CsvReader& csv, const KtReadOptions& opt, KtVocab& vocab) {
  std::vector<std::string> row;
  PW_ASSIGN_OR_RETURN(bool any, csv.Next(row));
  if (!any)
    return InvalidArgumentError("{}:1: expected a DataShop header row, got an empty file",
                                csv.source_name());
  std::vector<std::string> names;
  for (auto& f : row) names.emplace_back(Trim(f));
  auto find = [&](std::string_view n) -> int {  // first occurrence; names may repeat
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == n) return static_cast<int>(i);
    }
    return -1;
  };
  std::string listed;
  for (std::size_t i = 0; i < names.size() && i < 12; ++i) listed += (i ? ", " : "") + names[i];
  if (names.size() > 12) listed += ", ...";
  auto missing = [&](std::string_view col) {
    return InvalidArgumentError("{}:1: missing column \"{}\" (found: {})", csv.source_name(), col,
                                listed);
  };
  const int is = find("Anon Student Id");
  if (is < 0) return missing("Anon Student Id");
  const int ifirst = find("First Attempt"), iout = find("Outcome");
  const bool step = ifirst >= 0;
  if (!step && iout < 0) return missing("First Attempt\" or \"Outcome");
  const int iprob = find("Problem Name"), istep = find("Step Name");
  if (iprob < 0) return missing("Problem Name");
  if (istep < 0) return missing("Step Name");
  const int iatt = step ? -1 : find("Attempt At Step");
  if (!step && iatt < 0) return missing("Attempt At Step");
  const int itime = step ? find("First Transaction Time") : find("Time");
  int ikc = -1;
  if (opt.kc_model.empty()) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i].rfind("KC (", 0) == 0) {
        ikc = static_cast<int>(i);
        break;
      }
    }
    if (ikc < 0) return missing("KC (...)");
  } else {
    ikc = find(fmt::format("KC ({})", opt.kc_model));
    if (ikc < 0) return missing(fmt::format("KC ({})", opt.kc_model));
  }
  KtLog log;
  Limiter limit(opt.max_answers);
  std::vector<std::int32_t> ks;
  while (true) {
    PW_ASSIGN_OR_RETURN(bool more, csv.Next(row));
    if (!more) break;
    const std::string where = csv.Where();
    if (row.size() < names.size()) {
      return InvalidArgumentError("{}: expected {} fields (as in the header), got {}", where,
                                  names.size(), row.size());
    }
    bool correct = false;
    if (step) {
      std::string_view v = Trim(row[ifirst]);
      if (v == "correct") {
        correct = true;
      } else if (v == "incorrect" || v == "hint") {
        correct = false;
      } else {
        return Expected(where, "First Attempt", "correct, incorrect or hint", v);
      }
    } else {
      PW_ASSIGN_OR_RETURN(std::int64_t att,
                          ParseInt(where, "Attempt At Step", row[iatt], "a positive integer"));
      if (att < 1) return Expected(where, "Attempt At Step", "a positive integer", row[iatt]);
      std::string_view v = Trim(row[iout]);
      if (v == "CORRECT") {
        correct = true;
      } else if (v == "INCORRECT" || v == "HINT") {
        correct = false;
      } else {
        return Expected(where, "Outcome", "CORRECT, INCORRECT or HINT", v);
      }
      if (att != 1) continue;  // knowledge tracing uses first attempts
    }
    std::string_view student = Trim(row[is]);
    if (student.empty()) return Expected(where, "Anon Student Id", "an id", student);
    std::int64_t t = 0;
    if (itime >= 0) {
      PW_ASSIGN_OR_RETURN(t, ParseDatashopTime(where, names[itime], row[itime]));
    }
    std::string_view kc = Trim(row[ikc]);
    if (kc.empty() || kc == ".") {
      ++log.skipped_rows;
      continue;
    }
    SplitSkills(kc, vocab.skills, ks);
    std::string item = fmt::format("{}/{}", Trim(row[iprob]), Trim(row[istep]));
    log.Add(vocab.students.Intern(student), vocab.items.Intern(item), t, correct, ks);
    PW_RETURN_IF_ERROR(limit.Check(log, where));
  }
  return log;
}

}  // namespace

std::int32_t KtInterner::Intern(std::string_view name) {
  auto it = index_.find(std::string(name));
  if (it != index_.end()) return it->second;
  auto id = static_cast<std::int32_t>(names_.size());
  names_.emplace_back(name);
  index_.emplace(names_.back(), id);
  return id;
}

std::int32_t KtInterner::Find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? -1 : it->second;
}

void KtLog::Add(std::int32_t s, std::int32_t it, std::int64_t t, bool c,
                const std::vector<std::int32_t>& ks) {
  student.push_back(s);
  item.push_back(it);
  time.push_back(t);
  if (t != 0) has_time = true;
  correct.push_back(c ? 1 : 0);
  skills.insert(skills.end(), ks.begin(), ks.end());
  skill_begin.push_back(static_cast<std::int32_t>(skills.size()));
}

Result<KtFormat> ParseKtFormat(std::string_view name) {
  if (name == "long" || name == "gervet") return KtFormat::kLong;
  if (name == "lines3") return KtFormat::kLines3;
  if (name == "lines4") return KtFormat::kLines4;
  if (name == "pykt") return KtFormat::kPykt;
  if (name == "datashop") return KtFormat::kDatashop;
  if (name == "sim") return KtFormat::kSim;
  return InvalidArgumentError(
      "--format: expected one of long, gervet, lines3, lines4, pykt, datashop, sim, got \"{}\"",
      Shown(name));
}

std::string_view KtFormatName(KtFormat f) {
  switch (f) {
    case KtFormat::kLong:
      return "long";
    case KtFormat::kLines3:
      return "lines3";
    case KtFormat::kLines4:
      return "lines4";
    case KtFormat::kPykt:
      return "pykt";
    case KtFormat::kDatashop:
      return "datashop";
    case KtFormat::kSim:
      return "sim";
  }
  return "?";
}

Result<KtLog> ReadKtLog(std::istream& in, const std::string& name, KtFormat format,
                        const KtReadOptions& options, KtVocab& vocab) {
  const char delim = (format == KtFormat::kLong || format == KtFormat::kDatashop) ? '\t' : ',';
  CsvLimits limits;
  // DKT/AKT sequence lines hold one field per answer: sequences of thousands are normal.
  limits.max_fields = 1 << 20;
  CsvReader csv(in, name, delim, limits);
  switch (format) {
    case KtFormat::kLong:
    case KtFormat::kSim:
      return ReadRows(csv, format, options, vocab);
    case KtFormat::kLines3:
    case KtFormat::kLines4:
      return ReadLines(csv, format, options, vocab);
    case KtFormat::kPykt:
      return ReadPykt(csv, options, vocab);
    case KtFormat::kDatashop:
      return ReadDatashop(csv, options, vocab);
  }
  return InternalError("unknown format");
}

Result<KtLog> ReadKtLogFile(const std::string& path, KtFormat format, const KtReadOptions& options,
                            KtVocab& vocab) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return InvalidArgumentError("{}: cannot open the file", path);
  return ReadKtLog(f, path, format, options, vocab);
}

void SortKtLogByStudentTime(KtLog& log) {
  const std::size_t n = log.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (log.student[a] != log.student[b]) return log.student[a] < log.student[b];
    return log.time[a] < log.time[b];
  });
  bool sorted = true;
  for (std::size_t i = 0; i < n; ++i) {
    if (order[i] != i) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  KtLog out;
  out.has_time = log.has_time;
  out.skipped_rows = log.skipped_rows;
  std::vector<std::int32_t> ks;
  for (std::size_t i : order) {
    ks.assign(log.skills.begin() + log.skill_begin[i], log.skills.begin() + log.skill_begin[i + 1]);
    out.Add(log.student[i], log.item[i], log.time[i], log.correct[i] != 0, ks);
  }
  out.has_time = log.has_time;
  log = std::move(out);
}

}  // namespace pw::ingest
