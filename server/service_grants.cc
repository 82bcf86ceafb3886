#include "server/service_grants.h"

#include "absl/strings/str_cat.h"
#include "core/input_rules.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;

// A 16-bit id of the wire format, checked before it is narrowed.
absl::StatusOr<uint16_t> Uint16Of(uint32_t value, const std::string& field) {
  if (value > 0xFFFF) return InvalidField(field, "must be at most 65535");
  return static_cast<uint16_t>(value);
}

}  // namespace

absl::StatusOr<std::vector<Rtm2Resource>> Rtm2ResourcesOf(
    const google::protobuf::RepeatedPtrField<v1::Rtm2Resource>& resources,
    const std::string& path) {
  std::vector<Rtm2Resource> out;
  out.reserve(resources.size());
  for (int i = 0; i < resources.size(); ++i) {
    const std::string at = absl::StrCat(path, "[", i, "]");
    absl::StatusOr<uint16_t> type = Uint16Of(resources[i].resource_type(), at + ".resource_type");
    if (!type.ok()) return type.status();
    Rtm2Resource& resource = out.emplace_back();
    resource.resource_type = *type;
    for (int k = 0; k < resources[i].permissions_size(); ++k) {
      const v1::Rtm2Permission& permission = resources[i].permissions(k);
      const std::string at_permission = absl::StrCat(at, ".permissions[", k, "]");
      absl::StatusOr<uint16_t> permission_type =
          Uint16Of(permission.permission_type(), at_permission + ".permission_type");
      if (!permission_type.ok()) return permission_type.status();
      if (!permission.names_bytes().empty()) {
        return InvalidField(at_permission + ".names_bytes", "is set only in responses; use names");
      }
      resource.permissions.push_back(Rtm2Permission{
          *permission_type, {permission.names().begin(), permission.names().end()}});
    }
  }
  return out;
}

absl::StatusOr<ServiceGrant> ServiceGrantOf(const v1::ServiceGrant& from, const std::string& path) {
  ServiceGrant to;
  absl::StatusOr<uint16_t> type = Uint16Of(static_cast<uint32_t>(from.type()), path + ".type");
  if (!type.ok()) return type.status();
  to.type = *type;
  for (int k = 0; k < from.privileges_size(); ++k) {
    absl::StatusOr<uint16_t> id = Uint16Of(from.privileges(k).privilege(),
                                           absl::StrCat(path, ".privileges[", k, "].privilege"));
    if (!id.ok()) return id.status();
    to.privileges.push_back({*id, from.privileges(k).expire_seconds()});
  }
  to.channel_name = from.channel_name();
  to.account = from.account();
  to.user_id = from.user_id();
  to.room_uuid = from.room_uuid();
  to.user_uuid = from.user_uuid();
  if (from.has_role()) to.role = from.role();
  absl::StatusOr<std::vector<Rtm2Resource>> resources =
      Rtm2ResourcesOf(from.rtm2_resources(), path + ".rtm2_resources");
  if (!resources.ok()) return resources.status();
  to.rtm2_resources = *std::move(resources);
  return to;
}

}  // namespace agora_token
