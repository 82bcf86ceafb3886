#include "server/build_handlers.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "core/input_rules.h"
#include "core/request_expiry.h"
#include "server/issued_token.h"
#include "server/rpc_status.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;

absl::StatusOr<TokenVersion> VersionOf(int token_version, const HandlerOptions& options) {
  switch (token_version) {
    case v1::TOKEN_VERSION_UNSPECIFIED:
      return options.default_version;
    case v1::TOKEN_VERSION_006:
      return TokenVersion::k006;
    case v1::TOKEN_VERSION_007:
      return TokenVersion::k007;
    default:
      return InvalidField("token_version",
                          absl::StrCat("unknown value ", token_version,
                                       "; use TOKEN_VERSION_006 (1) or TOKEN_VERSION_007 (2)"));
  }
}

std::optional<TokenVersion> VersionOrNone(int token_version, const HandlerOptions& options) {
  absl::StatusOr<TokenVersion> version = VersionOf(token_version, options);
  return version.ok() ? std::optional<TokenVersion>(*version) : std::nullopt;
}

absl::StatusOr<RtcRole> RoleOf(int role) {
  switch (role) {
    case v1::ROLE_UNSPECIFIED:
    case v1::ROLE_PUBLISHER:
      return RtcRole::kPublisher;
    case v1::ROLE_SUBSCRIBER:
      return RtcRole::kSubscriber;
    default:
      return InvalidField("role", absl::StrCat("unknown value ", role,
                                               "; use ROLE_PUBLISHER (1) or ROLE_SUBSCRIBER (2)"));
  }
}

absl::Status Only007(std::string_view field) {
  return InvalidField(field, "applies to 007 tokens only");
}

template <typename Request>
TokenFacts RtcFacts(const Request& request, const HandlerOptions& options) {
  TokenFacts facts;
  facts.kind = TokenKind::kRtc;
  facts.version = VersionOrNone(request.token_version(), options);
  facts.app_id = request.app_id();
  facts.channel_name = request.channel_name();
  facts.role = request.role();
  facts.with_rtm = request.with_rtm();
  return facts;
}

// The steps every token goes through, in this order: the request's shape,
// its app id (malformed is INVALID_ARGUMENT before any policy, so a denial
// never echoes input), the caller's policy (so the keyring answers only
// for apps the caller may use), the keyring, the core, and the caller's
// lifetime limit on what was built.
template <typename Build>
absl::StatusOr<BuiltToken> Mint(const Call& call, const TokenFacts& facts, absl::Status shape,
                                Build&& build) {
  if (!shape.ok()) return shape;
  if (absl::Status status = ValidateAppId(facts.app_id); !status.ok()) return status;
  if (absl::Status status = call.caller.policy.CheckToken(facts); !status.ok()) return status;
  const AppCertificates* app = call.state.keyring->Find(facts.app_id);
  // Says nothing about which other apps exist.
  if (app == nullptr) return absl::NotFoundError("app_id: this server holds no key for that app");
  absl::StatusOr<BuiltToken> built = build(app->primary, *facts.version);
  if (!built.ok()) return built;
  if (absl::Status lifetime = call.caller.policy.CheckLifetime(*built); !lifetime.ok()) {
    SecureWipe(built->token.data(), built->token.size());
    return lifetime;
  }
  call.metrics.RecordIssued(facts.kind, built->version);
  return built;
}

// A decision's audit line, once, whatever the outcome.
absl::StatusOr<BuiltToken> Audited(const Call& call, const TokenFacts& facts,
                                   absl::StatusOr<BuiltToken> built) {
  if (built.ok()) {
    call.Audit(&facts, absl::StatusCode::kOk, built->token, built->expire_ts);
  } else {
    call.Audit(&facts, built.status().code());
  }
  return built;
}

