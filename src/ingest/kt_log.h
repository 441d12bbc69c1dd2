// Readers for the answer logs that knowledge-tracing research publishes, into one in-memory
// structure of arrays (KtLog): one entry per answer with student, item, skill(s), time and
// correctness. Streaming: the input is read record by record, never slurped.
//
//   KtVocab vocab;                       // shared by train and test so ids line up
//   std::ifstream f(path);
//   PW_ASSIGN_OR_RETURN(KtFormat fmt, ParseKtFormat("long"));
//   PW_ASSIGN_OR_RETURN(KtLog log, ReadKtLog(f, path, fmt, {}, vocab));
//
// Formats (see docs/knowledge-tracing.md for the exact layouts):
//   long / gervet  tab-separated, header with user_id, item_id, timestamp, correct, skill_id
//                  (Gervet et al. preprocessed_data*.csv); skill_id may list several skills
//                  joined by "_" or "~~"; timestamp is Unix seconds (0 = unknown)
//   lines3         DKT/DKVMN: <length> / <ids,...> / <0/1,...> per student; ids are skills
//   lines4         AKT: <index>,<user id> / <problem ids> / <skill ids> / <0/1 answers>
//   pykt           pyKT CSV: uid, responses, concepts and/or questions, optional timestamps
//                  (ms), one row per student, lists quoted and comma-separated
//   datashop       DataShop student-step (First Attempt) or transaction (Outcome, first
//                  attempts only) export, tab-separated; the KC column "KC (<kc_model>)"
//   sim            the CSV `pathwise sim` writes: student_id,skill_id,item_id,timestamp,
//                  correct,known (timestamp ISO-8601; `known` is ground truth, not read)
// Errors are InvalidArgument "file:line: field: expected ..., got ...".
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace pw::ingest {

enum class KtFormat { kLong, kLines3, kLines4, kPykt, kDatashop, kSim };

// "long" (alias "gervet"), "lines3", "lines4", "pykt", "datashop", "sim".
Result<KtFormat> ParseKtFormat(std::string_view name);
std::string_view KtFormatName(KtFormat f);

// Interns external ids (kept as given) to dense 0-based indexes.
class KtInterner {
 public:
  std::int32_t Intern(std::string_view name);
  // -1 when unknown.
  std::int32_t Find(std::string_view name) const;
  const std::string& Name(std::int32_t id) const { return names_[static_cast<std::size_t>(id)]; }
  std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::int32_t> index_;
};

// Id dictionaries shared by every log read for one job (train, test, params).
struct KtVocab {
  KtInterner students, items, skills;
};

// One answer per index. Skills are CSR: answer i has skills[skill_begin[i] .. skill_begin[i+1]).
struct KtLog {
  std::vector<std::int32_t> student;
  std::vector<std::int32_t> item;
  std::vector<std::int64_t> time;  // seconds since the epoch; 0 when the format has no time
  std::vector<std::uint8_t> correct;
  std::vector<std::int32_t> skill_begin{0};
  std::vector<std::int32_t> skills;
  bool has_time = false;          // some answer had a non-zero time
  std::int64_t skipped_rows = 0;  // rows the format says to leave out (e.g. no KC in DataShop)

  std::size_t size() const { return correct.size(); }
  void Add(std::int32_t s, std::int32_t it, std::int64_t t, bool c,
           const std::vector<std::int32_t>& ks);
};

struct KtReadOptions {
  // DataShop: the KC model whose column "KC (<name>)" gives the skills. Empty = the first
  // "KC (...)" column in the header.
  std::string kc_model;
  // Stop with an error after this many answers (guards memory on hostile input). 0 = no limit.
  std::int64_t max_answers = 0;
};

// Reads a whole log. `name` is used in error messages ("name:line: ...").
Result<KtLog> ReadKtLog(std::istream& in, const std::string& name, KtFormat format,
                        const KtReadOptions& options, KtVocab& vocab);

// Opens `path` and reads it (NotFound-style InvalidArgument if it cannot be opened).
Result<KtLog> ReadKtLogFile(const std::string& path, KtFormat format, const KtReadOptions& options,
                            KtVocab& vocab);

// Orders the answers by student, then time, keeping file order for ties (stable).
void SortKtLogByStudentTime(KtLog& log);

}  // namespace pw::ingest
