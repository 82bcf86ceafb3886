#include "core/input_rules.h"

#include <array>

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

constexpr std::array<bool, 256> MakeHexTable() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'f'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'F'; ++c) table[c] = true;
  return table;
}
constexpr std::array<bool, 256> kHex = MakeHexTable();

absl::Status ValidateHex32(std::string_view value, std::string_view field) {
  if (value.size() != kAppIdLength) {
    return InvalidField(field, absl::StrCat("must be exactly 32 hexadecimal characters, got ",
                                            value.size(), " characters"));
  }
  bool all_hex = true;  // no early exit: one pass the compiler can unroll
  for (char c : value) all_hex &= kHex[static_cast<unsigned char>(c)];
  if (!all_hex) return InvalidField(field, "must be exactly 32 hexadecimal characters");
  return absl::OkStatus();
}

// The position of the first disallowed byte, or npos.
size_t FirstDisallowed(std::string_view s) {
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
  if (account.empty()) return InvalidField(field, "must be 1 to 255 bytes, got an empty string");
  if (account.size() > kMaxAccountBytes) {
    return InvalidField(field, absl::StrCat("must be at most 255 bytes, got ", account.size()));
  }
  return ValidateNameChars(account, field);
}

}  // namespace agora_token
