// Fuzzes the CSV importers (scores, attendance, behavior, SEL, prerequisite edges): the first
// byte picks the kind, the rest is the file. Runs with --check against one in-memory store that
// holds two students (s-1, s-2) and a framework with codes A, B, C.
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "fuzz_store.h"
#include "ingest/framework_json.h"
#include "ingest/prereq_csv.h"
#include "ingest/tabular.h"

namespace {

pw::Store* TheStore() {
  static std::unique_ptr<pw::Store> store = [] {
    std::unique_ptr<pw::Store> s = pw::fuzz::MigratedMemoryStore();
    pw::Store& st = *s;
    pw::Org school{0, "sch", "School", pw::OrgType::kSchool, pw::kNoId};
    if (!st.PutOrg(school).ok()) std::abort();
    for (const char* sid : {"s-1", "s-2"}) {
      pw::Person p{0, sid, "A", "B", pw::Role::kStudent, "", "6", school.id};
      if (!st.PutPerson(p).ok()) std::abort();
    }
    pw::FrameworkPackage pkg;
    pkg.framework = {0, "fw", "F", "", ""};
    for (const char* code : {"A", "B", "C"})
      pkg.competencies.push_back({0, 0, "", code, "x", "6", 0});
    pkg.edges.push_back({"A", "B", pw::EdgeKind::kPrerequisite});
    if (!pw::ImportFramework(st, pkg).ok()) std::abort();
    return s;
  }();
  return store.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  const int kind = data[0] % 5;
  if (kind == 4) {
    pw::ingest::PrereqOptions opts;
    opts.check = true;
    auto r = pw::ingest::ImportPrereqCsv(*TheStore(), in, "fuzz.csv", opts);
    if (r.ok()) (void)r->ToJsonText();
    return 0;
  }
  pw::ingest::TabularOptions opts;
  opts.check = true;
  opts.batch_rows = 7;  // exercise batching
  if (kind == 0 && (data[0] & 0x80)) opts.framework = "fw";
  auto r = pw::ingest::ImportTabular(*TheStore(), static_cast<pw::ingest::TabularKind>(kind), in,
                                     "fuzz.csv", opts);
  if (r.ok()) (void)r->ToJsonText();
  return 0;
}
