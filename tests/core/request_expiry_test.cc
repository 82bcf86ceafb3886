// The one mapping from a request's expiry fields to what builders encode
// (core/request_expiry.h), which the server and the CLI share.
#include "core/request_expiry.h"

#include "core/input_rules.h"
#include "gtest/gtest.h"

namespace agora_token {
namespace {

constexpr uint32_t kIssue = 1700000000;

TEST(RequestExpiryTest, Rtc007AbsoluteExpirySetsTheTokenUnlessTokenExpireSays) {
  absl::StatusOr<Expiry007> only_absolute = RtcExpiry007({kIssue + 600, 0}, kIssue);
  ASSERT_TRUE(only_absolute.ok());
  EXPECT_EQ(only_absolute->token_expire, 600u);
  EXPECT_EQ(only_absolute->privilege_expire, 600u);
  absl::StatusOr<Expiry007> both = RtcExpiry007({kIssue + 600, 7200}, kIssue);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->token_expire, 7200u);
  EXPECT_EQ(both->privilege_expire, 600u);
  absl::StatusOr<Expiry007> neither = RtcExpiry007({0, 0}, kIssue);
  ASSERT_TRUE(neither.ok());
  EXPECT_EQ(neither->token_expire, 0u);  // the builder's 24 hours
  EXPECT_EQ(neither->privilege_expire, 0u);
  for (uint32_t past : {kIssue, kIssue - 1, 1u}) {
    EXPECT_EQ(InvalidFieldName(RtcExpiry007({past, 0}, kIssue).status()), "privilege_expired_ts");
  }
}

TEST(RequestExpiryTest, Rtm007AndChatTakeOnlyTheTokenSpan) {
  EXPECT_EQ(*TokenExpire007({0, 600}), 600u);
  EXPECT_EQ(InvalidFieldName(TokenExpire007({kIssue + 600, 0}).status()), "privilege_expired_ts");
}

TEST(RequestExpiryTest, Token006TakesTheAbsoluteExpiryAndNoSpan) {
  EXPECT_EQ(*PrivilegeExpiredTs006({kIssue + 1, 0}, kIssue), kIssue + 1);
  EXPECT_EQ(*PrivilegeExpiredTs006({0, 0}, kIssue), 0u);
  EXPECT_EQ(InvalidFieldName(PrivilegeExpiredTs006({0, 600}, kIssue).status()),
            "token_expire_seconds");
  EXPECT_EQ(InvalidFieldName(PrivilegeExpiredTs006({kIssue, 0}, kIssue).status()),
            "privilege_expired_ts");
}

}  // namespace
}  // namespace agora_token
