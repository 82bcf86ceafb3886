// The server around the service: start-up checks, health checking
// (grpc.health.v1) before and after Shutdown, server reflection, and keyring
// reloads that either take effect whole or leave the old keyring serving.
#include <grpcpp/generic/generic_stub.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "server/unary_call.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

namespace v1 = agora::token::v1;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

class ServerLifecycleTest : public ServerTest {};

grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                         HealthCheckResponse* response) {
  std::unique_ptr<grpc::health::v1::Health::Stub> health =
      grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  HealthCheckRequest request;
  request.set_service("");
  return health->Check(&context, request, response);
}

TEST_F(ServerLifecycleTest, HealthIsServingUntilShutdown) {
  const std::shared_ptr<grpc::Channel> channel = TcpChannel(server().port());
  HealthCheckResponse response;
  const grpc::Status serving = CheckHealth(channel, &response);
  ASSERT_TRUE(serving.ok()) << serving.error_message();
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);

  server().Shutdown();
  response.Clear();
  const grpc::Status after = CheckHealth(channel, &response);
  // A shut-down server either answers NOT_SERVING or takes no calls at all.
  if (after.ok()) {
    EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
  } else {
    EXPECT_TRUE(HasNoSecret(after));
  }
  // Either way, no more tokens.
  v1::BuildChatTokenRequest request;
  request.set_app_id(kInlineAppId);
  request.set_kind(v1::CHAT_TOKEN_KIND_APP);
  v1::BuildChatTokenResponse token;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  const grpc::Status refused =
      v1::TokenService::NewStub(channel)->BuildChatToken(&context, request, &token);
  EXPECT_FALSE(refused.ok());
  EXPECT_TRUE(HasNoSecret(refused));
  EXPECT_TRUE(token.token().empty());
  server().Shutdown();  // idempotent
}

// Runs one bidirectional-streaming exchange through the generic stub: one
// request message out, one response message back.
grpc::Status OneStreamingExchange(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& method, const std::string& request,
                                  std::string* response) {
  grpc::CompletionQueue queue;
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, method, &queue);
  // Each step completes before the next starts, so tags are just step numbers.
  auto await = [&queue](intptr_t step) {
    void* tag = nullptr;
    bool ok = false;
    if (!queue.Next(&tag, &ok)) return false;
    return ok && reinterpret_cast<intptr_t>(tag) == step;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  bool ok = await(1);
  grpc::Slice request_slice(request);
  grpc::ByteBuffer request_buffer(&request_slice, 1);
  if (ok) {
    call->Write(request_buffer, reinterpret_cast<void*>(2));
    ok = await(2);
  }
  if (ok) {
    call->WritesDone(reinterpret_cast<void*>(3));
    ok = await(3);
  }
  grpc::ByteBuffer response_buffer;
  bool got_response = false;
  if (ok) {
    call->Read(&response_buffer, reinterpret_cast<void*>(4));
    got_response = await(4);
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  await(5);
  agora_token::ShutDownAndDrain(queue);
  if (status.ok() && !got_response) return grpc::Status(grpc::StatusCode::UNKNOWN, "no response");
  std::vector<grpc::Slice> slices;
  if (got_response && response_buffer.Dump(&slices).ok()) {
    for (const grpc::Slice& slice : slices) {
      response->append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
  }
  return status;
}

TEST_F(ServerLifecycleTest, ReflectionListsTheTokenService) {
  // The reflection messages' descriptors come with gRPC's reflection
  // library, which the server links; no C++ header for them is packaged.
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  const google::protobuf::Descriptor* request_type =
      pool->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionRequest");
  const google::protobuf::Descriptor* response_type =
      pool->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionResponse");
  ASSERT_NE(request_type, nullptr);
  ASSERT_NE(response_type, nullptr);
  google::protobuf::DynamicMessageFactory factory(pool);
  std::unique_ptr<google::protobuf::Message> request(factory.GetPrototype(request_type)->New());
  request->GetReflection()->SetString(request.get(), request_type->FindFieldByName("list_services"),
                                      "*");

  std::string response_bytes;
  const grpc::Status status = OneStreamingExchange(
      TcpChannel(server().port()), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      request->SerializeAsString(), &response_bytes);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();

  std::unique_ptr<google::protobuf::Message> response(factory.GetPrototype(response_type)->New());
  ASSERT_TRUE(response->ParseFromString(response_bytes));
  const google::protobuf::FieldDescriptor* list_field =
      response_type->FindFieldByName("list_services_response");
  ASSERT_TRUE(response->GetReflection()->HasField(*response, list_field));
  const google::protobuf::Message& list =
      response->GetReflection()->GetMessage(*response, list_field);
  const google::protobuf::FieldDescriptor* service_field =
      list.GetDescriptor()->FindFieldByName("service");
  std::vector<std::string> names;
  for (int i = 0; i < list.GetReflection()->FieldSize(list, service_field); ++i) {
    const google::protobuf::Message& service =
        list.GetReflection()->GetRepeatedMessage(list, service_field, i);
    names.push_back(service.GetReflection()->GetString(
        service, service.GetDescriptor()->FindFieldByName("name")));
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "agora.token.v1.TokenService"), names.end())
      << names.size() << " services listed";
}

TEST_F(ServerLifecycleTest, ReportsTheDevelopmentFlag) {
  EXPECT_FALSE(server().serving_development_keyring());
  TempDir dir;
  agora_token::ServerOptions options = TestServerOptions(WriteTestKeyring(dir, true), &clock_);
  absl::StatusOr<std::unique_ptr<agora_token::TokenServer>> development =
      agora_token::TokenServer::BuildAndStart(options);
  ASSERT_TRUE(development.ok()) << development.status();
  EXPECT_TRUE((*development)->serving_development_keyring());
}

TEST_F(ServerLifecycleTest, ReloadSwapsTheKeyringOrKeepsTheOldOne) {
  v1::BuildChatTokenRequest request;
  request.set_app_id(kUnknownAppId);
  request.set_kind(v1::CHAT_TOKEN_KIND_APP);
  auto build = [&](v1::BuildChatTokenResponse* response) {
    grpc::ClientContext context;
    return stub().BuildChatToken(&context, request, response);
  };
  v1::BuildChatTokenResponse response;
  EXPECT_TRUE(HasCode(build(&response), grpc::StatusCode::NOT_FOUND));

  // A broken file: the reload fails without quoting it, the old keyring stays.
  dir_.WriteFile("keyring.textproto", absl::StrCat("apps { app_id: \"", kUnknownAppId,
                                                   "\" primary_certificate { value: \"",
                                                   kForeignCertificate, "0\" } }"));
  const absl::Status broken = server().Reload();
  EXPECT_EQ(broken.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasNoSecret(broken));
  EXPECT_TRUE(HasCode(build(&response), grpc::StatusCode::NOT_FOUND));
  request.set_app_id(kInlineAppId);
  ASSERT_TRUE(build(&response).ok());
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));

  // A good file: the new app is served, the removed one is not.
  dir_.WriteFile("keyring.textproto",
                 absl::StrCat("apps { app_id: \"", kUnknownAppId,
                              "\" primary_certificate { value: \"", kForeignCertificate, "\" } }"));
  ASSERT_TRUE(server().Reload().ok());
  EXPECT_TRUE(HasCode(build(&response), grpc::StatusCode::NOT_FOUND));
  request.set_app_id(kUnknownAppId);
  ASSERT_TRUE(build(&response).ok());
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kForeignCertificate, nullptr));
}

