#include "server/health_probe.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "server/unary_call.h"

namespace agora_token {
namespace {

// HealthCheckResponse is `ServingStatus status = 1`; SERVING is 1. Without
// the proto at hand, read the one varint field from the wire.
constexpr char kServingResponse[] = {0x08, 0x01};

}  // namespace

absl::Status ProbeHealth(const std::string& target, std::chrono::milliseconds timeout) {
  grpc::GenericStub stub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  // HealthCheckRequest{service: ""} encodes to no bytes, but gRPC needs a
  // buffer holding one (empty) slice, not a default (invalid) ByteBuffer.
  grpc::Slice empty;
  const grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  const grpc::Status status =
      CallUnaryAndWait(stub, &context, "/grpc.health.v1.Health/Check", request, &response);
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat("health check of ", target, " failed: ", status.error_message()));
  }
  grpc::Slice slice;
  std::string body;
  if (response.Length() > 0) {
    if (!response.DumpToSingleSlice(&slice).ok()) return absl::InternalError("unreadable reply");
    body.assign(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  if (body != std::string(kServingResponse, sizeof(kServingResponse))) {
    return absl::UnavailableError(absl::StrCat(target, " is not SERVING"));
  }
  return absl::OkStatus();
}

}  // namespace agora_token
