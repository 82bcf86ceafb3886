// The general AccessToken2 builder: validates each ServiceGrant against the
// fields and privilege ids of its type, then packs the services in ascending
// type (stable) the way the reference builders do (docs/token-format.md).
#include "core/access_token2.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "core/app_key_internal.h"
#include "core/byte_io.h"
#include "core/expiry.h"
#include "core/input_rules.h"
#include "core/token007_internal.h"

namespace agora_token {
namespace {

// What a service type carries besides its privileges.
enum class Fields { kNone, kChannel, kUserId, kOptionalUserId, kApaas, kRtm2 };

struct TypeRules {
  uint16_t max_privilege = 0;  // valid ids are 1..max_privilege
  Fields fields = Fields::kNone;
};

std::optional<TypeRules> RulesOf(uint16_t type) {
  switch (type) {
    case kServiceRtc:
      return TypeRules{kRtcPublishData, Fields::kChannel};
    case kServiceRtm:
      return TypeRules{kRtmLogin, Fields::kUserId};
    case kServiceStreaming:
      return TypeRules{kStreamingPublishRawStream, Fields::kChannel};
    case kServiceFpa:
      return TypeRules{kFpaLogin, Fields::kNone};
    case kServiceChat:
      return TypeRules{kChatApp, Fields::kOptionalUserId};
    case kServiceFcdn:
      return TypeRules{kFcdnPlay, Fields::kChannel};
    case kServiceApaas:
      return TypeRules{kApaasApp, Fields::kApaas};
    case kServiceRtm2:
      return TypeRules{kRtm2Login, Fields::kRtm2};
    case kServiceConvoAi:
    case kServiceStt:
      return TypeRules{0, Fields::kNone};  // the references grant them nothing
  }
  return std::nullopt;
}

absl::Status NotOfType(const std::string& path, std::string_view field, uint16_t type) {
  return InvalidField(absl::StrCat(path, ".", std::string(field)),
                      absl::StrCat("a ", std::string(ServiceTypeName(type)),
                                   " service has no such field; leave it unset"));
}

absl::Status ValidatePrivileges(const ServiceGrant& grant, uint16_t max_privilege,
                                const std::string& path) {
  std::array<bool, 5> seen{};  // no type has more than four privileges
  for (size_t k = 0; k < grant.privileges.size(); ++k) {
    const uint16_t id = grant.privileges[k].privilege;
    const std::string field = absl::StrCat(path, ".privileges[", k, "].privilege");
    if (max_privilege == 0) {
      return InvalidField(field, absl::StrCat("a ", std::string(ServiceTypeName(grant.type)),
                                              " service takes no privileges"));
    }
    if (id < 1 || id > max_privilege) {
      return InvalidField(
          field, absl::StrCat("must be 1 to ", max_privilege, " for a ",
                              std::string(ServiceTypeName(grant.type)), " service, got ", id));
    }
    if (seen[id]) return InvalidField(field, absl::StrCat("privilege ", id, " appears twice"));
    seen[id] = true;
  }
  return absl::OkStatus();
}

absl::Status ValidateFields(const ServiceGrant& g, Fields fields, const std::string& path) {
  const auto at = [&](std::string_view field) { return path + "." + std::string(field); };
  absl::Status status;
  // Fields the type lacks must stay unset, so a mistyped grant fails loudly.
  if (fields != Fields::kChannel) {
    if (!g.channel_name.empty()) return NotOfType(path, "channel_name", g.type);
    if (!g.account.empty()) return NotOfType(path, "account", g.type);
  }
  if (fields != Fields::kUserId && fields != Fields::kOptionalUserId && fields != Fields::kRtm2 &&
      !g.user_id.empty()) {
    return NotOfType(path, "user_id", g.type);
  }
  if (fields != Fields::kApaas) {
    if (!g.room_uuid.empty()) return NotOfType(path, "room_uuid", g.type);
    if (!g.user_uuid.empty()) return NotOfType(path, "user_uuid", g.type);
    if (g.role.has_value()) return NotOfType(path, "role", g.type);
  }
  if (fields != Fields::kRtm2 && !g.rtm2_resources.empty()) {
    return NotOfType(path, "rtm2_resources", g.type);
  }

  switch (fields) {
    case Fields::kNone:
      break;
    case Fields::kChannel:
      if (!g.account.empty()) {
        status = ValidateAccount(g.account, at("account"));
        if (!status.ok()) return status;
      }
      // Only RTC grants take the wildcard channel.
      return g.type == kServiceRtc
                 ? ValidateRtcChannel007(g.channel_name, g.account, at("channel_name"))
                 : ValidateChannelName(g.channel_name, at("channel_name"));
    case Fields::kOptionalUserId:
      if (g.user_id.empty()) break;
      return ValidateUserId(g.user_id, at("user_id"));
    case Fields::kUserId:
      return ValidateUserId(g.user_id, at("user_id"));
    case Fields::kRtm2:
      status = ValidateUserId(g.user_id, at("user_id"));
      if (!status.ok()) return status;
      return ValidateRtm2Resources(g.rtm2_resources, at("rtm2_resources"));
    case Fields::kApaas:
      // Agora's docs: the room uuid is also the RTC/RTM channel name.
      if (!g.room_uuid.empty()) {
        status = ValidateChannelName(g.room_uuid, at("room_uuid"));
        if (!status.ok()) return status;
      }
      if (!g.user_uuid.empty()) {
        status = ValidateUuid(g.user_uuid, at("user_uuid"));
        if (!status.ok()) return status;
      }
      if (g.role.has_value()) return ValidateApaasRole(*g.role, at("role"));
      break;
  }
  return absl::OkStatus();
}

absl::Status ValidateGrant(const ServiceGrant& grant, const std::string& path) {
  const std::optional<TypeRules> rules = RulesOf(grant.type);
  if (!rules.has_value()) {
    return InvalidField(path + ".type", absl::StrCat("must be a service type from 1 to ",
                                                     int{kServiceStt}, ", got ", grant.type));
  }
  absl::Status status = ValidatePrivileges(grant, rules->max_privilege, path);
  if (!status.ok()) return status;
  return ValidateFields(grant, rules->fields, path);
}

void PutU16(std::string& out, uint16_t v) {
  char bytes[2];
  ByteWriter(bytes).U16(v);
  out.append(bytes, 2);
}

void PutU32(std::string& out, uint32_t v) { out.append(AsStringView(U32Bytes(v))); }

void PutStr(std::string& out, std::string_view s) {
  PutU16(out, static_cast<uint16_t>(s.size()));
  out.append(s);
}

// service = u16(type) + map16_32(privileges) + fields of that type.
void PutService(std::string& out, const ServiceGrant& g) {
  PutU16(out, g.type);
  PutU16(out, static_cast<uint16_t>(g.privileges.size()));
  for (const PrivilegeValue& p : g.privileges) {
    PutU16(out, p.privilege);
    PutU32(out, p.value);
  }
  switch (g.type) {
    case kServiceRtc:
    case kServiceStreaming:
    case kServiceFcdn:
      PutStr(out, g.channel_name);
      PutStr(out, g.account);
      break;
    case kServiceRtm:
    case kServiceChat:
      PutStr(out, g.user_id);
      break;
    case kServiceApaas:
      PutStr(out, g.room_uuid);
      PutStr(out, g.user_uuid);
      PutU16(out, static_cast<uint16_t>(static_cast<int16_t>(g.role.value_or(kApaasNoRole))));
      break;
    case kServiceRtm2:
      PutStr(out, g.user_id);
      PutU16(out, static_cast<uint16_t>(g.rtm2_resources.size()));
      for (const Rtm2Resource& resource : g.rtm2_resources) {
        PutU16(out, resource.resource_type);
        PutU16(out, static_cast<uint16_t>(resource.permissions.size()));
        for (const Rtm2Permission& permission : resource.permissions) {
          PutU16(out, permission.permission_type);
          PutU16(out, static_cast<uint16_t>(permission.names.size()));
          for (const std::string& name : permission.names) PutStr(out, name);
        }
      }
      break;
  }
}

// The references keep privileges and RTM2 types in maps, so they come out in
// ascending id; names keep their order.
void SortLikeTheReferences(ServiceGrant& g) {
  const auto by_privilege = [](const PrivilegeValue& a, const PrivilegeValue& b) {
    return a.privilege < b.privilege;
  };
  std::sort(g.privileges.begin(), g.privileges.end(), by_privilege);
  std::sort(g.rtm2_resources.begin(), g.rtm2_resources.end(),
            [](const Rtm2Resource& a, const Rtm2Resource& b) {
              return a.resource_type < b.resource_type;
            });
  for (Rtm2Resource& resource : g.rtm2_resources) {
    std::sort(resource.permissions.begin(), resource.permissions.end(),
              [](const Rtm2Permission& a, const Rtm2Permission& b) {
                return a.permission_type < b.permission_type;
              });
  }
}

}  // namespace

absl::StatusOr<BuiltToken> PackServices(const AppKey& app, const Issuance& at, uint32_t expire,
                                        std::vector<ServiceGrant> services,
                                        Compression compression) {
  std::stable_sort(services.begin(), services.end(),
                   [](const ServiceGrant& a, const ServiceGrant& b) { return a.type < b.type; });
  std::string payload(kSignatureField, '\0');
  PutStr(payload, app.app_id());
  PutU32(payload, at.issue_ts);
  PutU32(payload, expire);
  PutU32(payload, at.salt);
  PutU16(payload, static_cast<uint16_t>(services.size()));
  for (ServiceGrant& service : services) {
    SortLikeTheReferences(service);
    PutService(payload, service);
  }
  BuiltToken built = Finish007(app, at, expire, payload, compression);
  if (built.token.size() > kMaxTokenLength) {
    // Our own decoder, and the gRPC layer, refuse longer tokens.
    return InvalidField(
        "services",
        absl::StrCat("the token would be ", built.token.size(), " characters, more than the ",
                     kMaxTokenLength, " a token may have; grant fewer or shorter names"));
  }
  for (const ServiceGrant& service : services) {
    for (const PrivilegeValue& p : service.privileges) {
      built.privileges.push_back(
          {service.type, p.privilege, EffectiveExpiry007(at.issue_ts, p.value, built.expire_ts)});
    }
  }
  return built;
}

absl::StatusOr<BuiltToken> BuildAccessToken2(const AppKey& app, const AccessToken2Params& params,
                                             const Issuance& at, Compression compression) {
  if (params.services.empty() || params.services.size() > kMaxServicesPerToken) {
    return InvalidField("services", absl::StrCat("must hold 1 to ", kMaxServicesPerToken,
                                                 " services, got ", params.services.size()));
  }
  for (size_t i = 0; i < params.services.size(); ++i) {
    absl::Status status = ValidateGrant(params.services[i], absl::StrCat("services[", i, "]"));
    if (!status.ok()) return status;
  }
  absl::Status status = ValidateIssue(at);
  if (!status.ok()) return status;
  return PackServices(app, at, StoredTokenExpire(params.token_expire), params.services,
                      compression);
}

absl::StatusOr<BuiltToken> BuildAccessToken2(const AppCredentials& app,
                                             const AccessToken2Params& params, const Issuance& at,
                                             Compression compression) {
  return WithAppKey(
      app, [&](const AppKey& key) { return BuildAccessToken2(key, params, at, compression); });
}

}  // namespace agora_token