template <typename Request>
absl::StatusOr<BuiltToken> BuildRtc(const Call& call, const AppKey& key, TokenVersion version,
                                    const Request& request, RtcUser user) {
  absl::StatusOr<RtcRole> role = RoleOf(request.role());
  if (!role.ok()) return role.status();
  const Issuance at = NewIssuance(call.clock);
  const RequestExpiry expiry{request.privilege_expired_ts(), request.token_expire_seconds()};

  if (version == TokenVersion::k006) {
    absl::StatusOr<uint32_t> privilege_expired_ts = PrivilegeExpiredTs006(expiry, at.issue_ts);
    if (!privilege_expired_ts.ok()) return privilege_expired_ts.status();
    if (request.has_privilege_expires()) return Only007("privilege_expires");
    if (request.with_rtm()) return Only007("with_rtm");
    const Rtc006Params params{request.channel_name(), std::move(user), *role,
                              *privilege_expired_ts};
    return BuildRtcToken006(key, params, at);
  }

  absl::StatusOr<Expiry007> spans = RtcExpiry007(expiry, at.issue_ts);
  if (!spans.ok()) return spans.status();
  Rtc007Params params;
  params.channel_name = request.channel_name();
  params.user = std::move(user);
  params.role = *role;
  params.token_expire = spans->token_expire;
  params.privilege_expire = spans->privilege_expire;
  params.with_rtm = request.with_rtm();
  if (request.has_privilege_expires()) {
    // The per-privilege form replaces the role-based one entirely.
    if (request.privilege_expired_ts() != 0) {
      return InvalidField("privilege_expired_ts", "must be 0 when privilege_expires is set");
    }
    if (request.role() != v1::ROLE_UNSPECIFIED) {
      return InvalidField("role", "must be unset when privilege_expires is set");
    }
    const v1::RtcPrivilegeExpires& e = request.privilege_expires();
    params.privilege_expires =
        RtcPrivilegeExpires{e.join_channel_privilege_expire(), e.pub_audio_privilege_expire(),
                            e.pub_video_privilege_expire(), e.pub_data_stream_privilege_expire()};
  }
  return BuildRtcToken007(key, params, at, call.state.options.compression);
}

absl::StatusOr<BuiltToken> BuildRtm(const Call& call, const AppKey& key, TokenVersion version,
                                    const v1::BuildRtmTokenRequest& request) {
  const Issuance at = NewIssuance(call.clock);
  const RequestExpiry expiry{request.privilege_expired_ts(), request.token_expire_seconds()};
  if (version == TokenVersion::k006) {
    absl::StatusOr<uint32_t> privilege_expired_ts = PrivilegeExpiredTs006(expiry, at.issue_ts);
    if (!privilege_expired_ts.ok()) return privilege_expired_ts.status();
    return BuildRtmToken006(key, request.user_id(), *privilege_expired_ts, at);
  }
  absl::StatusOr<uint32_t> token_expire = TokenExpire007(expiry);
  if (!token_expire.ok()) return token_expire.status();
  return BuildRtmToken007(key, request.user_id(), *token_expire, at,
                          call.state.options.compression);
}

// The chat kind is part of the request's shape: checked before any policy,
// which grants user and app tokens separately.
absl::Status ChatShape(const v1::BuildChatTokenRequest& request) {
  switch (request.kind()) {
    case v1::CHAT_TOKEN_KIND_USER:
      if (request.user_id().empty()) {
        return InvalidField("user_id", "is required for CHAT_TOKEN_KIND_USER");
      }
      return absl::OkStatus();
    case v1::CHAT_TOKEN_KIND_APP:
      if (!request.user_id().empty()) {
        return InvalidField("user_id", "must be empty for CHAT_TOKEN_KIND_APP");
      }
      return absl::OkStatus();
    default:
      // Explicit, so a caller who forgets user_id never gets an app token.
      return InvalidField("kind", "must be CHAT_TOKEN_KIND_USER (1) or CHAT_TOKEN_KIND_APP (2)");
  }
}

absl::Status VersionShape(int token_version, const HandlerOptions& options) {
  return VersionOf(token_version, options).status();
}

RtcUser UserOf(const v1::BuildRtcTokenWithUidRequest& request) { return RtcUser(request.uid()); }
RtcUser UserOf(const v1::BuildRtcTokenWithAccountRequest& request) {
  return RtcUser(request.account());
}

// Both RTC requests.
template <typename Request>
absl::StatusOr<BuiltToken> Decide(const Call& call, const Request& request) {
  const TokenFacts facts = FactsOf(request, call.state.options);
  return Audited(call, facts,
                 Mint(call, facts, VersionShape(request.token_version(), call.state.options),
                      [&](const AppKey& key, TokenVersion version) {
                        return BuildRtc(call, key, version, request, UserOf(request));
                      }));
}

absl::StatusOr<BuiltToken> Decide(const Call& call, const v1::BuildRtmTokenRequest& request) {
  const TokenFacts facts = FactsOf(request, call.state.options);
  return Audited(call, facts,
                 Mint(call, facts, VersionShape(request.token_version(), call.state.options),
                      [&](const AppKey& key, TokenVersion version) {
                        return BuildRtm(call, key, version, request);
                      }));
}

absl::StatusOr<BuiltToken> Decide(const Call& call, const v1::BuildChatTokenRequest& request) {
  const TokenFacts facts = FactsOf(request, call.state.options);
  return Audited(
      call, facts, Mint(call, facts, ChatShape(request), [&](const AppKey& key, TokenVersion) {
        return BuildChatToken007(key, request.user_id(), request.token_expire_seconds(),
                                 NewIssuance(call.clock), call.state.options.compression);
      }));
}

