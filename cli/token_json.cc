#include "cli/token_json.h"

#include <optional>

namespace agora_token::cli {
namespace {

std::optional<uint32_t> EffectiveExpiry(const ExpiryReport& expiry, uint16_t service_type,
                                        uint16_t privilege) {
  for (const PrivilegeExpiry& entry : expiry.privileges) {
    if (entry.service_type == service_type && entry.privilege == privilege) {
      return entry.expire_ts;
    }
  }
  return std::nullopt;
}

Json PrivilegeValueJson(uint16_t service_type, const PrivilegeValue& value,
                        const ExpiryReport& expiry) {
  Json json;
  json["privilege"] = value.privilege;
  json["name"] = PrivilegeName(service_type, value.privilege);
  json["value"] = value.value;
  std::optional<uint32_t> effective = EffectiveExpiry(expiry, service_type, value.privilege);
  json["expire_ts"] = effective.has_value() ? Json(*effective) : Json(nullptr);
  return json;
}

Json PrivilegeExpiryJson(const PrivilegeExpiry& privilege) {
  Json json;
  json["service"] = ServiceNameOf(privilege);
  json["privilege"] = PrivilegeName(privilege.service_type, privilege.privilege);
  json["privilege_id"] = privilege.privilege;
  json["expire_ts"] = privilege.expire_ts;
  return json;
}

Json Rtm2ResourcesJson(const std::vector<Rtm2Resource>& resources) {
  Json list = Json::array();
  for (const Rtm2Resource& resource : resources) {
    Json permissions = Json::array();
    for (const Rtm2Permission& permission : resource.permissions) {
      permissions.push_back(
          Json{{"permission_type", permission.permission_type}, {"names", permission.names}});
    }
    list.push_back(
        Json{{"resource_type", resource.resource_type}, {"permissions", std::move(permissions)}});
  }
  return list;
}

Json ServiceJson(const DecodedService& service, const ExpiryReport& expiry) {
  Json json;
  json["type"] = service.type;
  json["name"] = ServiceTypeName(service.type);
  Json privileges = Json::array();
  for (const PrivilegeValue& value : service.privileges) {
    privileges.push_back(PrivilegeValueJson(service.type, value, expiry));
  }
  json["privileges"] = std::move(privileges);
  // The fields each service type carries (docs/token-format.md).
  switch (service.type) {
    case kServiceRtc:
    case kServiceStreaming:
    case kServiceFcdn:
      json["channel_name"] = service.channel_name;
      json["account"] = service.account;
      break;
    case kServiceRtm:
    case kServiceChat:
      json["user_id"] = service.user_id;
      break;
    case kServiceFpa:
    case kServiceConvoAi:
    case kServiceStt:
      break;  // no fields
    case kServiceApaas:
      json["room_uuid"] = service.room_uuid;
      json["user_uuid"] = service.user_uuid;
      json["role"] = service.role;
      break;
    case kServiceRtm2:
      json["user_id"] = service.user_id;
      json["rtm2_resources"] = Rtm2ResourcesJson(service.rtm2_resources);
      break;
    default:
      json["channel_name"] = service.channel_name;
      json["account"] = service.account;
      json["user_id"] = service.user_id;
      json["room_uuid"] = service.room_uuid;
      json["user_uuid"] = service.user_uuid;
      json["role"] = service.role;
      json["rtm2_resources"] = Rtm2ResourcesJson(service.rtm2_resources);
      break;
  }
  return json;
}

}  // namespace

std::string_view VersionName(TokenVersion version) {
  return version == TokenVersion::k006 ? "006" : "007";
}

std::string_view PrivilegeName(uint16_t service_type, uint16_t privilege) {
  switch (service_type) {
    case 0:  // 006: one global id space
      switch (privilege) {
        case k006JoinChannel:
          return "join_channel";
        case k006PublishAudio:
          return "publish_audio_stream";
        case k006PublishVideo:
          return "publish_video_stream";
        case k006PublishData:
          return "publish_data_stream";
        case k006AdministrateChannel:
          return "administrate_channel";
        case k006RtmLogin:
          return "rtm_login";
      }
      break;
    case kServiceRtc:
      switch (privilege) {
        case kRtcJoinChannel:
          return "join_channel";
        case kRtcPublishAudio:
          return "publish_audio_stream";
        case kRtcPublishVideo:
          return "publish_video_stream";
        case kRtcPublishData:
          return "publish_data_stream";
      }
      break;
    case kServiceRtm:
    case kServiceFpa:
    case kServiceRtm2:
      if (privilege == 1) return "login";
      break;
    case kServiceStreaming:
      if (privilege == 1) return "publish_mix_stream";
      if (privilege == 2) return "publish_raw_stream";
      break;
    case kServiceChat:
      if (privilege == kChatUser) return "user";
      if (privilege == kChatApp) return "app";
      break;
    case kServiceFcdn:
      if (privilege == 1) return "publish";
      if (privilege == 2) return "play";
      break;
    case kServiceApaas:
      if (privilege == 1) return "room_user";
      if (privilege == 2) return "user";
      if (privilege == 3) return "app";
      break;
  }
  return "unknown";
}

std::string ServiceNameOf(const PrivilegeExpiry& privilege) {
  uint16_t service_type = privilege.service_type;
  if (service_type == 0) {
    service_type = privilege.privilege == k006RtmLogin ? kServiceRtm : kServiceRtc;
  }
  return std::string(ServiceTypeName(service_type));
}

Json BuiltTokenJson(const BuiltToken& built) {
  Json json;
  json["token"] = built.token;
  json["version"] = VersionName(built.version);
  json["issue_ts"] = built.issue_ts;
  json["salt"] = built.salt;
  json["expire_ts"] = built.expire_ts;
  Json privileges = Json::array();
  for (const PrivilegeExpiry& privilege : built.privileges) {
    privileges.push_back(PrivilegeExpiryJson(privilege));
  }
  json["privileges"] = std::move(privileges);
  return json;
}

Json DecodedTokenJson(const DecodedToken& token, const ExpiryReport& expiry, uint32_t now) {
  Json json;
  json["version"] = VersionName(token.version);
  json["app_id"] = token.app_id;
  json["salt"] = token.salt;
  if (token.version == TokenVersion::k006) {
    json["ts"] = token.ts;
    json["crc_channel_name"] = token.crc_channel_name;
    json["crc_uid"] = token.crc_uid;
    Json privileges = Json::array();
    for (const PrivilegeValue& value : token.privileges_006) {
      privileges.push_back(PrivilegeValueJson(0, value, expiry));
    }
    json["privileges"] = std::move(privileges);
  } else {
    json["issue_ts"] = token.issue_ts;
    json["expire"] = token.expire;
    Json services = Json::array();
    for (const DecodedService& service : token.services) {
      services.push_back(ServiceJson(service, expiry));
    }
    json["services"] = std::move(services);
    json["unknown_service_type"] =
        token.unknown_service_type.has_value() ? Json(*token.unknown_service_type) : Json(nullptr);
  }
  json["signature_hex"] = HexEncode(token.signature);
  json["signed_bytes_hex"] = HexEncode(token.signed_bytes);

  Json expired = Json::array();
  for (const PrivilegeExpiry& privilege : expiry.expired_privileges) {
    expired.push_back(PrivilegeExpiryJson(privilege));
  }
  json["expiry"] = Json{{"now", now},
                        {"state", ExpiryStateName(expiry.state)},
                        {"token_expire_ts", expiry.token_expire_ts},
                        {"expired_privileges", std::move(expired)}};
  return json;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (char c : bytes) {
    unsigned char byte = static_cast<unsigned char>(c);
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0f]);
  }
  return hex;
}

std::string DumpJson(const Json& json) {
  return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace agora_token::cli
