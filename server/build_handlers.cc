#include "server/build_handlers.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "core/access_token2.h"
#include "core/input_rules.h"
#include "core/request_expiry.h"
#include "core/service_builders.h"
#include "server/issued_token.h"
#include "server/rpc_status.h"
#include "server/service_grants.h"

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

RtcPrivilegeExpires PrivilegeExpiresOf(const v1::RtcPrivilegeExpires& e) {
  return RtcPrivilegeExpires{e.join_channel_privilege_expire(), e.pub_audio_privilege_expire(),
                             e.pub_video_privilege_expire(), e.pub_data_stream_privilege_expire()};
}

// BuildAccessToken's services in the core's terms; the core checks each
// type's fields and privileges.
absl::StatusOr<AccessToken2Params> AccessTokenParamsOf(const v1::BuildAccessTokenRequest& request) {
  AccessToken2Params params;
  params.token_expire = request.token_expire_seconds();
  params.services.reserve(request.services_size());
  for (int i = 0; i < request.services_size(); ++i) {
    absl::StatusOr<ServiceGrant> grant =
        ServiceGrantOf(request.services(i), absl::StrCat("services[", i, "]"));
    if (!grant.ok()) return grant.status();
    params.services.push_back(*std::move(grant));
  }
  return params;
}

// The shape checks that decide what a request grants, run before the
// policy: the policy then sees exactly the services the token would hold.
absl::Status AccessTokenShape(const v1::BuildAccessTokenRequest& request) {
  const size_t count = static_cast<size_t>(request.services_size());
  if (count == 0 || count > kMaxServicesPerToken) {
    return InvalidField("services", absl::StrCat("must hold 1 to ", kMaxServicesPerToken,
                                                 " services, got ", count));
  }
  return absl::OkStatus();
}

absl::Status ApaasShape(const v1::BuildApaasTokenRequest& request) {
  switch (request.kind()) {
    case v1::APAAS_TOKEN_KIND_ROOM_USER:
      return absl::OkStatus();
    case v1::APAAS_TOKEN_KIND_USER:
    case v1::APAAS_TOKEN_KIND_APP:
      // These carry the reference's -1; 0 (unset) stands for it here.
      if (request.role() != 0) {
        return InvalidField("role", "applies to APAAS_TOKEN_KIND_ROOM_USER only; leave it 0");
      }
      return absl::OkStatus();
    default:
      return InvalidField("kind",
                          "must be APAAS_TOKEN_KIND_ROOM_USER (1), APAAS_TOKEN_KIND_USER (2) or "
                          "APAAS_TOKEN_KIND_APP (3)");
  }
}

template <typename Request>
absl::Status RtcWithRtmShape(const Request& request) {
  if (request.user_case() == Request::USER_NOT_SET) {
    return InvalidField("uid", "set uid or account: the token names its RTC user");
  }
  return absl::OkStatus();
}

// One grant: a service of `kind`, the channel it names if any, and whether
// it lets any user in (a channel grant without an account or uid).
GrantFacts Grant(TokenKind kind, std::string_view channel = {}, bool any_user = false) {
  return GrantFacts{kind, channel, any_user};
}

// The channel names an RTM2 token's permissions name (message, stream and
// group channels), each a grant the caller's channel rules apply to.
void AddRtm2ChannelGrants(const google::protobuf::RepeatedPtrField<v1::Rtm2Resource>& resources,
                          TokenFacts& facts) {
  for (const v1::Rtm2Resource& resource : resources) {
    if (resource.resource_type() > kRtm2GroupChannels) continue;
    for (const v1::Rtm2Permission& permission : resource.permissions()) {
      for (const std::string& name : permission.names()) {
        facts.grants.push_back(Grant(TokenKind::kRtm2, name));
      }
    }
  }
}

const GrantFacts* FirstChannel(const TokenFacts& facts) {
  for (const GrantFacts& grant : facts.grants) {
    if (!grant.channel_name.empty()) return &grant;
  }
  return nullptr;
}

// Both RTC requests, and the RTC part of ConvoAI and STT requests.
template <typename Request>
TokenFacts RtcFacts(const Request& request, std::optional<TokenVersion> version) {
  TokenFacts facts;
  facts.kind = TokenKind::kRtc;
  facts.version = version;
  facts.app_id = request.app_id();
  facts.channel_name = request.channel_name();
  facts.role = request.role();
  return facts;
}

