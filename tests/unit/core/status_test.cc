#include "core/status.h"

#include <gtest/gtest.h>

namespace pw {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("{} is odd", x);
  return x / 2;
}

Result<int> Quarter(int x) {
  PW_ASSIGN_OR_RETURN(int h, Half(x));
  PW_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckPositive(int x) {
  if (x <= 0) return InvalidArgumentError("not positive");
  return OkStatus();
}

Status Both(int a, int b) {
  PW_RETURN_IF_ERROR(CheckPositive(a));
  PW_RETURN_IF_ERROR(CheckPositive(b));
  return OkStatus();
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(OkStatus().ok());
  Status s = NotFoundError("student {} not found", 42);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NOT_FOUND: student 42 not found");
  EXPECT_EQ(s.WithPrefix("roster.csv:3").message(), "roster.csv:3: student 42 not found");
}

TEST(StatusTest, ResultPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "3 is odd");
  EXPECT_EQ(Quarter(6).value_or(-1), -1);
}

TEST(StatusTest, ReturnIfError) {
  EXPECT_TRUE(Both(1, 2).ok());
  EXPECT_EQ(Both(1, -2).message(), "not positive");
}

}  // namespace
}  // namespace pw
