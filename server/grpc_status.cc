#include "server/grpc_status.h"

namespace agora_token {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const google::rpc::Status rpc = ToRpcStatus(status);
  if (rpc.details_size() == 0) {
    return grpc::Status(static_cast<grpc::StatusCode>(rpc.code()), rpc.message());
  }
  return grpc::Status(static_cast<grpc::StatusCode>(rpc.code()), rpc.message(),
                      rpc.SerializeAsString());
}

}  // namespace agora_token
