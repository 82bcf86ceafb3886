#include "tests/e2e/health_check.h"

#include <google/protobuf/io/coded_stream.h>

#include <future>
#include <string>
#include <vector>

namespace agora_token_e2e {

grpc::Status CheckWholeServerHealth(grpc::GenericStub& stub, std::chrono::milliseconds deadline,
                                    uint32_t* serving_status) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  grpc::Slice empty;
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  const grpc::Status status = done.get_future().get();  // bounded by the deadline
  if (!status.ok()) return status;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "unreadable health response");
  }
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  google::protobuf::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(bytes.data()),
                                               static_cast<int>(bytes.size()));
  *serving_status = 0;  // UNKNOWN when absent
  for (uint32_t tag = input.ReadTag(); tag != 0; tag = input.ReadTag()) {
    if (tag != (1 << 3) || !input.ReadVarint32(serving_status)) {  // field 1, varint
      return grpc::Status(grpc::StatusCode::INTERNAL, "unparsable health response");
    }
  }
  return grpc::Status::OK;
}

}  // namespace agora_token_e2e
