// Fuzzes the OneRoster importer: the first byte picks the version (1.1/1.2), the mode
// (bulk/delta) and which file the rest of the input is (manifest.csv or one entity's CSV);
// any bytes give a report (imported or rejected) and never a crash. Imports run with --check
// against one in-memory store, so nothing accumulates between inputs.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "fuzz_store.h"
#include "ingest/oneroster.h"

namespace {

pw::Store* TheStore() {
  static std::unique_ptr<pw::Store> store = pw::fuzz::MigratedMemoryStore();
  return store.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const char* kFiles[] = {
      "manifest", "orgs",  "academicSessions", "courses",     "classes",
      "users",    "roles", "userProfiles",     "enrollments", "demographics"};
  const std::uint8_t sel = data[0];
  const std::string file = kFiles[(sel >> 2) % 10];
  const bool v12 = sel & 1;
  const char* mode = (sel & 2) ? "delta" : "bulk";
  std::map<std::string, std::string> files;
  std::string manifest =
      std::string("propertyName,value\noneroster.version,") + (v12 ? "1.2" : "1.1") + "\n";
  if (file != "manifest") manifest += "file." + file + "," + mode + "\n";
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  files["manifest.csv"] = file == "manifest" ? body : manifest;
  if (file != "manifest") files[file + ".csv"] = body;
  pw::ingest::FilePackage pkg = pw::ingest::FilePackage::FromMemory("fuzz", files);
  pw::ingest::ImportOptions options;
  options.check = true;
  auto report = pw::ingest::ImportOneRoster(*TheStore(), pkg, options);
  if (report.ok()) (void)report->ToJsonText();
  return 0;
}
