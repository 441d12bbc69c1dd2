#include "ingest/csv_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace pw::ingest {

const std::string CsvTableReader::kEmpty;

Result<std::map<std::string, std::string>> ParseColumnMapping(
    const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> out;
  for (const std::string& p : pairs) {
    const std::size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == p.size()) {
      return InvalidArgumentError("--map \"{}\": expected FILE_COLUMN=FIELD", p);
    }
    out[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return out;
}

int NameDistance(std::string_view a, std::string_view b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string FieldError(std::string_view file, std::int64_t line, std::string_view column,
                       std::string_view expected, std::string_view value) {
  return fmt::format("{}:{}: column \"{}\": expected {}, got \"{}\"", file, line, column, expected,
                     value);
}

CsvTableReader::CsvTableReader(std::istream& in, std::string file,
                               const std::vector<ColumnSpec>& spec, CsvTableOptions options)
    : csv_(in, file), file_(std::move(file)), spec_(spec), options_(std::move(options)) {}

bool CsvTableReader::ReadHeader(ErrorList& errors) {
  std::vector<std::string> fields;
  Result<bool> more = csv_.Next(fields);
  if (!more.ok()) {
    errors.Add(more.status().message());
    return false;
  }
  if (!*more) {
    errors.Add(fmt::format("{}:1: the file is empty (expected a header)", file_));
    return false;
  }
  const std::int64_t line = csv_.line();
  width_ = fields.size();
  bool ok = true;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string_view v = fields[i];
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    const std::string raw(v);
    if (raw.empty()) {
      errors.Add(fmt::format("{}:{}: column {} has no name", file_, line, i + 1));
      ok = false;
      continue;
    }
    std::string name = raw;
    if (auto m = options_.mapping.find(raw); m != options_.mapping.end()) name = m->second;
    const bool known = std::any_of(spec_.begin(), spec_.end(),
                                   [&](const ColumnSpec& c) { return c.name == name; });
    if (!known) {
      if (!options_.extension_prefix.empty() && name.starts_with(options_.extension_prefix)) {
        continue;
      }
      if (options_.allow_unknown) {
        extra_.emplace_back(name, static_cast<int>(i));
        continue;
      }
      std::string hint;
      int best = 3;
      for (const ColumnSpec& c : spec_) {
        const int d = NameDistance(name, c.name);
        if (d < best) {
          best = d;
          hint = fmt::format(" (did you mean \"{}\"?)", c.name);
        }
      }
      errors.Add(fmt::format("{}:{}: unknown column \"{}\"{}", file_, line, raw, hint));
      ok = false;
      continue;
    }
    if (!index_.emplace(name, static_cast<int>(i)).second) {
      errors.Add(fmt::format("{}:{}: column \"{}\" appears twice", file_, line, name));
      ok = false;
      continue;
    }
    file_names_[name] = raw;
  }
  for (const ColumnSpec& c : spec_) {
    if (c.required && !index_.count(c.name)) {
      errors.Add(fmt::format("{}:{}: missing column \"{}\"", file_, line, c.name));
      ok = false;
    }
  }
  return ok;
}

bool CsvTableReader::Next(CsvRow& row, ErrorList& errors) {
  while (!stopped_) {
    Result<bool> more = csv_.Next(row.fields);
    if (!more.ok()) {
      errors.Add(more.status().message());
      stopped_ = true;
      return false;
    }
    if (!*more) return false;
    row.line = csv_.line();
    ++rows_read_;
    if (row.fields.size() != width_) {
      errors.Add(fmt::format("{}:{}: expected {} fields as in the header, found {}", file_,
                             row.line, width_, row.fields.size()));
      ++rows_malformed_;
      continue;
    }
    return true;
  }
  return false;
}

int CsvTableReader::Col(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? -1 : it->second;
}

const std::string& CsvTableReader::Get(const CsvRow& row, std::string_view name) const {
  const int c = Col(name);
  return c < 0 ? kEmpty : row.fields[static_cast<std::size_t>(c)];
}

std::string CsvTableReader::FileName(std::string_view spec_name) const {
  auto it = file_names_.find(std::string(spec_name));
  return it == file_names_.end() ? std::string(spec_name) : it->second;
}

}  // namespace pw::ingest
