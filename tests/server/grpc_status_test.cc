// The error boundary (server/grpc_status.h) alone: absl::Status in,
// grpc::Status / google.rpc.Status out, with BadRequest and RetryInfo
// details a client can parse.
#include "server/grpc_status.h"

#include "core/input_rules.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

using agora_token::ToGrpcStatus;
using agora_token::ToRpcStatus;

TEST(GrpcStatusTest, OkStaysOk) { EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok()); }

TEST(GrpcStatusTest, FieldErrorBecomesBadRequest) {
  const grpc::Status status =
      ToGrpcStatus(agora_token::InvalidField("channel_name", "must not be empty"));
  EXPECT_TRUE(IsInvalidField(status, "channel_name"));
  EXPECT_EQ(status.error_message(), "channel_name: must not be empty");
  google::rpc::BadRequest bad_request;
  ASSERT_EQ(RpcStatusOf(status).details_size(), 1);
  ASSERT_TRUE(RpcStatusOf(status).details(0).UnpackTo(&bad_request));
  EXPECT_EQ(bad_request.field_violations(0).description(), "must not be empty");
}

TEST(GrpcStatusTest, OtherErrorsKeepCodeAndMessageWithoutDetails) {
  const grpc::Status status = ToGrpcStatus(absl::NotFoundError("app_id: no such app"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "app_id: no such app");
  EXPECT_TRUE(status.error_details().empty());
  EXPECT_TRUE(ViolatedFields(ToRpcStatus(absl::InternalError("x"))).empty());
}

TEST(GrpcStatusTest, RetryDelayBecomesRetryInfo) {
  const absl::Status overloaded = agora_token::WithRetryDelay(
      absl::ResourceExhaustedError("too busy"), std::chrono::milliseconds(1500));
  ASSERT_TRUE(agora_token::RetryDelayOf(overloaded).has_value());
  EXPECT_EQ(*agora_token::RetryDelayOf(overloaded), std::chrono::milliseconds(1500));
  EXPECT_FALSE(agora_token::RetryDelayOf(absl::ResourceExhaustedError("x")).has_value());

  const grpc::Status status = ToGrpcStatus(overloaded);
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::RESOURCE_EXHAUSTED));
  const google::rpc::Status rpc = RpcStatusOf(status);
  ASSERT_EQ(rpc.details_size(), 1);
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&retry));
  EXPECT_EQ(retry.retry_delay().seconds(), 1);
  EXPECT_EQ(retry.retry_delay().nanos(), 500000000);
}

}  // namespace
}  // namespace agora_token_server_test