// The user of an RTC request and its grants: RTC, then RTM when asked for.
template <typename Request>
void AddRtcGrants(const Request& request, bool with_rtm, TokenFacts& facts) {
  const bool any_user = facts.uid.has_value() ? *facts.uid == 0 : facts.account.empty();
  facts.grants.push_back(Grant(TokenKind::kRtc, request.channel_name(), any_user));
  facts.rtm_user_id = request.rtm_user_id();
  if (with_rtm || !request.rtm_user_id().empty()) facts.grants.push_back(Grant(TokenKind::kRtm));
}

// ConvoAI and STT requests: RTC for the user, RTM, and the service itself.
template <typename Request>
TokenFacts RtcWithRtmFacts(const Request& request, TokenKind kind) {
  TokenFacts facts = RtcFacts(request, TokenVersion::k007);
  facts.kind = kind;
  if (request.user_case() == Request::kUid) facts.uid = request.uid();
  facts.account = request.account();
  facts.grants.push_back(Grant(kind));
  AddRtcGrants(request, true, facts);
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
  // A token holding several kinds counts once under each.
  for (TokenKind kind : GrantedKinds(facts)) call.metrics.RecordIssued(kind, built->version);
  return built;
}

// A decision's audit line, once, whatever the outcome.
absl::StatusOr<BuiltToken> Audited(const Call& call, const TokenFacts& facts,
                                   absl::StatusOr<BuiltToken> built) {
  if (built.ok()) {
    call.Audit(&facts, absl::OkStatus(), built->token, built->expire_ts);
  } else {
    call.Audit(&facts, built.status());
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
    if (!request.rtm_user_id().empty()) return Only007("rtm_user_id");
    if (request.rtm_token_expire_seconds() != 0) return Only007("rtm_token_expire_seconds");
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
    params.privilege_expires = PrivilegeExpiresOf(request.privilege_expires());
  }
  if (request.rtm_user_id().empty()) {
    if (request.rtm_token_expire_seconds() != 0) {
      return InvalidField("rtm_token_expire_seconds", "applies only with rtm_user_id");
    }
    return BuildRtcToken007(key, params, at, call.state.options.compression);
  }
  // buildTokenWithRtm2: RTM for another user id, with its own lifetime.
  if (request.with_rtm()) return InvalidField("rtm_user_id", "must be empty when with_rtm is set");
  RtcWithRtmParams rtm2;
  rtm2.channel_name = std::move(params.channel_name);
  rtm2.user = std::move(params.user);
  rtm2.role = params.role;
  rtm2.token_expire = params.token_expire;
  rtm2.privilege_expires = params.privilege_expires.value_or(
      RtcPrivilegeExpires{params.privilege_expire, params.privilege_expire, params.privilege_expire,
                          params.privilege_expire});
  rtm2.rtm_user_id = request.rtm_user_id();
  rtm2.rtm_token_expire = request.rtm_token_expire_seconds();
  return BuildRtcTokenWithRtm2(key, rtm2, at, call.state.options.compression);
}

