// Fuzzes the CSV reader: any bytes must give records or a clean error, never a crash.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "core/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  pw::CsvLimits limits;
  limits.max_field_bytes = 1024;
  limits.max_fields = 64;
  limits.max_record_bytes = 4096;
  pw::CsvReader csv(in, "fuzz.csv", ',', limits);
  std::vector<std::string> row;
  for (int i = 0; i < 100000; ++i) {
    auto more = csv.Next(row);
    if (!more.ok() || !*more) break;
  }
  return 0;
}
