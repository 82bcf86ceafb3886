#include "core/input_rules.h"

#include <array>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace agora_token {
namespace {

// Payload type URL carrying the name of the invalid field.
constexpr char kFieldPayloadUrl[] = "type.agora.token/invalid-field";

constexpr char kAllowedPunctuation[] = " !#$%&()+-:;<=.>?@[]^_{}|~,";

constexpr std::array<bool, 256> MakeAllowedTable() {
  std::array<bool, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (const char* p = kAllowedPunctuation; *p != '\0'; ++p)
    table[static_cast<unsigned char>(*p)] = true;
  return table;
}
constexpr std::array<bool, 256> kAllowed = MakeAllowedTable();

#if !defined(__SSE2__)
constexpr std::array<bool, 256> MakeHexTable() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'f'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'F'; ++c) table[c] = true;
  return table;
}
constexpr std::array<bool, 256> kHex = MakeHexTable();
#endif

absl::Status ValidateHex32(std::string_view value, std::string_view field) {
  if (value.size() != kAppIdLength) {
    return InvalidField(field, absl::StrCat("must be exactly 32 hexadecimal characters, got ",
                                            value.size(), " characters"));
  }
  bool all_hex = true;  // no early exit
#if defined(__SSE2__)
  // Both halves at once: every decode and verification checks an app id
  // or certificate.
  for (size_t i = 0; i < kAppIdLength; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(value.data() + i));
    const auto in_range = [&x](char low, char high) {
      return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(static_cast<char>(low - 1))),
                           _mm_cmplt_epi8(x, _mm_set1_epi8(static_cast<char>(high + 1))));
    };
    const __m128i hex =
        _mm_or_si128(in_range('0', '9'), _mm_or_si128(in_range('a', 'f'), in_range('A', 'F')));
    all_hex &= _mm_movemask_epi8(hex) == 0xffff;
  }
#else
  for (char c : value) all_hex &= kHex[static_cast<unsigned char>(c)];
#endif
  if (!all_hex) return InvalidField(field, "must be exactly 32 hexadecimal characters");
  return absl::OkStatus();
}

// The position of the first disallowed byte, or npos.
size_t FirstDisallowed(std::string_view s) {
  // Valid names are the rule: one pass without an exit per byte first.
  bool all_allowed = true;
  size_t i = 0;
#if defined(__SSE2__)
  // Sixteen bytes a step: the allowed set is printable ASCII (0x20-0x7e)
  // without " ' * / \ and `.
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const __m128i printable =
        _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x1f)), _mm_cmplt_epi8(x, _mm_set1_epi8(0x7f)));
    __m128i excluded = _mm_cmpeq_epi8(x, _mm_set1_epi8('"'));
    for (const char c : {'\'', '*', '/', '\\', '`'}) {
      excluded = _mm_or_si128(excluded, _mm_cmpeq_epi8(x, _mm_set1_epi8(c)));
    }
    all_allowed &= _mm_movemask_epi8(_mm_andnot_si128(excluded, printable)) == 0xffff;
  }
#endif
  for (; i < s.size(); ++i) all_allowed &= kAllowed[static_cast<unsigned char>(s[i])];
  if (all_allowed) return std::string_view::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!kAllowed[static_cast<unsigned char>(s[i])]) return i;
  }
  return std::string_view::npos;
}

absl::Status ValidateNameChars(std::string_view value, std::string_view field) {
  const size_t bad = FirstDisallowed(value);
  if (bad == std::string_view::npos) return absl::OkStatus();
  // Name the position, not the byte: the value may be sensitive or binary.
  return InvalidField(field, absl::StrCat("byte ", bad,
                                          " is outside the allowed set (a-z, A-Z, 0-9, space and "
                                          "!#$%&()+-:;<=.>?@[]^_{}|~,)"));
}

// 1 to max_bytes bytes.
absl::Status ValidateLength(std::string_view value, size_t max_bytes, std::string_view field) {
  if (value.empty()) {
    return InvalidField(field,
                        absl::StrCat("must be 1 to ", max_bytes, " bytes, got an empty string"));
  }
  if (value.size() > max_bytes) {
    return InvalidField(field,
                        absl::StrCat("must be at most ", max_bytes, " bytes, got ", value.size()));
  }
  return absl::OkStatus();
}

// Length of the UTF-8 sequence starting at s[i] (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 if it is invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t length;
  unsigned char low = 0x80, high = 0xbf;  // range of the second byte
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 == 0xe0) low = 0xa0;
    if (b0 == 0xed) high = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 == 0xf0) low = 0x90;
    if (b0 == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (s.size() - i < length) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return length;
}

std::string Indexed(std::string_view field, std::string_view member, size_t index) {
  return absl::StrCat(std::string(field), std::string(member), "[", index, "]");
}

