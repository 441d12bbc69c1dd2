#include "core/csv.h"

#include <cassert>

#include <fmt/format.h>

namespace pw {

CsvReader::CsvReader(std::istream& in, std::string source_name, char delimiter, CsvLimits limits)
    : in_(in), name_(std::move(source_name)), delim_(delimiter), limits_(limits), buf_(1 << 16) {}

std::string CsvReader::Where() const { return fmt::format("{}:{}", name_, record_line_); }

bool CsvReader::Fill() {
  if (eof_) return false;
  in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  len_ = static_cast<std::size_t>(in_.gcount());
  pos_ = 0;
  if (len_ == 0) eof_ = true;
  return len_ > 0;
}

Result<bool> CsvReader::Next(std::vector<std::string>& fields) {
  std::size_t nfields = 0;
  std::size_t record_bytes = 0;
  auto error = [&](std::string_view what) {
    return InvalidArgumentError("{}:{}: {}", name_, record_line_, what);
  };
  // States: at field start, in unquoted field, in quoted field, after closing quote.
  enum { kStart, kUnquoted, kQuoted, kAfterQuote } state = kStart;
  bool any_char = false;
  auto new_field = [&]() -> std::string* {
    if (nfields == fields.size()) fields.emplace_back();
    std::string* f = &fields[nfields++];
    f->clear();
    return f;
  };
  std::string* field = nullptr;
  record_line_ = line_;
  while (true) {
    if (pos_ == len_ && !Fill()) break;
    if (!started_) {
      started_ = true;
      if (len_ - pos_ >= 3 && static_cast<unsigned char>(buf_[pos_]) == 0xEF &&
          static_cast<unsigned char>(buf_[pos_ + 1]) == 0xBB &&
          static_cast<unsigned char>(buf_[pos_ + 2]) == 0xBF) {
        pos_ += 3;
        continue;
      }
    }
    char c = buf_[pos_++];
    if (++record_bytes > limits_.max_record_bytes) {
      return error(fmt::format("record is longer than {} bytes", limits_.max_record_bytes));
    }
    if (state == kQuoted) {
      if (c == '"') {
        state = kAfterQuote;
      } else {
        if (c == '\n') ++line_;
        if (field->size() >= limits_.max_field_bytes) {
          return error(fmt::format("field is longer than {} bytes", limits_.max_field_bytes));
        }
        field->push_back(c);
      }
      continue;
    }
    if (c == '\r') continue;  // CRLF; a lone CR inside a field is dropped too
    if (c == '\n') {
      ++line_;
      if (!any_char) {  // blank line
        record_line_ = line_;
        record_bytes = 0;
        continue;
      }
      if (state == kStart) new_field();
      fields.resize(nfields);
      return true;
    }
    any_char = true;
    if (c == delim_) {
      if (state == kStart) new_field();
      state = kStart;
      if (nfields >= limits_.max_fields) {
        return error(fmt::format("more than {} fields", limits_.max_fields));
      }
      continue;
    }
    switch (state) {
      case kStart:
        field = new_field();
        if (c == '"') {
          state = kQuoted;
        } else {
          field->push_back(c);
          state = kUnquoted;
        }
        break;
      case kUnquoted:
        if (c == '"') return error(fmt::format("field {}: a quote inside an unquoted field", nfields));
        if (field->size() >= limits_.max_field_bytes) {
          return error(fmt::format("field is longer than {} bytes", limits_.max_field_bytes));
        }
        field->push_back(c);
        break;
      case kAfterQuote:
        if (c == '"') {  // "" inside quotes
          field->push_back('"');
          state = kQuoted;
        } else {
          return error(fmt::format("field {}: text after a closing quote", nfields));
        }
        break;
      case kQuoted:
        break;  // handled above
    }
  }
  if (state == kQuoted) return error("a quoted field is not closed before the end of the file");
  if (!any_char) return false;
  if (state == kStart) new_field();
  fields.resize(nfields);
  return true;
}

Result<CsvHeader> CsvHeader::FromFields(const std::vector<std::string>& fields,
                                        std::initializer_list<std::string_view> required,
                                        const std::string& where) {
  CsvHeader h;
  for (const std::string& raw : fields) {
    std::string_view v = raw;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    std::string name(v);
    if (!h.index_.emplace(name, static_cast<int>(h.names_.size())).second) {
      return InvalidArgumentError("{}: column \"{}\" appears twice", where, name);
    }
    h.names_.push_back(std::move(name));
  }
  for (std::string_view r : required) {
    if (h.Find(r) < 0) {
      return InvalidArgumentError("{}: missing column \"{}\" (found: {})", where, r,
                                  fmt::join(h.names_, ", "));
    }
  }
  return h;
}

Result<CsvHeader> CsvHeader::Read(CsvReader& csv, std::initializer_list<std::string_view> required) {
  std::vector<std::string> fields;
  PW_ASSIGN_OR_RETURN(bool more, csv.Next(fields));
  if (!more) return InvalidArgumentError("{}:1: the file is empty (expected a header)", csv.source_name());
  return FromFields(fields, required, csv.Where());
}

int CsvHeader::Find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? -1 : it->second;
}

int CsvHeader::Index(std::string_view name) const {
  int i = Find(name);
  assert(i >= 0 && "column was not declared required");
  return i;
}

}  // namespace pw
