#include "testing/test_util.h"

#include <atomic>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace pw::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("pathwise-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::optional<std::filesystem::path> SharedData(const std::string& name) {
  std::filesystem::path p = std::filesystem::path(PATHWISE_SHARED_DATA_DIR) / name;
  if (const char* env = std::getenv("PATHWISE_SHARED_DATA")) p = std::filesystem::path(env) / name;
  if (std::filesystem::exists(p)) return p;
  return std::nullopt;
}

std::filesystem::path SourceDir() { return PATHWISE_SOURCE_DIR; }

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

}  // namespace pw::testing
