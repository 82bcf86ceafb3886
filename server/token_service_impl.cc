#include "server/token_service_impl.h"

#include <google/protobuf/arena.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <chrono>
#include <cstddef>

#include "server/caller_identity.h"
#include "server/grpc_status.h"

namespace agora_token {
namespace {

// One arena per thread for a call's request and response, reset when the
// call is done with them: a unary call's messages cost no heap allocation
// (the first block is the thread's own), and a batch only what outgrows it.
// Without an arena a batch of 100 spent about 40% of the server's CPU in
// malloc and free. The handler runs to completion on its thread, and the
// response is serialized before Finish, so nothing outlives the reset.
class CallArena {
 public:
  CallArena() : arena_(Arena()) {}
  ~CallArena() { arena_.Reset(); }
  CallArena(const CallArena&) = delete;
  CallArena& operator=(const CallArena&) = delete;

  template <typename Message>
  Message* Create() {
    return google::protobuf::Arena::CreateMessage<Message>(&arena_);
  }

 private:
  static constexpr size_t kFirstBlockBytes = 4096;
  static constexpr size_t kMaxBlockBytes = 64 * 1024;

  static google::protobuf::Arena& Arena() {
    alignas(std::max_align_t) thread_local char first_block[kFirstBlockBytes];
    thread_local google::protobuf::Arena arena([] {
      google::protobuf::ArenaOptions options;
      options.initial_block = first_block;
      options.initial_block_size = kFirstBlockBytes;
      options.max_block_size = kMaxBlockBytes;
      return options;
    }());
    return arena;
  }

  google::protobuf::Arena& arena_;
};

template <typename Message>
bool Parse(const grpc::ByteBuffer& bytes, Message* message) {
  // A unary request usually arrives as one uncompressed slice: parse it in
  // place, without the reader's copy of the buffer.
  grpc::Slice slice;
  if (bytes.TrySingleSlice(&slice).ok()) {
    return message->ParseFromArray(slice.begin(), static_cast<int>(slice.size()));
  }
  grpc::ByteBuffer copy(bytes);  // shares the slices; the reader consumes its own
  grpc::ProtoBufferReader reader(&copy);
  return reader.status().ok() && message->ParseFromZeroCopyStream(&reader);
}

}  // namespace

template <typename Request, typename Response>
grpc::ServerUnaryReactor* TokenServiceImpl::Serve(
    RpcMethod rpc,
    absl::Status (ServiceLayer::*method)(const CallCredentials&, const CallOptions&, const Request&,
                                         Response*),
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response_bytes) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  CallArena arena;
  Request* request = arena.Create<Request>();
  Response* response = arena.Create<Response>();
  const CallCredentials credentials = CredentialsOf(*context);
  absl::Status status;
  if (!Parse(*request_bytes, request)) {
    status = layer_->Unparsable(credentials, rpc);
  } else {
    CallOptions options;
    options.deadline = context->deadline();
    // A large batch checks between items whether anyone still waits for it.
    options.cancelled = [context] {
      return context->IsCancelled() || context->deadline() <= std::chrono::system_clock::now();
    };
    status = (layer_->*method)(credentials, options, *request, response);
  }
  if (status.ok()) {
    bool own_buffer = false;
    const grpc::Status serialized =
        grpc::SerializationTraits<Response>::Serialize(*response, response_bytes, &own_buffer);
    if (!serialized.ok()) {
      reactor->Finish(serialized);
      return reactor;
    }
  }
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

#define AGORA_TOKEN_SERVE_RAW(Name)                                                      \
  grpc::ServerUnaryReactor* TokenServiceImpl::Name(grpc::CallbackServerContext* context, \
                                                   const grpc::ByteBuffer* request,      \
                                                   grpc::ByteBuffer* response) {         \
    return Serve(RpcMethod::k##Name, &ServiceLayer::Name, context, request, response);   \
  }

AGORA_TOKEN_SERVE_RAW(BuildRtcTokenWithUid)
AGORA_TOKEN_SERVE_RAW(BuildRtcTokenWithAccount)
AGORA_TOKEN_SERVE_RAW(BuildRtmToken)
AGORA_TOKEN_SERVE_RAW(BuildChatToken)
AGORA_TOKEN_SERVE_RAW(BuildAccessToken)
AGORA_TOKEN_SERVE_RAW(BuildFpaToken)
AGORA_TOKEN_SERVE_RAW(BuildApaasToken)
AGORA_TOKEN_SERVE_RAW(BuildConvoAiToken)
AGORA_TOKEN_SERVE_RAW(BuildSttToken)
AGORA_TOKEN_SERVE_RAW(BuildTokens)
AGORA_TOKEN_SERVE_RAW(DecodeToken)

#undef AGORA_TOKEN_SERVE_RAW

}  // namespace agora_token
