// One unary call through a GenericStub that completes on the calling thread.
//
// The client callback API would finish the call on a gRPC thread and hand
// it back through atomics inside Debian's uninstrumented libgrpc, which
// ThreadSanitizer reports as a race on the call's completion tag. With a
// completion queue of its own, the call starts and finishes on one thread.
#ifndef AGORA_TOKEN_SERVER_UNARY_CALL_H_
#define AGORA_TOKEN_SERVER_UNARY_CALL_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <string>

namespace agora_token {

// Calls `method` ("/package.Service/Method") with `request` as the message
// bytes and waits for its status; bounded by the context's deadline.
grpc::Status CallUnaryAndWait(grpc::GenericStub& stub, grpc::ClientContext* context,
                              const std::string& method, const grpc::ByteBuffer& request,
                              grpc::ByteBuffer* response);

// Shuts `queue` down and takes every event still in it, as gRPC requires
// before a completion queue is destroyed.
void ShutDownAndDrain(grpc::CompletionQueue& queue);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_UNARY_CALL_H_
