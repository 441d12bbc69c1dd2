// A set of named files read from a directory, a .zip archive or memory: how a OneRoster CSV
// package arrives (manifest.csv plus one CSV per entity at the root).
//
//   PW_ASSIGN_OR_RETURN(FilePackage pkg, FilePackage::Open("rosters.zip"));
//   if (pkg.Has("users.csv")) { PW_ASSIGN_OR_RETURN(std::string text, pkg.Read("users.csv")); }
//
// Limits on outside data: at most kMaxFiles entries and kMaxFileBytes per file (checked while
// reading, not trusted from the zip directory). Only the top level counts: files in
// sub-directories of the zip are ignored, as the OneRoster CSV binding places them at the root.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace pw::ingest {

class FilePackage {
 public:
  static constexpr std::size_t kMaxFiles = 256;
  static constexpr std::uint64_t kMaxFileBytes = 2ull << 30;  // 2 GiB

  // A directory (its regular files) or a .zip file. InvalidArgument when it cannot be read:
  //   "rosters.zip: not a zip archive (libzip: Not a zip archive)"
  static Result<FilePackage> Open(const std::string& path);
  // A .zip archive held in memory (an upload), named `name` in messages.
  static Result<FilePackage> OpenZipBytes(const std::string& name, std::string_view bytes);
  // From memory (tests, fuzzing): name -> contents.
  static FilePackage FromMemory(std::string name, std::map<std::string, std::string> files);

  // The path or name given when opening; used in messages.
  const std::string& name() const { return name_; }
  bool Has(const std::string& file) const { return files_.count(file) > 0; }
  // A file whose name differs from `file` only in letter case, if any ("userprofiles.csv").
  std::optional<std::string> FindIgnoringCase(const std::string& file) const;
  std::vector<std::string> Names() const;
  // The whole file. NotFound for a name that is not in the package.
  Result<std::string> Read(const std::string& file) const;

 private:
  std::string name_;
  // Contents for zip and memory packages; for directories the path on disk, read on demand.
  std::map<std::string, std::string> files_;
  bool on_disk_ = false;
};

}  // namespace pw::ingest
