#include "server/import_service.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ingest/case.h"
#include "ingest/csv_table.h"
#include "ingest/file_package.h"
#include "ingest/oneroster.h"
#include "ingest/prereq_csv.h"
#include "ingest/tabular.h"
#include "server/privacy.h"

namespace pw::server {
namespace {

constexpr std::array<std::string_view, 7> kKinds = {"oneroster",  "case",     "prereqs", "scores",
                                                    "attendance", "behavior", "sel"};

// Checks the kind and the options it takes; returns the column mapping.
Result<std::map<std::string, std::string>> CheckRequest(const ImportRequest& r) {
  if (std::find(kKinds.begin(), kKinds.end(), r.kind) == kKinds.end()) {
    return InvalidArgumentError("import kind \"{}\": expected one of {}", r.kind,
                                fmt::join(kKinds, ", "));
  }
  PW_ASSIGN_OR_RETURN(auto mapping, ingest::ParseColumnMapping(r.map));
  if (!mapping.empty() && r.kind == "oneroster") {
    return InvalidArgumentError("--map: OneRoster files have fixed column names");
  }
  if (!mapping.empty() && r.kind == "case") {
    return InvalidArgumentError("--map: CASE packages are JSON");
  }
  if (!r.framework.empty() && r.kind != "prereqs" && r.kind != "scores") {
    return InvalidArgumentError("--framework: only prereqs and scores imports name a framework");
  }
  if (!r.source_system.empty() &&
      (r.kind == "oneroster" || r.kind == "case" || r.kind == "prereqs")) {
    return InvalidArgumentError(
        "--source-system: only scores, attendance, behavior and sel imports take one");
  }
  return mapping;
}

// The CSV kinds over a stream.
Result<ingest::ImportReport> ImportCsv(Store& store, const ImportRequest& r,
                                       std::map<std::string, std::string> mapping, std::istream& in,
                                       const std::string& name) {
  if (r.kind == "prereqs") {
    ingest::PrereqOptions p;
    static_cast<ingest::ImportOptions&>(p) = r.options;
    p.framework = r.framework;
    p.mapping = std::move(mapping);
    return ingest::ImportPrereqCsv(store, in, name, p);
  }
  PW_ASSIGN_OR_RETURN(ingest::TabularKind tk, ingest::ParseTabularKind(r.kind));
  ingest::TabularOptions t;
  static_cast<ingest::ImportOptions&>(t) = r.options;
  t.mapping = std::move(mapping);
  t.framework = r.framework;
  t.source_system = r.source_system;
  return ingest::ImportTabular(store, tk, in, name, t);
}

std::string Hex(const unsigned char (&digest)[crypto_hash_sha256_BYTES]) {
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, crypto_hash_sha256_BYTES);
  return std::string(hex);
}

}  // namespace

std::span<const std::string_view> ImportKinds() { return kKinds; }

Result<ingest::ImportReport> ImportFromPath(Store& store, const ImportRequest& request,
                                            const std::string& path) {
  PW_ASSIGN_OR_RETURN(auto mapping, CheckRequest(request));
  if (request.kind == "oneroster") {
    PW_ASSIGN_OR_RETURN(ingest::FilePackage pkg, ingest::FilePackage::Open(path));
    return ingest::ImportOneRoster(store, pkg, request.options);
  }
  if (request.kind == "case") return ingest::ImportCaseFile(store, path, request.options);
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgumentError("{}: cannot open for reading", path);
  return ImportCsv(store, request, std::move(mapping), in, path);
}

Result<ingest::ImportReport> ImportFromBytes(Store& store, const ImportRequest& request,
                                             const std::string& name, std::string bytes) {
  PW_ASSIGN_OR_RETURN(auto mapping, CheckRequest(request));
  if (request.kind == "oneroster") {
    PW_ASSIGN_OR_RETURN(ingest::FilePackage pkg, ingest::FilePackage::OpenZipBytes(name, bytes));
    return ingest::ImportOneRoster(store, pkg, request.options);
  }
  if (request.kind == "case") return ingest::ImportCase(store, bytes, name, request.options);
  std::istringstream in(std::move(bytes));
  return ImportCsv(store, request, std::move(mapping), in, name);
}

Result<std::string> Sha256OfPath(const std::string& path) {
  if (sodium_init() < 0) return InternalError("libsodium failed to initialize");
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  auto add_file = [&](const std::filesystem::path& p) -> Status {
    std::ifstream in(p, std::ios::binary);
    if (!in) return InvalidArgumentError("{}: cannot open for reading", p.string());
    char buf[1 << 16];
    while (in) {
      in.read(buf, sizeof buf);
      crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buf),
                                static_cast<unsigned long long>(in.gcount()));
    }
    return OkStatus();
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      const std::string name = f.filename().string() + "\n";
      crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(name.data()),
                                name.size());
      PW_RETURN_IF_ERROR(add_file(f));
    }
  } else {
    PW_RETURN_IF_ERROR(add_file(path));
  }
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, out);
  return Hex(out);
}

Result<std::string> Sha256Of(std::string_view bytes) {
  if (sodium_init() < 0) return InternalError("libsodium failed to initialize");
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return Hex(out);
}

Status AuditImport(Store& store, AuditEntry who, const ImportRequest& request,
                   const std::string& source, const std::string& sha256,
                   const ingest::ImportReport& report, const Clock& clock) {
  if (store.accounts() == nullptr) return OkStatus();
  ingest::EntityCounts total;
  for (const auto& [name, c] : report.entities) {
    total.read += c.read;
    total.created += c.created;
    total.updated += c.updated;
    total.unchanged += c.unchanged;
    total.deleted += c.deleted;
    total.rejected += c.rejected;
  }
  who.action = fmt::format("import {}{}", request.kind, request.options.check ? " --check" : "");
  who.target = fmt::format(
      "{} sha256={} read={} created={} updated={} unchanged={} deleted={} rejected={} errors={}",
      source, sha256, total.read, total.created, total.updated, total.unchanged, total.deleted,
      total.rejected, report.errors.total());
  who.status = report.ok() ? 200 : 400;
  return RecordAudit(store, std::move(who), clock);
}

nlohmann::json ImportReportJson(const ingest::ImportReport& report, const std::string& sha256) {
  nlohmann::json j = report.ToJson();
  j["sha256"] = sha256;
  return j;
}

}  // namespace pw::server
