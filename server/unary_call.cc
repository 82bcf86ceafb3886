#include "server/unary_call.h"

#include <memory>

namespace agora_token {

grpc::Status CallUnaryAndWait(grpc::GenericStub& stub, grpc::ClientContext* context,
                              const std::string& method, const grpc::ByteBuffer& request,
                              grpc::ByteBuffer* response) {
  grpc::CompletionQueue queue;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub.PrepareUnaryCall(context, method, request, &queue);
  call->StartCall();
  grpc::Status status;
  call->Finish(response, &status, call.get());
  void* tag = nullptr;
  bool ok = false;
  // Finish always completes (with the status of a failed or expired call).
  if (!queue.Next(&tag, &ok) || tag != call.get()) {
    status = grpc::Status(grpc::StatusCode::INTERNAL, "the call did not complete");
  }
  ShutDownAndDrain(queue);
  return status;
}

void ShutDownAndDrain(grpc::CompletionQueue& queue) {
  queue.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue.Next(&tag, &ok)) {
  }
}

}  // namespace agora_token
