// Fuzzes the "pykt" knowledge-tracing log reader: any bytes give a log or a clean error.
#include <cstdint>
#include <sstream>
#include <string>

#include "ingest/kt_log.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  pw::ingest::KtVocab vocab;
  pw::ingest::KtReadOptions options;
  options.max_answers = 100000;
  auto log = pw::ingest::ReadKtLog(in, "fuzz", *pw::ingest::ParseKtFormat("pykt"), options, vocab);
  if (log.ok()) pw::ingest::SortKtLogByStudentTime(*log);
  return 0;
}
