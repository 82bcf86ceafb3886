#include "bench/loadgen/request_pool.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "agora/token/v1/token_service.grpc.pb.h"

namespace agora_token_bench {
namespace {

namespace v1 = agora::token::v1;

constexpr char kServicePrefix[] = "/agora.token.v1.TokenService/";
constexpr size_t kMaxDecodeTokens = 1000;

// Channel-name shapes seen in practice, all within the 89 allowed
// characters; the index keeps every name distinct.
std::string ChannelName(size_t i) {
  switch (i % 5) {
    case 0:
      return absl::StrCat("room-", i);
    case 1:
      return absl::StrCat("Team Standup (", i, ")");
    case 2:
      return absl::StrCat("game:match#", i * 7919);
    case 3:
      return absl::StrCat("class_2024_physics_", i, "|section-B");
    default:
      return absl::StrCat("live.concert[", i, "]~stage");
  }
}

std::string Account(size_t i) {
  return i % 2 == 0 ? absl::StrCat("user-", i, "@example.com") : absl::StrCat("Player_", i * 31);
}

// A spread of non-zero 32-bit uids (Knuth's multiplicative hash).
uint32_t Uid(size_t i) {
  const uint32_t uid = static_cast<uint32_t>(i * 2654435761u);
  return uid == 0 ? 1 : uid;
}

v1::Role RoleFor(size_t i) { return i % 4 == 3 ? v1::ROLE_SUBSCRIBER : v1::ROLE_PUBLISHER; }

uint32_t NowTs() {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

v1::BuildRtcTokenWithUidRequest RtcUidRequest(const PoolOptions& options, size_t i, uint32_t now) {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(options.app_id);
  request.set_channel_name(ChannelName(i));
  request.set_uid(Uid(i));
  request.set_role(RoleFor(i));
  request.set_token_version(options.version);
  // A quarter of the callers cap the privileges; the rest take the default.
  if (i % 4 == 1) request.set_privilege_expired_ts(now + 3600);
  if (options.version == v1::TOKEN_VERSION_007 && i % 2 == 0) {
    request.set_token_expire_seconds(3600);
  }
  return request;
}

grpc::ByteBuffer Serialize(const google::protobuf::MessageLite& message) {
  const std::string bytes = message.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

template <typename Message>
bool Parse(const grpc::ByteBuffer& buffer, Message* message) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return message->ParseFromString(bytes);
}

bool HasVersionPrefix(const std::string& token, v1::TokenVersion version) {
  return token.rfind(version == v1::TOKEN_VERSION_006 ? "006" : "007", 0) == 0;
}

// Fetches tokens to decode, so the decode pool is real tokens of this server.
absl::StatusOr<std::vector<v1::DecodeTokenRequest>> FetchDecodeRequests(
    const PoolOptions& options, const std::shared_ptr<grpc::Channel>& channel) {
  std::unique_ptr<v1::TokenService::Stub> stub = v1::TokenService::NewStub(channel);
  const uint32_t now = NowTs();
  std::vector<v1::DecodeTokenRequest> requests;
  const size_t count = std::min(options.size, kMaxDecodeTokens);
  for (size_t i = 0; i < count; ++i) {
    const v1::BuildRtcTokenWithUidRequest build = RtcUidRequest(options, i, now);
    v1::BuildRtcTokenWithUidResponse built;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    const grpc::Status status = stub->BuildRtcTokenWithUid(&context, build, &built);
    if (!status.ok()) {
      return absl::UnavailableError(absl::StrCat("fetching tokens to decode failed: code ",
                                                 status.error_code(), ": ",
                                                 status.error_message()));
    }
    v1::DecodeTokenRequest request;
    request.set_token(built.token());
    // 006 signs the channel and uid, which travel only as CRCs: give them so
    // the server checks the signature (007 ignores them).
    request.set_channel_name(build.channel_name());
    request.set_uid(build.uid());
    requests.push_back(std::move(request));
  }
  return requests;
}

}  // namespace

absl::StatusOr<RpcKind> ParseRpcKind(const std::string& name) {
  if (name == "health") return RpcKind::kHealth;
  if (name == "rtc_uid") return RpcKind::kRtcUid;
  if (name == "rtc_account") return RpcKind::kRtcAccount;
  if (name == "rtm") return RpcKind::kRtm;
  if (name == "chat") return RpcKind::kChat;
  if (name == "batch") return RpcKind::kBatch;
  if (name == "decode") return RpcKind::kDecode;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown --rpc '", name, "': use health, rtc_uid, rtc_account, rtm, chat, batch or decode"));
}

absl::StatusOr<RequestPool> BuildRequestPool(const PoolOptions& options,
                                             const std::shared_ptr<grpc::Channel>& channel) {
  if (options.size == 0) return absl::InvalidArgumentError("the pool size must be positive");
  RequestPool pool;
  const uint32_t now = NowTs();
  switch (options.kind) {
    case RpcKind::kHealth: {
      // An empty HealthCheckRequest (service "" = the whole server) is zero
      // bytes on the wire, so no health.proto is needed.
      pool.method = "/grpc.health.v1.Health/Check";
      grpc::Slice empty;
      pool.requests.emplace_back(&empty, 1);
      break;
    }
    case RpcKind::kRtcUid:
      pool.method = absl::StrCat(kServicePrefix, "BuildRtcTokenWithUid");
      for (size_t i = 0; i < options.size; ++i) {
        pool.requests.push_back(Serialize(RtcUidRequest(options, i, now)));
      }
      break;
    case RpcKind::kRtcAccount:
      pool.method = absl::StrCat(kServicePrefix, "BuildRtcTokenWithAccount");
      for (size_t i = 0; i < options.size; ++i) {
        v1::BuildRtcTokenWithAccountRequest request;
        request.set_app_id(options.app_id);
        request.set_channel_name(ChannelName(i));
        request.set_account(Account(i));
        request.set_role(RoleFor(i));
        request.set_token_version(options.version);
        if (i % 4 == 1) request.set_privilege_expired_ts(now + 3600);
        pool.requests.push_back(Serialize(request));
      }
      break;
    case RpcKind::kRtm:
      pool.method = absl::StrCat(kServicePrefix, "BuildRtmToken");
      for (size_t i = 0; i < options.size; ++i) {
        v1::BuildRtmTokenRequest request;
        request.set_app_id(options.app_id);
        request.set_user_id(Account(i));
        request.set_token_version(options.version);
        if (options.version == v1::TOKEN_VERSION_007) {
          request.set_token_expire_seconds(3600);
        } else if (i % 4 == 1) {
          request.set_privilege_expired_ts(now + 3600);
        }
        pool.requests.push_back(Serialize(request));
      }
      break;
    case RpcKind::kChat:
      // Chat tokens are 007 only: --version does not apply.
      pool.method = absl::StrCat(kServicePrefix, "BuildChatToken");
      for (size_t i = 0; i < options.size; ++i) {
        v1::BuildChatTokenRequest request;
        request.set_app_id(options.app_id);
        request.set_kind(v1::CHAT_TOKEN_KIND_USER);
        request.set_user_id(Account(i));
        request.set_token_expire_seconds(3600);
        pool.requests.push_back(Serialize(request));
      }
      break;
    case RpcKind::kBatch: {
      if (options.batch_size == 0 || options.batch_size > 1000) {
        return absl::InvalidArgumentError("--batch_size must be 1 to 1000");
      }
      pool.method = absl::StrCat(kServicePrefix, "BuildTokens");
      // At least one batch, and at least `size` distinct items overall.
      const size_t batches = std::max<size_t>(1, options.size / options.batch_size);
      for (size_t b = 0; b < batches; ++b) {
        v1::BuildTokensRequest request;
        for (size_t j = 0; j < options.batch_size; ++j) {
          *request.add_items()->mutable_rtc_with_uid() =
              RtcUidRequest(options, b * options.batch_size + j, now);
        }
        pool.requests.push_back(Serialize(request));
      }
      break;
    }
    case RpcKind::kDecode: {
      pool.method = absl::StrCat(kServicePrefix, "DecodeToken");
      absl::StatusOr<std::vector<v1::DecodeTokenRequest>> requests =
          FetchDecodeRequests(options, channel);
      if (!requests.ok()) return requests.status();
      for (const v1::DecodeTokenRequest& request : *requests) {
        pool.requests.push_back(Serialize(request));
      }
      break;
    }
  }
  return pool;
}

bool ResponseLooksRight(const PoolOptions& options, const grpc::ByteBuffer& response) {
  switch (options.kind) {
    case RpcKind::kHealth: {
      // HealthCheckResponse{status: SERVING}: field 1, varint 1.
      std::vector<grpc::Slice> slices;
      if (!response.Dump(&slices).ok()) return false;
      std::string bytes;
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
      }
      return bytes == std::string("\x08\x01", 2);
    }
    case RpcKind::kRtcUid: {
      v1::BuildRtcTokenWithUidResponse parsed;
      return Parse(response, &parsed) && HasVersionPrefix(parsed.token(), options.version);
    }
    case RpcKind::kRtcAccount: {
      v1::BuildRtcTokenWithAccountResponse parsed;
      return Parse(response, &parsed) && HasVersionPrefix(parsed.token(), options.version);
    }
    case RpcKind::kRtm: {
      v1::BuildRtmTokenResponse parsed;
      return Parse(response, &parsed) && HasVersionPrefix(parsed.token(), options.version);
    }
    case RpcKind::kChat: {
      v1::BuildChatTokenResponse parsed;
      return Parse(response, &parsed) && HasVersionPrefix(parsed.token(), v1::TOKEN_VERSION_007);
    }
    case RpcKind::kBatch: {
      v1::BuildTokensResponse parsed;
      if (!Parse(response, &parsed)) return false;
      if (static_cast<size_t>(parsed.results_size()) != options.batch_size) return false;
      for (const v1::BuildTokensResult& result : parsed.results()) {
        if (!result.has_token() || !HasVersionPrefix(result.token().token(), options.version)) {
          return false;
        }
      }
      return true;
    }
    case RpcKind::kDecode: {
      v1::DecodeTokenResponse parsed;
      return Parse(response, &parsed) && parsed.signature() == v1::SIGNATURE_STATE_VALID &&
             parsed.token_version() == options.version;
    }
  }
  return false;
}

}  // namespace agora_token_bench
