// Shared helpers for tests.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "core/status.h"

namespace pw::testing {

// A fresh directory under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// ../shared/data/<name>, or nullopt when that dataset is absent on this machine (tests then
// GTEST_SKIP with a message naming it).
std::optional<std::filesystem::path> SharedData(const std::string& name);

// The repository root (for committed files such as data/frameworks).
std::filesystem::path SourceDir();

std::string ReadFile(const std::filesystem::path& p);
void WriteFile(const std::filesystem::path& p, const std::string& text);

}  // namespace pw::testing

// gtest helpers for Status/Result.
#define PW_ASSERT_OK(expr)                                \
  do {                                                    \
    const ::pw::Status pw_s_ = ::pw::testing::ToStatus(expr); \
    ASSERT_TRUE(pw_s_.ok()) << pw_s_.ToString();          \
  } while (0)
#define PW_EXPECT_OK(expr)                                \
  do {                                                    \
    const ::pw::Status pw_s_ = ::pw::testing::ToStatus(expr); \
    EXPECT_TRUE(pw_s_.ok()) << pw_s_.ToString();          \
  } while (0)

namespace pw::testing {
inline Status ToStatus(const Status& s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) { return r.status(); }
}  // namespace pw::testing
