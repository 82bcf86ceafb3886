// Decoder, signature verifier and expiry check for 006 and 007 tokens.
// Hostile input is the normal case here: every length is checked against
// what is left, every count against what the input can hold, and inflation
// is bounded, so no input can crash, loop or allocate without limit.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/base64.h"
#include "core/byte_io.h"
#include "core/compression.h"
#include "core/crypto.h"
#include "core/expiry.h"
#include "core/input_rules.h"
#include "core/signing.h"
#include "core/token.h"

namespace agora_token {
namespace {

constexpr size_t kVersionLength = 3;

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(std::string("token: ").append(what));
}

absl::Status CheckAppId(std::string_view app_id) {
  if (!ValidateAppId(app_id).ok()) return Malformed("app id is not 32 hexadecimal characters");
  return absl::OkStatus();
}

absl::Status CheckSignatureSize(std::string_view signature) {
  if (signature.size() != kSha256Size) return Malformed("signature is not 32 bytes");
  return absl::OkStatus();
}

absl::StatusOr<DecodedToken> Decode006(std::string_view token) {
  DecodedToken decoded;
  decoded.version = TokenVersion::k006;
  if (token.size() < kVersionLength + kAppIdLength) return Malformed("truncated before the app id");
  decoded.app_id = std::string(token.substr(kVersionLength, kAppIdLength));
  absl::Status status = CheckAppId(decoded.app_id);
  if (!status.ok()) return status;

  thread_local std::string content;  // reused: nothing points into it after the decode
  if (!Base64DecodeStrict(token.substr(kVersionLength + kAppIdLength), &content)) {
    return Malformed("content is not canonical base64");
  }
  ByteReader reader(content);
  decoded.signature = std::string(reader.Str());
  decoded.crc_channel_name = reader.U32();
  decoded.crc_uid = reader.U32();
  const std::string_view message = reader.Str();
  if (!reader.ok()) return Malformed("truncated or inconsistent 006 content");
  if (reader.remaining() != 0) return Malformed("trailing bytes after the 006 message");
  status = CheckSignatureSize(decoded.signature);
  if (!status.ok()) return status;

  ByteReader m(message);
  decoded.salt = m.U32();
  decoded.ts = m.U32();
  decoded.privileges_006 = m.PrivilegeMap();
  if (!m.ok()) return Malformed("truncated or inconsistent 006 message");
  if (m.remaining() != 0) return Malformed("trailing bytes inside the 006 message");
  decoded.signed_bytes = std::string(message);
  return decoded;
}

// Reads the type-specific fields of a known 007 service.
void ReadServiceFields(ByteReader& r, DecodedService& service) {
  switch (service.type) {
    case kServiceRtc:
    case kServiceStreaming:
    case kServiceFcdn:
      service.channel_name = std::string(r.Str());
      service.account = std::string(r.Str());
      break;
    case kServiceRtm:
    case kServiceChat:
      service.user_id = std::string(r.Str());
      break;
    case kServiceFpa:
    case kServiceConvoAi:
    case kServiceStt:
      break;
    case kServiceApaas:
      service.room_uuid = std::string(r.Str());
      service.user_uuid = std::string(r.Str());
      service.role = r.I16();
      break;
    case kServiceRtm2: {
      service.user_id = std::string(r.Str());
      const uint16_t resources = r.Count(4);  // type + permission count
      for (uint16_t i = 0; i < resources && r.ok(); ++i) {
        Rtm2Resource resource;
        resource.resource_type = r.U16();
        const uint16_t permissions = r.Count(4);  // type + name count
        for (uint16_t j = 0; j < permissions && r.ok(); ++j) {
          Rtm2Permission permission;
          permission.permission_type = r.U16();
          const uint16_t names = r.Count(2);  // each name has a u16 length
          for (uint16_t k = 0; k < names && r.ok(); ++k) {
            permission.names.emplace_back(r.Str());
          }
          resource.permissions.push_back(std::move(permission));
        }
        service.rtm2_resources.push_back(std::move(resource));
      }
      break;
    }
  }
}

bool IsKnownServiceType(uint16_t type) { return type >= kServiceRtc && type <= kServiceStt; }

absl::StatusOr<DecodedToken> Decode007(std::string_view token) {
  DecodedToken decoded;
  decoded.version = TokenVersion::k007;
  // Scratch reused per thread: the decoded token copies what it keeps.
  thread_local std::string compressed;
  thread_local std::string payload;
  if (!Base64DecodeStrict(token.substr(kVersionLength), &compressed)) {
    return Malformed("content is not canonical base64");
  }
  absl::Status status = ZlibDecompress(compressed, kMaxInflatedPayload, &payload);
  if (!status.ok()) return status;

  ByteReader reader(payload);
  decoded.signature = std::string(reader.Str());
  if (!reader.ok()) return Malformed("truncated before the signature");
  status = CheckSignatureSize(decoded.signature);
  if (!status.ok()) return status;
  const std::string_view signing_info = reader.rest();

  decoded.app_id = std::string(reader.Str());
  decoded.issue_ts = reader.U32();
  decoded.expire = reader.U32();
  decoded.salt = reader.U32();
  const uint16_t service_count = reader.Count(4);  // type + privilege count
  if (!reader.ok()) return Malformed("truncated or inconsistent 007 header");
  status = CheckAppId(decoded.app_id);
  if (!status.ok()) return status;

  for (uint16_t i = 0; i < service_count; ++i) {
    const uint16_t type = reader.U16();
    if (!reader.ok()) return Malformed("truncated or inconsistent 007 service list");
    if (!IsKnownServiceType(type)) {
      // Layout unknown: stop here. The signature still covers the rest.
      decoded.unknown_service_type = type;
      break;
    }
    DecodedService& service = decoded.services.emplace_back();  // filled in place
    service.type = type;
    service.privileges = reader.PrivilegeMap();
    ReadServiceFields(reader, service);
    if (!reader.ok()) {
      return Malformed(std::string("truncated or inconsistent ")
                           .append(ServiceTypeName(service.type))
                           .append(" service"));
    }
  }
  if (!decoded.unknown_service_type.has_value() && reader.remaining() != 0) {
    return Malformed("trailing bytes after the last service");
  }
  decoded.signed_bytes = std::string(signing_info);
  return decoded;
}

absl::Status SignatureMismatch() {
  // One message for every failure: a caller learns nothing about which part
  // (certificate, channel, uid, bytes) was wrong.
  return absl::PermissionDeniedError("token signature does not match");
}

}  // namespace

