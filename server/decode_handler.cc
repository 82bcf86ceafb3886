#include "server/decode_handler.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/input_rules.h"
#include "server/issued_token.h"
#include "server/utf8.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;

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

// Sets a proto3 string from token bytes: as is when they are valid UTF-8,
// else readable (U+FFFD for bad bytes) with the exact bytes in the twin.
void SetText(const std::string& bytes, std::string* text, std::string* twin) {
  if (IsValidUtf8(bytes)) {
    *text = bytes;
  } else {
    *text = ReplaceInvalidUtf8(bytes);
    *twin = bytes;
  }
}

void FillDecodedService(const DecodedService& from, v1::DecodedService* to) {
  to->set_type(ServiceToProto(from.type));
  SetText(from.channel_name, to->mutable_channel_name(), to->mutable_channel_name_bytes());
  SetText(from.account, to->mutable_account(), to->mutable_account_bytes());
  SetText(from.user_id, to->mutable_user_id(), to->mutable_user_id_bytes());
  SetText(from.room_uuid, to->mutable_room_uuid(), to->mutable_room_uuid_bytes());
  SetText(from.user_uuid, to->mutable_user_uuid(), to->mutable_user_uuid_bytes());
  to->set_role(from.role);
  for (const Rtm2Resource& resource : from.rtm2_resources) {
    v1::Rtm2Resource* r = to->add_rtm2_resources();
    r->set_resource_type(resource.resource_type);
    for (const Rtm2Permission& permission : resource.permissions) {
      v1::Rtm2Permission* p = r->add_permissions();
      p->set_permission_type(permission.permission_type);
      const bool all_text = std::all_of(permission.names.begin(), permission.names.end(),
                                        [](const std::string& name) { return IsValidUtf8(name); });
      for (const std::string& name : permission.names) {
        p->add_names(all_text ? name : ReplaceInvalidUtf8(name));
        if (!all_text) p->add_names_bytes(name);
      }
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

// DecodeToken up to its decision; `facts` gains the token's app and version.
// `app_id` holds the token's app id for `facts`, which points at it.
absl::Status Decode(const Call& call, const v1::DecodeTokenRequest& request,
                    v1::DecodeTokenResponse* response, TokenFacts& facts, std::string& app_id) {
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
  facts.version = decoded->version;
  app_id = decoded->app_id;
  facts.app_id = app_id;
  if (absl::Status admitted = call.caller.policy.CheckToken(facts); !admitted.ok()) {
    return admitted;
  }
  const AppCertificates* app = call.state.keyring->Find(decoded->app_id);
  if (app == nullptr) return absl::NotFoundError("app_id: this server holds no key for that app");

  // Only 006 uses the subject; 007 ignores it.
  if (decoded->version == TokenVersion::k006) {
    absl::Status status = ValidateSubjectSizes(request);
    if (!status.ok()) return status;
  }

  const ExpiryReport expiry = CheckExpiry(*decoded, call.clock.NowUnixSeconds());
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
      response->set_signature(SignedByApp(*decoded, *app, &**subject)
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
    response->set_signature(SignedByApp(*decoded, *app, nullptr) ? v1::SIGNATURE_STATE_VALID
                                                                 : v1::SIGNATURE_STATE_INVALID);
  }
  response->set_expiry(ExpiryToProto(expiry.state));
  for (const PrivilegeExpiry& p : expiry.expired_privileges) {
    FillPrivilegeExpiry(p, response->add_expired_privileges());
  }
  return absl::OkStatus();
}

}  // namespace

TokenFacts FactsOf(const v1::DecodeTokenRequest& request) {
  TokenFacts facts;
  facts.decode = true;
  facts.channel_name = request.channel_name();
  if (request.subject_case() == v1::DecodeTokenRequest::kUid) facts.uid = request.uid();
  facts.account = request.subject_case() == v1::DecodeTokenRequest::kAccount
                      ? request.account()
                      : request.rtm_user_id();
  return facts;
}

absl::Status DecodeToken(const Call& call, const v1::DecodeTokenRequest& request,
                         v1::DecodeTokenResponse* response) {
  TokenFacts facts = FactsOf(request);
  std::string app_id;
  const absl::Status status = Decode(call, request, response, facts, app_id);
  call.Audit(&facts, status, request.token());
  return status;
}

}  // namespace agora_token