absl::StatusOr<BuiltToken> BuildRtm(const Call& call, const AppKey& key, TokenVersion version,
                                    const v1::BuildRtmTokenRequest& request) {
  const Issuance at = NewIssuance(call.clock);
  const RequestExpiry expiry{request.privilege_expired_ts(), request.token_expire_seconds()};
  if (version == TokenVersion::k006 && !request.rtm2_resources().empty()) {
    return Only007("rtm2_resources");
  }
  if (!request.rtm2_resources().empty()) {
    // buildTokenWithPermissions: the RTM2 service instead of RTM.
    absl::StatusOr<uint32_t> token_expire = TokenExpire007(expiry);
    if (!token_expire.ok()) return token_expire.status();
    absl::StatusOr<std::vector<Rtm2Resource>> resources =
        Rtm2ResourcesOf(request.rtm2_resources(), "rtm2_resources");
    if (!resources.ok()) return resources.status();
    const Rtm2TokenParams params{request.user_id(), *std::move(resources), *token_expire};
    return BuildRtm2Token(key, params, at, call.state.options.compression);
  }
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
  // An end user who may not publish gets a subscriber's token, when its
  // issuer says so; the per-privilege form has no role to change.
  if (call.caller.policy.subscribes_instead_of_publishing() &&
      request.role() != v1::ROLE_SUBSCRIBER && !request.has_privilege_expires()) {
    Request subscriber = request;
    subscriber.set_role(v1::ROLE_SUBSCRIBER);
    return Decide(call, subscriber);
  }
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

absl::StatusOr<BuiltToken> Decide(const Call& call, const v1::BuildAccessTokenRequest& request) {
  const TokenFacts facts = FactsOf(request, call.state.options);
  return Audited(call, facts,
                 Mint(call, facts, AccessTokenShape(request), [&](const AppKey& key, TokenVersion) {
                   absl::StatusOr<AccessToken2Params> params = AccessTokenParamsOf(request);
                   if (!params.ok()) return absl::StatusOr<BuiltToken>(params.status());
                   return BuildAccessToken2(key, *params, NewIssuance(call.clock),
                                            call.state.options.compression);
                 }));
}

absl::StatusOr<BuiltToken> Decide(const Call& call, const v1::BuildFpaTokenRequest& request) {
  const TokenFacts facts = FactsOf(request, call.state.options);
  return Audited(
      call, facts, Mint(call, facts, absl::OkStatus(), [&](const AppKey& key, TokenVersion) {
        return BuildFpaToken(key, NewIssuance(call.clock), call.state.options.compression);
      }));
}

absl::StatusOr<BuiltToken> Decide(const Call& call, const v1::BuildApaasTokenRequest& request) {
  const TokenFacts facts = FactsOf(request, call.state.options);
  return Audited(
      call, facts, Mint(call, facts, ApaasShape(request), [&](const AppKey& key, TokenVersion) {
        ApaasTokenParams params;
        params.room_uuid = request.room_uuid();
        params.user_uuid = request.user_uuid();
        params.token_expire = request.expire_seconds();
        if (request.kind() == v1::APAAS_TOKEN_KIND_ROOM_USER) {
          params.kind = ApaasTokenKind::kRoomUser;
          params.role = request.role();
        } else {
          params.kind = request.kind() == v1::APAAS_TOKEN_KIND_USER ? ApaasTokenKind::kUser
                                                                    : ApaasTokenKind::kApp;
        }
        return BuildApaasToken(key, params, NewIssuance(call.clock),
                               call.state.options.compression);
      }));
}

// The reference's RTC + RTM parameters of a ConvoAI or STT request.
template <typename Request>
absl::StatusOr<RtcWithRtmParams> RtcWithRtmParamsOf(const Request& request) {
  absl::StatusOr<RtcRole> role = RoleOf(request.role());
  if (!role.ok()) return role.status();
  RtcWithRtmParams params;
  params.channel_name = request.channel_name();
  params.user =
      request.user_case() == Request::kUid ? RtcUser(request.uid()) : RtcUser(request.account());
  params.role = *role;
  params.token_expire = request.token_expire_seconds();
  params.privilege_expires = PrivilegeExpiresOf(request.privilege_expires());
  params.rtm_user_id = request.rtm_user_id();
  params.rtm_token_expire = request.rtm_token_expire_seconds();
  return params;
}

template <typename Request, typename Build>
absl::StatusOr<BuiltToken> DecideRtcWithRtm(const Call& call, const Request& request,
                                            Build&& build) {
  const TokenFacts facts = FactsOf(request, call.state.options);
  return Audited(call, facts,
                 Mint(call, facts, RtcWithRtmShape(request), [&](const AppKey& key, TokenVersion) {
                   absl::StatusOr<RtcWithRtmParams> params = RtcWithRtmParamsOf(request);
                   if (!params.ok()) return absl::StatusOr<BuiltToken>(params.status());
                   return build(key, *params, NewIssuance(call.clock),
                                call.state.options.compression);
                 }));
}

absl::StatusOr<BuiltToken> Decide(const Call& call, const v1::BuildConvoAiTokenRequest& request) {
  return DecideRtcWithRtm(
      call, request,
      [](const AppKey& key, const RtcWithRtmParams& params, const Issuance& at,
         Compression compression) { return BuildConvoAiToken(key, params, at, compression); });
}

absl::StatusOr<BuiltToken> Decide(const Call& call, const v1::BuildSttTokenRequest& request) {
  return DecideRtcWithRtm(
      call, request,
      [](const AppKey& key, const RtcWithRtmParams& params, const Issuance& at,
         Compression compression) { return BuildSttToken(key, params, at, compression); });
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
    case v1::BuildTokensRequestItem::kAccessToken:
      return Decide(call, item.access_token());
    case v1::BuildTokensRequestItem::kFpa:
      return Decide(call, item.fpa());
    case v1::BuildTokensRequestItem::kApaas:
      return Decide(call, item.apaas());
    case v1::BuildTokensRequestItem::kConvoAi:
      return Decide(call, item.convo_ai());
    case v1::BuildTokensRequestItem::kStt:
      return Decide(call, item.stt());
    case v1::BuildTokensRequestItem::REQUEST_NOT_SET:
      break;
  }
  const absl::Status status = InvalidField(
      "request",
      "set one of rtc_with_uid, rtc_with_account, rtm, chat, access_token, fpa, apaas, convo_ai "
      "or stt");
  call.Audit(nullptr, status);
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
  TokenFacts facts = RtcFacts(request, VersionOrNone(request.token_version(), options));
  facts.uid = request.uid();
  AddRtcGrants(request, request.with_rtm(), facts);
  return facts;
}