// Starting with `options` fails with `code` and no secret in the error.
::testing::AssertionResult StartFails(const agora_token::ServerOptions& options,
                                      absl::StatusCode code) {
  const absl::Status status = agora_token::TokenServer::BuildAndStart(options).status();
  if (status.code() != code) return ::testing::AssertionFailure() << status;
  return HasNoSecret(status);
}

TEST(ServerStartTest, RefusesBadOptions) {
  const agora_token::FixedClock clock(kNow);
  TempDir dir;
  const std::string keyring = WriteTestKeyring(dir);

  agora_token::ServerOptions options = TestServerOptions("", &clock);
  EXPECT_TRUE(StartFails(options, absl::StatusCode::kInvalidArgument));

  // Plaintext without caller authentication only on loopback.
  options = TestServerOptions(keyring, &clock);
  options.listen_address = "0.0.0.0:0";
  EXPECT_TRUE(StartFails(options, absl::StatusCode::kFailedPrecondition));

  options = TestServerOptions(keyring, &clock);
  options.max_batch_items = 0;
  EXPECT_TRUE(StartFails(options, absl::StatusCode::kInvalidArgument));

  // A keyring that does not load stops start-up, without quoting secrets.
  options = TestServerOptions(
      dir.WriteFile("bad.textproto", absl::StrCat("apps { app_id: \"", kInlineAppId,
                                                  "\" primary_certificate { value: \"",
                                                  kInlineCertificate, "x\" } }")),
      &clock);
  const absl::Status bad_keyring = agora_token::TokenServer::BuildAndStart(options).status();
  EXPECT_EQ(bad_keyring.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasNoSecret(bad_keyring));
  EXPECT_NE(std::string(bad_keyring.message()).find("apps[0].primary_certificate"),
            std::string::npos)
      << bad_keyring;
}

TEST(ServerStartTest, TwoServersGetTwoPorts) {
  const agora_token::FixedClock clock(kNow);
  TempDir dir;
  const agora_token::ServerOptions options = TestServerOptions(WriteTestKeyring(dir), &clock);
  absl::StatusOr<std::unique_ptr<agora_token::TokenServer>> first =
      agora_token::TokenServer::BuildAndStart(options);
  absl::StatusOr<std::unique_ptr<agora_token::TokenServer>> second =
      agora_token::TokenServer::BuildAndStart(options);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_GT((*first)->port(), 0);
  EXPECT_NE((*first)->port(), (*second)->port());
}

}  // namespace
}  // namespace agora_token_server_test
