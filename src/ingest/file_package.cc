#include "ingest/file_package.h"

#include <zip.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace pw::ingest {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

using ZipPtr = std::unique_ptr<zip_t, int (*)(zip_t*)>;

Status NotAZip(const std::string& path, zip_error_t* ze) {
  std::string why = zip_error_strerror(ze);
  zip_error_fini(ze);
  return InvalidArgumentError("{}: not a readable zip archive (libzip: {})", path, why);
}

// Reads the top-level entries of an open archive into a package named `path`.
Result<FilePackage> ReadZip(const std::string& path, ZipPtr archive) {
  std::map<std::string, std::string> files;
  const zip_int64_t n = zip_get_num_entries(archive.get(), 0);
  if (n < 0 || static_cast<std::uint64_t>(n) > FilePackage::kMaxFiles) {
    return InvalidArgumentError("{}: more than {} entries", path, FilePackage::kMaxFiles);
  }
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* raw = zip_get_name(archive.get(), static_cast<zip_uint64_t>(i), 0);
    if (raw == nullptr) continue;
    std::string name = raw;
    if (name.empty() || name.find('/') != std::string::npos) continue;  // top level only
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(
        zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(i), 0), zip_fclose);
    if (!f) {
      return InvalidArgumentError("{}: {}: cannot be read (libzip: {})", path, name,
                                  zip_strerror(archive.get()));
    }
    std::string data;
    char buf[1 << 16];
    while (true) {
      const zip_int64_t got = zip_fread(f.get(), buf, sizeof buf);
      if (got < 0) {
        return InvalidArgumentError("{}: {}: cannot be read (libzip: {})", path, name,
                                    zip_file_strerror(f.get()));
      }
      if (got == 0) break;
      if (data.size() + static_cast<std::uint64_t>(got) > FilePackage::kMaxFileBytes) {
        return InvalidArgumentError("{}: {}: larger than {} bytes", path, name,
                                    FilePackage::kMaxFileBytes);
      }
      data.append(buf, static_cast<std::size_t>(got));
    }
    files[name] = std::move(data);
  }
  return FilePackage::FromMemory(path, std::move(files));
}

Result<FilePackage> OpenZip(const std::string& path) {
  int err = 0;
  ZipPtr archive(zip_open(path.c_str(), ZIP_RDONLY, &err), zip_close);
  if (!archive) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    return NotAZip(path, &ze);
  }
  return ReadZip(path, std::move(archive));
}

}  // namespace

Result<FilePackage> FilePackage::OpenZipBytes(const std::string& name, std::string_view bytes) {
  zip_error_t ze;
  zip_error_init(&ze);
  // The source reads `bytes` in place (freep 0); the archive, closed before we return, owns
  // the source once zip_open_from_source succeeds.
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &ze);
  if (src == nullptr) return NotAZip(name, &ze);
  ZipPtr archive(zip_open_from_source(src, ZIP_RDONLY, &ze), zip_close);
  if (!archive) {
    zip_source_free(src);
    return NotAZip(name, &ze);
  }
  zip_error_fini(&ze);
  return ReadZip(name, std::move(archive));
}

FilePackage FilePackage::FromMemory(std::string name, std::map<std::string, std::string> files) {
  FilePackage p;
  p.name_ = std::move(name);
  p.files_ = std::move(files);
  return p;
}

Result<FilePackage> FilePackage::Open(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return InvalidArgumentError("{}: no such file or directory", path);
  if (fs::is_directory(st)) {
    FilePackage p;
    p.name_ = path;
    p.on_disk_ = true;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (!entry.is_regular_file()) continue;
      if (p.files_.size() >= kMaxFiles) {
        return InvalidArgumentError("{}: more than {} files", path, kMaxFiles);
      }
      p.files_[entry.path().filename().string()] = entry.path().string();
    }
    if (ec) return InvalidArgumentError("{}: cannot list the directory ({})", path, ec.message());
    return p;
  }
  return OpenZip(path);
}

std::optional<std::string> FilePackage::FindIgnoringCase(const std::string& file) const {
  const std::string want = Lower(file);
  for (const auto& [name, unused] : files_) {
    if (Lower(name) == want) return name;
  }
  return std::nullopt;
}

std::vector<std::string> FilePackage::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, unused] : files_) out.push_back(name);
  return out;
}

Result<std::string> FilePackage::Read(const std::string& file) const {
  auto it = files_.find(file);
  if (it == files_.end()) return NotFoundError("{}: {}: no such file", name_, file);
  if (!on_disk_) return it->second;
  std::ifstream in(it->second, std::ios::binary);
  if (!in) return InvalidArgumentError("{}: cannot open for reading", it->second);
  std::error_code ec;
  const auto size = std::filesystem::file_size(it->second, ec);
  if (!ec && size > kMaxFileBytes) {
    return InvalidArgumentError("{}: larger than {} bytes", it->second, kMaxFileBytes);
  }
  std::string data;
  if (!ec) data.reserve(size);
  data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return data;
}

}  // namespace pw::ingest
