#include "server/token_handlers.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "core/input_rules.h"
#include "server/grpc_status.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;

// `app_id` is already valid.
absl::StatusOr<const AppCertificates*> LookUpApp(const Keyring& keyring,
                                                 const std::string& app_id) {
  const AppCertificates* app = keyring.Find(app_id);
  // Says nothing about which other apps exist.
  if (app == nullptr) return absl::NotFoundError("app_id: this server holds no key for that app");
  return app;
}

absl::StatusOr<const AppCertificates*> FindApp(const Keyring& keyring, const std::string& app_id) {
  if (absl::Status status = ValidateAppId(app_id); !status.ok()) return status;
  return LookUpApp(keyring, app_id);
}

// A malformed app id is INVALID_ARGUMENT before any policy looks at it (so a
// denial never echoes caller input); then authorization, so the keyring
// answers only for apps the caller may use.
absl::StatusOr<const AppCertificates*> AdmitApp(const Keyring& keyring, const std::string& app_id,
                                                const TokenGate& gate, const TokenFacts& facts) {
  if (absl::Status status = ValidateAppId(app_id); !status.ok()) return status;
  if (absl::Status admitted = gate.Admit(facts); !admitted.ok()) return admitted;
  return LookUpApp(keyring, app_id);
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

v1::TokenVersion VersionToProto(TokenVersion version) {
  return version == TokenVersion::k006 ? v1::TOKEN_VERSION_006 : v1::TOKEN_VERSION_007;
}

v1::ServiceType ServiceToProto(uint16_t type) {
  return v1::ServiceType_IsValid(type) ? static_cast<v1::ServiceType>(type)
                                       : v1::SERVICE_TYPE_UNSPECIFIED;
}

void FillPrivilegeExpiry(const PrivilegeExpiry& from, v1::PrivilegeExpiry* to) {
  to->set_service(ServiceToProto(from.service_type));
  to->set_privilege(from.privilege);
  to->set_expire_ts(from.expire_ts);
}

// Every build response (and IssuedToken) has the same fields.
template <typename Response>
// Takes the token string: on an arena-allocated response that is a move, not a copy.
void FillIssued(BuiltToken&& built, Response* response) {
  response->set_token(std::move(built.token));
  response->set_token_version(VersionToProto(built.version));
  response->set_issue_ts(built.issue_ts);
  response->set_salt(built.salt);
  response->set_expire_ts(built.expire_ts);
  for (const PrivilegeExpiry& p : built.privileges) {
    FillPrivilegeExpiry(p, response->add_privilege_expiries());
  }
}

// 007 spans from the seed's absolute privilege_expired_ts: the privileges
// last until then, and so does the token unless token_expire_seconds says
// otherwise (the core caps the token at 24 hours).
struct Spans007 {
  uint32_t token_expire = 0;
  uint32_t privilege_expire = 0;
};

absl::StatusOr<Spans007> SpansFrom(uint32_t privilege_expired_ts, uint32_t token_expire_seconds,
                                   uint32_t issue_ts) {
  if (privilege_expired_ts == 0) return Spans007{token_expire_seconds, 0};
  if (privilege_expired_ts <= issue_ts) {
    return InvalidField("privilege_expired_ts",
                        "must be 0 (24 hours) or an absolute unix time later than now");
  }
  const uint32_t span = privilege_expired_ts - issue_ts;
  return Spans007{token_expire_seconds != 0 ? token_expire_seconds : span, span};
}

absl::Status Only007(std::string_view field) {
  return InvalidField(field, "applies to 007 tokens only");
}

// The facts both RTC requests share.
template <typename Request>
TokenFacts RtcFacts(const Request& request) {
  TokenFacts facts;
  facts.kind = TokenKind::kRtc;
  facts.app_id = request.app_id();
  facts.channel_name = request.channel_name();
  facts.role = request.role();
  facts.with_rtm = request.with_rtm();
  return facts;
}

// A single-token RPC's response from its decision.
template <typename Response>
absl::Status Respond(absl::StatusOr<BuiltToken>&& built, Response* response) {
  if (!built.ok()) return built.status();
  FillIssued(*std::move(built), response);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TokenVersion> TokenHandlers::VersionOf(int token_version) const {
  switch (token_version) {
    case v1::TOKEN_VERSION_UNSPECIFIED:
      return options_.default_version;
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

absl::StatusOr<BuiltToken> TokenHandlers::Counted(TokenKind kind,
                                                  absl::StatusOr<BuiltToken> built) const {
  if (metrics_ != nullptr && built.ok()) metrics_->RecordIssued(kind, built->version);
  return built;
}

template <typename Request>
absl::StatusOr<BuiltToken> TokenHandlers::BuildRtc(const Keyring& keyring, const Request& request,
                                                   RtcUser user, const TokenGate& gate,
                                                   TokenFacts& facts) const {
  absl::StatusOr<TokenVersion> version = VersionOf(request.token_version());
  if (!version.ok()) return version.status();
  facts.version = *version;
  absl::StatusOr<const AppCertificates*> app = AdmitApp(keyring, request.app_id(), gate, facts);
  if (!app.ok()) return app.status();
  absl::StatusOr<RtcRole> role = RoleOf(request.role());
  if (!role.ok()) return role.status();
  const Issuance at = NewIssuance(*clock_);

  if (*version == TokenVersion::k006) {
    if (request.token_expire_seconds() != 0) return Only007("token_expire_seconds");
    if (request.has_privilege_expires()) return Only007("privilege_expires");
    if (request.with_rtm()) return Only007("with_rtm");
    Rtc006Params params{request.channel_name(), std::move(user), *role,
                        request.privilege_expired_ts()};
    return BuildRtcToken006((*app)->primary, params, at);
  }

  absl::StatusOr<Spans007> spans =
      SpansFrom(request.privilege_expired_ts(), request.token_expire_seconds(), at.issue_ts);
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
  return BuildRtcToken007((*app)->primary, params, at, options_.compression);
}

absl::StatusOr<BuiltToken> TokenHandlers::BuildRtm(const Keyring& keyring,
                                                   const v1::BuildRtmTokenRequest& request,
                                                   const TokenGate& gate, TokenFacts& facts) const {
  absl::StatusOr<TokenVersion> version = VersionOf(request.token_version());
  if (!version.ok()) return version.status();
  facts.version = *version;
  absl::StatusOr<const AppCertificates*> app = AdmitApp(keyring, request.app_id(), gate, facts);
  if (!app.ok()) return app.status();
  const Issuance at = NewIssuance(*clock_);
  if (*version == TokenVersion::k006) {
    if (request.token_expire_seconds() != 0) return Only007("token_expire_seconds");
    return BuildRtmToken006((*app)->primary, request.user_id(), request.privilege_expired_ts(), at);
  }
  if (request.privilege_expired_ts() != 0) {
    return InvalidField("privilege_expired_ts",
                        "applies to 006 tokens only; use token_expire_seconds");
  }
  return BuildRtmToken007((*app)->primary, request.user_id(), request.token_expire_seconds(), at,
                          options_.compression);
}

absl::StatusOr<BuiltToken> TokenHandlers::BuildChat(const Keyring& keyring,
                                                    const v1::BuildChatTokenRequest& request,
                                                    const TokenGate& gate,
                                                    TokenFacts& facts) const {
  facts.version = TokenVersion::k007;
  absl::StatusOr<const AppCertificates*> app = AdmitApp(keyring, request.app_id(), gate, facts);
  if (!app.ok()) return app.status();
  switch (request.kind()) {
    case v1::CHAT_TOKEN_KIND_USER:
      if (request.user_id().empty()) {
        return InvalidField("user_id", "is required for CHAT_TOKEN_KIND_USER");
      }
      break;
    case v1::CHAT_TOKEN_KIND_APP:
      if (!request.user_id().empty()) {
        return InvalidField("user_id", "must be empty for CHAT_TOKEN_KIND_APP");
      }
      break;
    default:
      // Explicit, so a caller who forgets user_id never gets an app token.
      return InvalidField("kind", "must be CHAT_TOKEN_KIND_USER (1) or CHAT_TOKEN_KIND_APP (2)");
  }
  return BuildChatToken007((*app)->primary, request.user_id(), request.token_expire_seconds(),
                           NewIssuance(*clock_), options_.compression);
}

absl::StatusOr<BuiltToken> TokenHandlers::Decided(const Keyring& keyring,
                                                  const v1::BuildRtcTokenWithUidRequest& request,
                                                  const TokenGate& gate) const {
  TokenFacts facts = RtcFacts(request);
  facts.uid = request.uid();
  return Counted(
      TokenKind::kRtc,
      gate.Decide(facts, BuildRtc(keyring, request, RtcUser(request.uid()), gate, facts)));
}

absl::StatusOr<BuiltToken> TokenHandlers::Decided(
    const Keyring& keyring, const v1::BuildRtcTokenWithAccountRequest& request,
    const TokenGate& gate) const {
  TokenFacts facts = RtcFacts(request);
  facts.account = request.account();
  return Counted(
      TokenKind::kRtc,
      gate.Decide(facts, BuildRtc(keyring, request, RtcUser(request.account()), gate, facts)));
}

absl::StatusOr<BuiltToken> TokenHandlers::Decided(const Keyring& keyring,
                                                  const v1::BuildRtmTokenRequest& request,
                                                  const TokenGate& gate) const {
  TokenFacts facts;
  facts.kind = TokenKind::kRtm;
  facts.app_id = request.app_id();
  facts.account = request.user_id();
  return Counted(TokenKind::kRtm, gate.Decide(facts, BuildRtm(keyring, request, gate, facts)));
}

absl::StatusOr<BuiltToken> TokenHandlers::Decided(const Keyring& keyring,
                                                  const v1::BuildChatTokenRequest& request,
                                                  const TokenGate& gate) const {
  TokenFacts facts;
  facts.kind = TokenKind::kChat;
  facts.app_id = request.app_id();
  facts.account = request.user_id();
  facts.role = request.kind();
  return Counted(TokenKind::kChat, gate.Decide(facts, BuildChat(keyring, request, gate, facts)));
}

absl::Status TokenHandlers::BuildRtcTokenWithUid(const v1::BuildRtcTokenWithUidRequest& request,
                                                 v1::BuildRtcTokenWithUidResponse* response,
                                                 const TokenGate& gate) const {
  return Respond(Decided(*keyring_->Get(), request, gate), response);
}

absl::Status TokenHandlers::BuildRtcTokenWithAccount(
    const v1::BuildRtcTokenWithAccountRequest& request,
    v1::BuildRtcTokenWithAccountResponse* response, const TokenGate& gate) const {
  return Respond(Decided(*keyring_->Get(), request, gate), response);
}

absl::Status TokenHandlers::BuildRtmToken(const v1::BuildRtmTokenRequest& request,
                                          v1::BuildRtmTokenResponse* response,
                                          const TokenGate& gate) const {
  return Respond(Decided(*keyring_->Get(), request, gate), response);
}

absl::Status TokenHandlers::BuildChatToken(const v1::BuildChatTokenRequest& request,
                                           v1::BuildChatTokenResponse* response,
                                           const TokenGate& gate) const {
  return Respond(Decided(*keyring_->Get(), request, gate), response);
}

absl::StatusOr<BuiltToken> TokenHandlers::BuildItem(const Keyring& keyring,
                                                    const v1::BuildTokensRequestItem& item,
                                                    const TokenGate& gate) const {
  switch (item.request_case()) {
    case v1::BuildTokensRequestItem::kRtcWithUid:
      return Decided(keyring, item.rtc_with_uid(), gate);
    case v1::BuildTokensRequestItem::kRtcWithAccount:
      return Decided(keyring, item.rtc_with_account(), gate);
    case v1::BuildTokensRequestItem::kRtm:
      return Decided(keyring, item.rtm(), gate);
    case v1::BuildTokensRequestItem::kChat:
      return Decided(keyring, item.chat(), gate);
    case v1::BuildTokensRequestItem::REQUEST_NOT_SET:
      break;
  }
  return InvalidField("request", "set one of rtc_with_uid, rtc_with_account, rtm or chat");
}

absl::Status TokenHandlers::BuildTokens(const v1::BuildTokensRequest& request,
                                        v1::BuildTokensResponse* response,
                                        const std::function<bool()>& cancelled,
                                        const TokenGate& gate) const {
  const size_t count = static_cast<size_t>(request.items_size());
  if (count == 0 || count > options_.max_batch_items) {
    return InvalidField("items", absl::StrCat("must hold 1 to ", options_.max_batch_items,
                                              " requests, got ", count));
  }
  // One snapshot for the whole batch: every item sees the same keyring.
  const std::shared_ptr<const Keyring> keyring = keyring_->Get();
  response->mutable_results()->Reserve(static_cast<int>(count));
  for (size_t i = 0; i < count; ++i) {
    if (cancelled && (i % 64) == 0 && cancelled()) {
      return absl::CancelledError("the call was cancelled or its deadline passed");
    }
    absl::StatusOr<BuiltToken> built =
        BuildItem(*keyring, request.items(static_cast<int>(i)), gate);
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

namespace agora_token {
namespace {

// The 006 subject a DecodeToken request names, if any.
absl::StatusOr<std::optional<Token006Subject>> SubjectOf(const v1::DecodeTokenRequest& request) {
  switch (request.subject_case()) {
    case v1::DecodeTokenRequest::kUid:
      return std::optional<Token006Subject>(
          Token006Subject::ForRtc(request.channel_name(), RtcUser(request.uid())));
    case v1::DecodeTokenRequest::kAccount:
      return std::optional<Token006Subject>(
          Token006Subject::ForRtc(request.channel_name(), RtcUser(request.account())));
    case v1::DecodeTokenRequest::kRtmUserId:
      if (!request.channel_name().empty()) {
        return InvalidField("channel_name", "must be empty with rtm_user_id");
      }
      return std::optional<Token006Subject>(Token006Subject::ForRtm(request.rtm_user_id()));
    case v1::DecodeTokenRequest::SUBJECT_NOT_SET:
      break;
  }
  if (!request.channel_name().empty()) {
    return InvalidField("channel_name", "needs a subject: set uid, account or rtm_user_id too");
  }
  return std::optional<Token006Subject>();
}

// The sizes DecodeTokenRequest promises for a 006 subject. Characters are
// not checked: the question is only whether the token was signed for it.
absl::Status ValidateSubjectSizes(const v1::DecodeTokenRequest& request) {
  auto size_in = [](const std::string& value, std::string_view field, size_t max) {
    if (!value.empty() && value.size() <= max) return absl::OkStatus();
    return InvalidField(field, absl::StrCat("must be 1 to ", max, " bytes, got ", value.size()));
  };
  switch (request.subject_case()) {
    case v1::DecodeTokenRequest::kUid:
      return size_in(request.channel_name(), "channel_name", kMaxChannelNameBytes);
    case v1::DecodeTokenRequest::kAccount: {
      absl::Status status = size_in(request.channel_name(), "channel_name", kMaxChannelNameBytes);
      if (!status.ok()) return status;
      return size_in(request.account(), "account", kMaxAccountBytes);
    }
    case v1::DecodeTokenRequest::kRtmUserId:
      return size_in(request.rtm_user_id(), "rtm_user_id", kMaxAccountBytes);
    case v1::DecodeTokenRequest::SUBJECT_NOT_SET:
      break;
  }
  return absl::OkStatus();
}

// A privilege as stored plus its effective absolute expiry.
void FillDecodedPrivilege(const PrivilegeValue& stored, const PrivilegeExpiry& effective,
                          v1::DecodedPrivilege* to) {
  to->set_privilege(stored.privilege);
  to->set_value(stored.value);
  to->set_expire_ts(effective.expire_ts);
}

void FillDecodedService(const DecodedService& from, v1::DecodedService* to) {
  to->set_type(ServiceToProto(from.type));
  to->set_channel_name(from.channel_name);
  to->set_account(from.account);
  to->set_user_id(from.user_id);
  to->set_room_uuid(from.room_uuid);
  to->set_user_uuid(from.user_uuid);
  to->set_role(from.role);
  for (const Rtm2Resource& resource : from.rtm2_resources) {
    v1::Rtm2Resource* r = to->add_rtm2_resources();
    r->set_resource_type(resource.resource_type);
    for (const Rtm2Permission& permission : resource.permissions) {
      v1::Rtm2Permission* p = r->add_permissions();
      p->set_permission_type(permission.permission_type);
      for (const std::string& name : permission.names) p->add_names(name);
    }
  }
}

v1::ExpiryState ExpiryToProto(ExpiryReport::State state) {
  switch (state) {
    case ExpiryReport::State::kValid:
      return v1::EXPIRY_STATE_VALID;
    case ExpiryReport::State::kTokenExpired:
      return v1::EXPIRY_STATE_TOKEN_EXPIRED;
    case ExpiryReport::State::kPrivilegeExpired:
      return v1::EXPIRY_STATE_PRIVILEGE_EXPIRED;
  }
  return v1::EXPIRY_STATE_UNSPECIFIED;
}

// Valid if either of the app's certificates signed it (rotation).
bool SignedByApp(const DecodedToken& token, const AppCertificates& app,
                 const Token006Subject* subject) {
  if (VerifySignature(token, app.primary.app_certificate(), subject).ok()) return true;
  return app.secondary.has_value() &&
         VerifySignature(token, app.secondary->app_certificate(), subject).ok();
}

}  // namespace

absl::Status TokenHandlers::DecodeToken(const v1::DecodeTokenRequest& request,
                                        v1::DecodeTokenResponse* response,
                                        const TokenGate& gate) const {
  TokenFacts facts;
  facts.decode = true;
  facts.channel_name = request.channel_name();
  if (request.subject_case() == v1::DecodeTokenRequest::kUid) facts.uid = request.uid();
  facts.account = request.subject_case() == v1::DecodeTokenRequest::kAccount
                      ? request.account()
                      : request.rtm_user_id();
  std::string app_id;  // known once decoded; `facts` points at it
  const absl::Status status = Decode(request, response, gate, facts, app_id);
  gate.RecordDecode(facts, request.token(), status);
  return status;
}

absl::Status TokenHandlers::Decode(const v1::DecodeTokenRequest& request,
                                   v1::DecodeTokenResponse* response, const TokenGate& gate,
                                   TokenFacts& facts, std::string& app_id) const {
  if (request.token().empty()) return InvalidField("token", "is required");
  if (request.token().size() > kMaxTokenLength) {
    return InvalidField("token", absl::StrCat("must be at most ", kMaxTokenLength, " characters"));
  }
  absl::StatusOr<std::optional<Token006Subject>> subject = SubjectOf(request);
  if (!subject.ok()) return subject.status();
  absl::StatusOr<DecodedToken> decoded = agora_token::DecodeToken(request.token());
  if (!decoded.ok()) {
    // The core says "token: <what>"; keep the what, never the token.
    std::string what(decoded.status().message());
    if (what.rfind("token: ", 0) == 0) what.erase(0, 7);
    return InvalidField("token", what);
  }
  app_id = decoded->app_id;
  facts.app_id = app_id;
  facts.version = decoded->version;
  if (absl::Status admitted = gate.Admit(facts); !admitted.ok()) return admitted;
  const std::shared_ptr<const Keyring> keyring = keyring_->Get();
  absl::StatusOr<const AppCertificates*> app = FindApp(*keyring, decoded->app_id);
  if (!app.ok()) return app.status();

  // Only 006 uses the subject; 007 ignores it.
  if (decoded->version == TokenVersion::k006) {
    absl::Status status = ValidateSubjectSizes(request);
    if (!status.ok()) return status;
  }

  const ExpiryReport expiry = CheckExpiry(*decoded, clock_->NowUnixSeconds());
  response->set_token_version(VersionToProto(decoded->version));
  response->set_app_id(decoded->app_id);
  response->set_salt(decoded->salt);
  response->set_expire_ts(expiry.token_expire_ts);
  size_t next_effective = 0;  // CheckExpiry lists privileges in token order
  if (decoded->version == TokenVersion::k006) {
    v1::Token006Details* details = response->mutable_token006();
    details->set_ts(decoded->ts);
    details->set_crc_channel_name(decoded->crc_channel_name);
    details->set_crc_uid(decoded->crc_uid);
    for (const PrivilegeValue& p : decoded->privileges_006) {
      FillDecodedPrivilege(p, expiry.privileges[next_effective++], details->add_privileges());
    }
    if (subject->has_value()) {
      response->set_signature(SignedByApp(*decoded, **app, &**subject)
                                  ? v1::SIGNATURE_STATE_VALID
                                  : v1::SIGNATURE_STATE_INVALID);
    } else {
      response->set_signature(v1::SIGNATURE_STATE_NOT_CHECKED);
    }
  } else {
    response->set_issue_ts(decoded->issue_ts);
    v1::Token007Details* details = response->mutable_token007();
    details->set_expire_seconds(decoded->expire);
    for (const DecodedService& service : decoded->services) {
      v1::DecodedService* out = details->add_services();
      FillDecodedService(service, out);
      for (const PrivilegeValue& p : service.privileges) {
        FillDecodedPrivilege(p, expiry.privileges[next_effective++], out->add_privileges());
      }
    }
    response->set_unknown_service_type(decoded->unknown_service_type.value_or(0));
    response->set_signature(SignedByApp(*decoded, **app, nullptr) ? v1::SIGNATURE_STATE_VALID
                                                                  : v1::SIGNATURE_STATE_INVALID);
  }
  response->set_expiry(ExpiryToProto(expiry.state));
  for (const PrivilegeExpiry& p : expiry.expired_privileges) {
    FillPrivilegeExpiry(p, response->add_expired_privileges());
  }
  return absl::OkStatus();
}

}  // namespace agora_token
