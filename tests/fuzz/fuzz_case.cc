// Fuzzes the CASE package reader and importer: any bytes give a report (imported or rejected)
// and never a crash. Imports run with --check against one in-memory store.
#include <cstdint>
#include <memory>
#include <string_view>

#include "fuzz_store.h"
#include "ingest/case.h"

namespace {

pw::Store* TheStore() {
  static std::unique_ptr<pw::Store> store = pw::fuzz::MigratedMemoryStore();
  return store.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  pw::ingest::ImportOptions options;
  options.check = true;
  auto report = pw::ingest::ImportCase(*TheStore(), text, "fuzz.json", options);
  if (report.ok()) (void)report->ToText();
  return 0;
}