TokenFacts FactsOf(const v1::BuildRtcTokenWithAccountRequest& request,
                   const HandlerOptions& options) {
  TokenFacts facts = RtcFacts(request, VersionOrNone(request.token_version(), options));
  facts.account = request.account();
  AddRtcGrants(request, request.with_rtm(), facts);
  return facts;
}

TokenFacts FactsOf(const v1::BuildRtmTokenRequest& request, const HandlerOptions& options) {
  TokenFacts facts;
  facts.kind = request.rtm2_resources().empty() ? TokenKind::kRtm : TokenKind::kRtm2;
  facts.version = VersionOrNone(request.token_version(), options);
  facts.app_id = request.app_id();
  facts.account = request.user_id();
  facts.grants.push_back(Grant(facts.kind));
  AddRtm2ChannelGrants(request.rtm2_resources(), facts);
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
  facts.grants.push_back(Grant(facts.kind));
  return facts;
}

TokenFacts FactsOf(const v1::BuildAccessTokenRequest& request, const HandlerOptions&) {
  TokenFacts facts;
  facts.version = TokenVersion::k007;
  facts.app_id = request.app_id();
  for (const v1::ServiceGrant& service : request.services()) {
    const bool any_user = service.account().empty();
    switch (service.type()) {
      case v1::SERVICE_TYPE_RTC:
        facts.grants.push_back(Grant(TokenKind::kRtc, service.channel_name(), any_user));
        break;
      case v1::SERVICE_TYPE_RTM:
        facts.grants.push_back(Grant(TokenKind::kRtm));
        break;
      case v1::SERVICE_TYPE_STREAMING:
        facts.grants.push_back(
            Grant(TokenKind::kStreaming, service.channel_name(), any_user));
        break;
      case v1::SERVICE_TYPE_FPA:
        facts.grants.push_back(Grant(TokenKind::kFpa));
        break;
      case v1::SERVICE_TYPE_CHAT: {
        // Privilege 2 is the app-wide token; a service without privileges
        // counts as what its user id says.
        bool app = service.privileges().empty() && service.user_id().empty();
        bool user = service.privileges().empty() && !service.user_id().empty();
        for (const v1::PrivilegeGrant& privilege : service.privileges()) {
          (privilege.privilege() == kChatApp ? app : user) = true;
        }
        if (user) facts.grants.push_back(Grant(TokenKind::kChatUser));
        if (app) facts.grants.push_back(Grant(TokenKind::kChatApp));
        break;
      }
      case v1::SERVICE_TYPE_FCDN:
        facts.grants.push_back(Grant(TokenKind::kFcdn, service.channel_name(), any_user));
        break;
      case v1::SERVICE_TYPE_APAAS:
        facts.grants.push_back(Grant(TokenKind::kApaas, service.room_uuid()));
        break;
      case v1::SERVICE_TYPE_RTM2:
        facts.grants.push_back(Grant(TokenKind::kRtm2));
        AddRtm2ChannelGrants(service.rtm2_resources(), facts);
        break;
      case v1::SERVICE_TYPE_CONVO_AI:
        facts.grants.push_back(Grant(TokenKind::kConvoAi));
        break;
      case v1::SERVICE_TYPE_STT:
        facts.grants.push_back(Grant(TokenKind::kStt));
        break;
      default:
        break;  // grants nothing; the core refuses the type
    }
  }
  // The audit line's kind: the first service granted; its services list
  // names them all.
  if (!facts.grants.empty()) facts.kind = facts.grants.front().kind;
  if (const GrantFacts* channel = FirstChannel(facts)) facts.channel_name = channel->channel_name;
  return facts;
}