absl::StatusOr<BuiltToken> DecideItem(const Call& call, const v1::BuildTokensRequestItem& item) {
  switch (item.request_case()) {
    case v1::BuildTokensRequestItem::kRtcWithUid:
      return Decide(call, item.rtc_with_uid());
    case v1::BuildTokensRequestItem::kRtcWithAccount:
      return Decide(call, item.rtc_with_account());
    case v1::BuildTokensRequestItem::kRtm:
      return Decide(call, item.rtm());
    case v1::BuildTokensRequestItem::kChat:
      return Decide(call, item.chat());
    case v1::BuildTokensRequestItem::REQUEST_NOT_SET:
      break;
  }
  const absl::Status status =
      InvalidField("request", "set one of rtc_with_uid, rtc_with_account, rtm or chat");
  call.Audit(nullptr, status.code());
  return status;
}

// A single-token RPC's response from its decision.
template <typename Response>
absl::Status Respond(absl::StatusOr<BuiltToken>&& built, Response* response) {
  if (!built.ok()) return built.status();
  FillIssued(*std::move(built), response);
  return absl::OkStatus();
}

}  // namespace

TokenFacts FactsOf(const v1::BuildRtcTokenWithUidRequest& request, const HandlerOptions& options) {
  TokenFacts facts = RtcFacts(request, options);
  facts.uid = request.uid();
  return facts;
}

TokenFacts FactsOf(const v1::BuildRtcTokenWithAccountRequest& request,
                   const HandlerOptions& options) {
  TokenFacts facts = RtcFacts(request, options);
  facts.account = request.account();
  return facts;
}

TokenFacts FactsOf(const v1::BuildRtmTokenRequest& request, const HandlerOptions& options) {
  TokenFacts facts;
  facts.kind = TokenKind::kRtm;
  facts.version = VersionOrNone(request.token_version(), options);
  facts.app_id = request.app_id();
  facts.account = request.user_id();
  return facts;
}

TokenFacts FactsOf(const v1::BuildChatTokenRequest& request, const HandlerOptions&) {
  TokenFacts facts;
  facts.kind =
      request.kind() == v1::CHAT_TOKEN_KIND_APP ? TokenKind::kChatApp : TokenKind::kChatUser;
  facts.version = TokenVersion::k007;
  facts.app_id = request.app_id();
  facts.account = request.user_id();
  facts.role = request.kind();
  return facts;
}

absl::Status BuildRtcTokenWithUid(const Call& call, const v1::BuildRtcTokenWithUidRequest& request,
                                  v1::BuildRtcTokenWithUidResponse* response) {
  return Respond(Decide(call, request), response);
}

absl::Status BuildRtcTokenWithAccount(const Call& call,
                                      const v1::BuildRtcTokenWithAccountRequest& request,
                                      v1::BuildRtcTokenWithAccountResponse* response) {
  return Respond(Decide(call, request), response);
}

absl::Status BuildRtmToken(const Call& call, const v1::BuildRtmTokenRequest& request,
                           v1::BuildRtmTokenResponse* response) {
  return Respond(Decide(call, request), response);
}

absl::Status BuildChatToken(const Call& call, const v1::BuildChatTokenRequest& request,
                            v1::BuildChatTokenResponse* response) {
  return Respond(Decide(call, request), response);
}

absl::Status BuildTokens(const Call& call, const v1::BuildTokensRequest& request,
                         v1::BuildTokensResponse* response) {
  const size_t count = static_cast<size_t>(request.items_size());
  const size_t max_items = call.state.options.max_batch_items;
  if (count == 0 || count > max_items) {
    const absl::Status status =
        InvalidField("items", absl::StrCat("must hold 1 to ", max_items, " requests, got ", count));
    call.Audit(nullptr, status.code(), {}, 0, static_cast<uint32_t>(count));
    return status;
  }
  response->mutable_results()->Reserve(static_cast<int>(count));
  for (size_t i = 0; i < count; ++i) {
    if (call.cancelled && (i % 64) == 0 && call.cancelled()) {
      const absl::Status status =
          absl::CancelledError("the call was cancelled or its deadline passed");
      call.Audit(nullptr, status.code(), {}, 0, static_cast<uint32_t>(count - i));
      return status;
    }
    absl::StatusOr<BuiltToken> built = DecideItem(call, request.items(static_cast<int>(i)));
    v1::BuildTokensResult* result = response->add_results();
    // Field paths in an item's error are relative to that item's request.
    if (built.ok()) {
      FillIssued(*std::move(built), result->mutable_token());
    } else {
      *result->mutable_error() = ToRpcStatus(built.status());
    }
  }
  return absl::OkStatus();
}

}  // namespace agora_token
