// The load generator's requests: for each RPC it can drive, a pool of
// distinct requests (channels, uids, accounts, user ids, tokens) serialized
// once before the run, so the hot loop only copies a refcounted buffer and
// the server never sees one repeated payload. Also a cheap check that a
// response is what the RPC should return, which the generator applies to a
// sample of responses.
#ifndef AGORA_TOKEN_BENCH_LOADGEN_REQUEST_POOL_H_
#define AGORA_TOKEN_BENCH_LOADGEN_REQUEST_POOL_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agora/token/v1/token_service.pb.h"

namespace agora_token_bench {

enum class RpcKind { kHealth, kRtcUid, kRtcAccount, kRtm, kChat, kBatch, kDecode };

// "health", "rtc_uid", "rtc_account", "rtm", "chat", "batch" or "decode".
absl::StatusOr<RpcKind> ParseRpcKind(const std::string& name);

struct PoolOptions {
  RpcKind kind = RpcKind::kRtcUid;
  std::string app_id;
  agora::token::v1::TokenVersion version = agora::token::v1::TOKEN_VERSION_007;
  // Distinct requests (for batch: distinct items, spread over the batches).
  size_t size = 10000;
  size_t batch_size = 100;
};

struct RequestPool {
  // The full method name, e.g. "/agora.token.v1.TokenService/BuildTokens".
  std::string method;
  std::vector<grpc::ByteBuffer> requests;
};

// Builds the pool. For decode it first fetches tokens to decode from the
// server over `channel` (up to 1000, built with the same version), so the
// pool needs no certificate; the other kinds do not use `channel`.
absl::StatusOr<RequestPool> BuildRequestPool(const PoolOptions& options,
                                             const std::shared_ptr<grpc::Channel>& channel);

// Whether `response` parses as the RPC's response and carries a token of the
// requested version (batch: batch_size tokens; decode: a valid signature;
// health: SERVING).
bool ResponseLooksRight(const PoolOptions& options, const grpc::ByteBuffer& response);

}  // namespace agora_token_bench

#endif  // AGORA_TOKEN_BENCH_LOADGEN_REQUEST_POOL_H_