TokenFacts FactsOf(const v1::BuildFpaTokenRequest& request, const HandlerOptions&) {
  TokenFacts facts;
  facts.kind = TokenKind::kFpa;
  facts.version = TokenVersion::k007;
  facts.app_id = request.app_id();
  facts.grants.push_back(Grant(TokenKind::kFpa));
  return facts;
}

TokenFacts FactsOf(const v1::BuildApaasTokenRequest& request, const HandlerOptions&) {
  TokenFacts facts;
  facts.kind = TokenKind::kApaas;
  facts.version = TokenVersion::k007;
  facts.app_id = request.app_id();
  facts.channel_name = request.room_uuid();
  facts.account = request.user_uuid();
  facts.role = request.role();
  facts.grants.push_back(Grant(TokenKind::kApaas, request.room_uuid()));
  if (request.kind() == v1::APAAS_TOKEN_KIND_ROOM_USER) {
    // buildRoomUserToken also logs the user in to RTM and Chat.
    facts.grants.push_back(Grant(TokenKind::kRtm));
    facts.grants.push_back(Grant(TokenKind::kChatUser));
  }
  return facts;
}

TokenFacts FactsOf(const v1::BuildConvoAiTokenRequest& request, const HandlerOptions&) {
  return RtcWithRtmFacts(request, TokenKind::kConvoAi);
}

TokenFacts FactsOf(const v1::BuildSttTokenRequest& request, const HandlerOptions&) {
  return RtcWithRtmFacts(request, TokenKind::kStt);
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

absl::Status BuildAccessToken(const Call& call, const v1::BuildAccessTokenRequest& request,
                              v1::BuildAccessTokenResponse* response) {
  return Respond(Decide(call, request), response);
}

absl::Status BuildFpaToken(const Call& call, const v1::BuildFpaTokenRequest& request,
                           v1::BuildFpaTokenResponse* response) {
  return Respond(Decide(call, request), response);
}

absl::Status BuildApaasToken(const Call& call, const v1::BuildApaasTokenRequest& request,
                             v1::BuildApaasTokenResponse* response) {
  return Respond(Decide(call, request), response);
}

absl::Status BuildConvoAiToken(const Call& call, const v1::BuildConvoAiTokenRequest& request,
                               v1::BuildConvoAiTokenResponse* response) {
  return Respond(Decide(call, request), response);
}

absl::Status BuildSttToken(const Call& call, const v1::BuildSttTokenRequest& request,
                           v1::BuildSttTokenResponse* response) {
  return Respond(Decide(call, request), response);
}

absl::Status BuildTokens(const Call& call, const v1::BuildTokensRequest& request,
                         v1::BuildTokensResponse* response) {
  const size_t count = static_cast<size_t>(request.items_size());
  const size_t max_items = call.state.options.max_batch_items;
  if (count == 0 || count > max_items) {
    const absl::Status status =
        InvalidField("items", absl::StrCat("must hold 1 to ", max_items, " requests, got ", count));
    call.Audit(nullptr, status, {}, 0, static_cast<uint32_t>(count));
    return status;
  }
  response->mutable_results()->Reserve(static_cast<int>(count));
  for (size_t i = 0; i < count; ++i) {
    if (call.cancelled && (i % 64) == 0 && call.cancelled()) {
      const absl::Status status =
          absl::CancelledError("the call was cancelled or its deadline passed");
      call.Audit(nullptr, status, {}, 0, static_cast<uint32_t>(count - i));
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
