#include "base/status_macros.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace nmt {
namespace {

absl::Status Fails(const std::string& message) { return absl::InvalidArgumentError(message); }

absl::StatusOr<int> Number(bool ok, int value) {
  if (!ok) return absl::NotFoundError("no number");
  return value;
}

absl::StatusOr<std::unique_ptr<int>> Owned(int value) { return std::make_unique<int>(value); }

absl::Status ReturnIfError(bool fail, int& calls) {
  NMT_RETURN_IF_ERROR((++calls, fail ? Fails("stop") : absl::OkStatus()));
  return absl::OkStatus();
}

TEST(ReturnIfError, ReturnsTheErrorUnchangedAndEvaluatesOnce) {
  int calls = 0;
  const absl::Status error = ReturnIfError(true, calls);
  EXPECT_EQ(error, absl::InvalidArgumentError("stop"));
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(ReturnIfError(false, calls).ok());
  EXPECT_EQ(calls, 2);
}

absl::StatusOr<int> Sum(bool first_ok, bool second_ok) {
  NMT_ASSIGN_OR_RETURN(int a, Number(first_ok, 1));
  NMT_ASSIGN_OR_RETURN(const auto b, Number(second_ok, 2));
  NMT_RETURN_IF_ERROR(a + b == 3 ? absl::OkStatus() : Fails("bad sum"));
  return a + b;
}

TEST(AssignOrReturn, DeclaresTheValueOrReturnsTheError) {
  EXPECT_EQ(*Sum(true, true), 3);
  EXPECT_EQ(Sum(false, true).status(), absl::NotFoundError("no number"));
  EXPECT_EQ(Sum(true, false).status().code(), absl::StatusCode::kNotFound);
}

absl::Status AssignToExisting(int& out, std::unique_ptr<int>& owned) {
  NMT_ASSIGN_OR_RETURN(out, Number(true, 7));
  NMT_ASSIGN_OR_RETURN(owned, Owned(8));  // move-only values are moved out
  return absl::OkStatus();
}

TEST(AssignOrReturn, AssignsToAnExistingLvalueAndMovesMoveOnlyValues) {
  int out = 0;
  std::unique_ptr<int> owned;
  ASSERT_TRUE(AssignToExisting(out, owned).ok());
  EXPECT_EQ(out, 7);
  ASSERT_NE(owned, nullptr);
  EXPECT_EQ(*owned, 8);
}

}  // namespace
}  // namespace nmt
