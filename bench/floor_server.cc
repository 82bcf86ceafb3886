// agora-token-floor-server: the gRPC floor of bench/run.sh. A callback
// server on the same gRPC as agora-token-server, with the same transport
// options (ApplyApiTransportOptions), the same raw callback methods of
// agora.token.v1.TokenService, the default health service and reflection;
// every TokenService call is answered at once with an empty message. What
// agora-token-server spends beyond this is the work of a call, so run.sh
// reports each scenario's QPS as a share of this server's in the same run.
//
// Usage: agora-token-floor-server [--listen 127.0.0.1:0]
// Prints one JSON line with "msg":"serving" and the port on stderr, like
// the token server, and serves until it is killed.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "server/log.h"
#include "server/server.h"
#include "server/token_service_impl.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port to serve on (port 0 picks one)");

namespace {

// Finishes the call OK with an empty message (zero bytes: every field at
// its default). A ByteBuffer left unset is no message at all, which gRPC
// refuses to send.
grpc::ServerUnaryReactor* AnswerEmpty(grpc::CallbackServerContext* context,
                                      grpc::ByteBuffer* response) {
  grpc::Slice empty;
  *response = grpc::ByteBuffer(&empty, 1);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

#define AGORA_TOKEN_FLOOR_METHOD(Name)                                                            \
  grpc::ServerUnaryReactor* Name(grpc::CallbackServerContext* context,                            \
                                 const grpc::ByteBuffer* /*request*/, grpc::ByteBuffer* response) \
      override {                                                                                  \
    return AnswerEmpty(context, response);                                                        \
  }

// The token server's service base (every method raw and callback), doing
// nothing.
class EmptyTokenService final : public agora_token::raw::TokenServiceBase {
 public:
  AGORA_TOKEN_FLOOR_METHOD(BuildRtcTokenWithUid)
  AGORA_TOKEN_FLOOR_METHOD(BuildRtcTokenWithAccount)
  AGORA_TOKEN_FLOOR_METHOD(BuildRtmToken)
  AGORA_TOKEN_FLOOR_METHOD(BuildChatToken)
  AGORA_TOKEN_FLOOR_METHOD(BuildAccessToken)
  AGORA_TOKEN_FLOOR_METHOD(BuildFpaToken)
  AGORA_TOKEN_FLOOR_METHOD(BuildApaasToken)
  AGORA_TOKEN_FLOOR_METHOD(BuildConvoAiToken)
  AGORA_TOKEN_FLOOR_METHOD(BuildSttToken)
  AGORA_TOKEN_FLOOR_METHOD(BuildTokens)
  AGORA_TOKEN_FLOOR_METHOD(DecodeToken)
};

#undef AGORA_TOKEN_FLOOR_METHOD

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "The benchmark's gRPC floor: every TokenService call answered with an empty message.");
  absl::ParseCommandLine(argc, argv);
  agora_token::RouteLibraryLogs();

  // The token server's defaults (its flags' defaults), so the transport
  // settings are the ones a default agora-token-server runs with.
  agora_token::ServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);

  EmptyTokenService service;
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen_address, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  agora_token::ApplyApiTransportOptions(options, &builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "agora-token-floor-server: cannot listen on %s\n",
                 options.listen_address.c_str());
    return 1;
  }
  agora_token::Log(agora_token::LogLevel::kInfo, "serving",
                   {{"listen", options.listen_address}, {"port", absl::StrCat(port)}});
  server->Wait();
  return 0;
}