absl::StatusOr<DecodedToken> DecodeToken(std::string_view token) {
  if (token.empty()) return Malformed("empty");
  if (token.size() > kMaxTokenLength) {
    return Malformed(absl::StrCat("longer than ", kMaxTokenLength, " characters"));
  }
  if (token.size() < kVersionLength) return Malformed("shorter than its version prefix");
  const std::string_view version = token.substr(0, kVersionLength);
  if (version == "006") return Decode006(token);
  if (version == "007") return Decode007(token);
  return Malformed("unsupported version prefix (expected 006 or 007)");
}

absl::Status VerifySignature(const DecodedToken& token, std::string_view app_certificate,
                             const Token006Subject* subject) {
  absl::Status status = ValidateAppCertificate(app_certificate);
  if (!status.ok()) return status;
  if (token.version == TokenVersion::k006) {
    if (subject == nullptr) {
      return InvalidField("channel_name",
                          "a 006 token carries only checksums of its channel and uid: give "
                          "both to verify it");
    }
    const Sha256Digest expected =
        Sign006(HmacSha256Key(app_certificate), token.app_id, subject->channel_name,
                subject->uid_str, token.signed_bytes);
    // Evaluate every check before deciding, so timing does not tell which failed.
    const bool crc_ok = (Crc32(subject->channel_name) == token.crc_channel_name) &
                        (Crc32(subject->uid_str) == token.crc_uid);
    const bool signature_ok = ConstantTimeEquals(AsStringView(expected), token.signature);
    return crc_ok && signature_ok ? absl::OkStatus() : SignatureMismatch();
  }
  const Sha256Digest expected =
      Sign007(app_certificate, token.issue_ts, token.salt, token.signed_bytes);
  return ConstantTimeEquals(AsStringView(expected), token.signature) ? absl::OkStatus()
                                                                     : SignatureMismatch();
}

ExpiryReport CheckExpiry(const DecodedToken& token, uint32_t now) {
  ExpiryReport report;
  if (token.version == TokenVersion::k006) {
    report.token_expire_ts = token.ts;
    for (const PrivilegeValue& p : token.privileges_006) {
      report.privileges.push_back({0, p.privilege, EffectiveExpiry006(p.value, token.ts)});
    }
  } else {
    report.token_expire_ts = AddSeconds(token.issue_ts, token.expire);
    for (const DecodedService& service : token.services) {
      for (const PrivilegeValue& p : service.privileges) {
        report.privileges.push_back(
            {service.type, p.privilege,
             EffectiveExpiry007(token.issue_ts, p.value, report.token_expire_ts)});
      }
    }
  }
  // A token (or privilege) is still valid during its expiry second.
  if (now > report.token_expire_ts) {
    report.state = ExpiryReport::State::kTokenExpired;
    return report;
  }
  for (const PrivilegeExpiry& p : report.privileges) {
    if (now > p.expire_ts) report.expired_privileges.push_back(p);
  }
  if (!report.expired_privileges.empty()) report.state = ExpiryReport::State::kPrivilegeExpired;
  return report;
}

std::string_view ExpiryStateName(ExpiryReport::State state) {
  switch (state) {
    case ExpiryReport::State::kValid:
      return "valid";
    case ExpiryReport::State::kTokenExpired:
      return "token_expired";
    case ExpiryReport::State::kPrivilegeExpired:
      return "privilege_expired";
  }
  return "unknown";
}

std::string_view ServiceTypeName(uint16_t type) {
  switch (type) {
    case kServiceRtc:
      return "rtc";
    case kServiceRtm:
      return "rtm";
    case kServiceStreaming:
      return "streaming";
    case kServiceFpa:
      return "fpa";
    case kServiceChat:
      return "chat";
    case kServiceFcdn:
      return "fcdn";
    case kServiceApaas:
      return "apaas";
    case kServiceRtm2:
      return "rtm2";
    case kServiceConvoAi:
      return "convo_ai";
    case kServiceStt:
      return "stt";
  }
  return "unknown";
}

}  // namespace agora_token