absl::Status ValidateRtm2Permission(const Rtm2Permission& permission, uint16_t resource_type,
                                    const std::string& field, size_t* names_in_token) {
  if (permission.permission_type > kMaxRtm2PermissionType) {
    return InvalidField(
        field + ".permission_type",
        absl::StrCat("must be 0 (read) or 1 (write), got ", permission.permission_type));
  }
  if (permission.names.empty()) {
    return InvalidField(field + ".names", "must name at least one resource");
  }
  *names_in_token += permission.names.size();
  if (*names_in_token > kMaxRtm2NamesPerToken) {
    return InvalidField(
        field + ".names",
        absl::StrCat("a token may name at most ", kMaxRtm2NamesPerToken, " RTM2 resources in all"));
  }
  for (size_t k = 0; k < permission.names.size(); ++k) {
    const std::string name_field = Indexed(field, ".names", k);
    const absl::Status status = resource_type == 4
                                    ? ValidateUserId(permission.names[k], name_field)
                                    : ValidateChannelName(permission.names[k], name_field);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status InvalidField(std::string_view field, std::string_view rule) {
  // Debian's Abseil has its own string_view type: go through std::string.
  std::string message(field);
  message.append(": ").append(rule);
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kFieldPayloadUrl, absl::Cord(std::string(field)));
  return status;
}

std::optional<std::string> InvalidFieldName(const absl::Status& status) {
  absl::optional<absl::Cord> field = status.GetPayload(kFieldPayloadUrl);
  if (!field.has_value()) return std::nullopt;
  return std::string(*field);
}

bool IsAllowedNameChar(char c) { return kAllowed[static_cast<unsigned char>(c)]; }

absl::Status ValidateAppId(std::string_view app_id) { return ValidateHex32(app_id, "app_id"); }

absl::Status ValidateAppCertificate(std::string_view app_certificate) {
  return ValidateHex32(app_certificate, "app_certificate");
}

absl::Status ValidateChannelName(std::string_view channel_name, std::string_view field) {
  if (channel_name.empty()) return InvalidField(field, "must not be empty");
  if (channel_name.size() > kMaxChannelNameBytes) {
    return InvalidField(field, absl::StrCat("must be at most 64 bytes, got ", channel_name.size()));
  }
  return ValidateNameChars(channel_name, field);
}

absl::Status ValidateAccount(std::string_view account, std::string_view field) {
  absl::Status status = ValidateLength(account, kMaxAccountBytes, field);
  if (!status.ok()) return status;
  return ValidateNameChars(account, field);
}

absl::Status ValidateRtcChannel007(std::string_view channel_name, std::string_view account,
                                   std::string_view field) {
  if (channel_name != kWildcardChannel) return ValidateChannelName(channel_name, field);
  if (account.empty()) {
    return InvalidField(field,
                        "the wildcard channel \"*\" needs a non-zero uid or an account: a "
                        "wildcard token for uid 0 would let anyone join every channel");
  }
  return absl::OkStatus();
}

absl::Status ValidateUserId(std::string_view user_id, std::string_view field) {
  absl::Status status = ValidateLength(user_id, kMaxUserIdBytes, field);
  if (!status.ok()) return status;
  return ValidateNameChars(user_id, field);
}

absl::Status ValidateUuid(std::string_view uuid, std::string_view field) {
  absl::Status status = ValidateLength(uuid, kMaxUuidBytes, field);
  if (!status.ok()) return status;
  for (size_t i = 0; i < uuid.size();) {
    if (uuid[i] == '\0') return InvalidField(field, absl::StrCat("byte ", i, " is NUL"));
    const size_t length = Utf8SequenceLength(uuid, i);
    if (length == 0) {
      return InvalidField(field, absl::StrCat("byte ", i, " starts no valid UTF-8 character"));
    }
    i += length;
  }
  return absl::OkStatus();
}

absl::Status ValidateApaasRole(int32_t role, std::string_view field) {
  if (role < kApaasNoRole || role > kMaxApaasRole) {
    return InvalidField(field, absl::StrCat("must be -1 (none) to 32767, got ", role));
  }
  return absl::OkStatus();
}

absl::Status ValidateRtm2Resources(const std::vector<Rtm2Resource>& resources,
                                   std::string_view field) {
  std::array<bool, kMaxRtm2ResourceType + 1> seen_resource{};
  size_t names_in_token = 0;
  for (size_t i = 0; i < resources.size(); ++i) {
    const Rtm2Resource& resource = resources[i];
    const std::string resource_field = Indexed(field, "", i);
    if (resource.resource_type > kMaxRtm2ResourceType) {
      return InvalidField(resource_field + ".resource_type",
                          absl::StrCat("must be 0 to 4 (message, stream, group channels, server "
                                       "groups, users), got ",
                                       resource.resource_type));
    }
    if (seen_resource[resource.resource_type]) {
      return InvalidField(resource_field + ".resource_type",
                          absl::StrCat("resource type ", resource.resource_type,
                                       " appears twice; give each type once"));
    }
    seen_resource[resource.resource_type] = true;
    if (resource.permissions.empty()) {
      return InvalidField(resource_field + ".permissions", "must hold at least one permission");
    }
    std::array<bool, kMaxRtm2PermissionType + 1> seen_permission{};
    for (size_t j = 0; j < resource.permissions.size(); ++j) {
      const std::string permission_field = Indexed(resource_field, ".permissions", j);
      const Rtm2Permission& permission = resource.permissions[j];
      absl::Status status = ValidateRtm2Permission(permission, resource.resource_type,
                                                   permission_field, &names_in_token);
      if (!status.ok()) return status;
      if (seen_permission[permission.permission_type]) {
        return InvalidField(permission_field + ".permission_type",
                            absl::StrCat("permission type ", permission.permission_type,
                                         " appears twice in one resource; give each type once"));
      }
      seen_permission[permission.permission_type] = true;
    }
  }
  return absl::OkStatus();
}

}  // namespace agora_token
