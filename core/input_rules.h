// Input rules from the product document (the seed), shared by every builder
// and by the server's request validation. Each check returns OK or an
// InvalidArgument error whose message is "<field>: <rule>" and whose payload
// names the field, so the gRPC layer can report it as a field violation.
#ifndef AGORA_TOKEN_CORE_INPUT_RULES_H_
#define AGORA_TOKEN_CORE_INPUT_RULES_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace agora_token {

inline constexpr size_t kMaxChannelNameBytes = 64;
inline constexpr size_t kMaxAccountBytes = 255;
inline constexpr size_t kAppIdLength = 32;

// An InvalidArgument error for `field` breaking `rule`.
absl::Status InvalidField(std::string_view field, std::string_view rule);

// The field an InvalidField error names, if any.
std::optional<std::string> InvalidFieldName(const absl::Status& status);

// True for the 89 characters channel names and accounts may use.
bool IsAllowedNameChar(char c);

// 32 hexadecimal characters. The certificate's value never appears in the
// error.
absl::Status ValidateAppId(std::string_view app_id);
absl::Status ValidateAppCertificate(std::string_view app_certificate);

// At most 64 bytes from the allowed set. An empty name is rejected too: no
// SDK can join a channel without a name.
absl::Status ValidateChannelName(std::string_view channel_name,
                                 std::string_view field = "channel_name");

// 1 to 255 bytes from the allowed set.
absl::Status ValidateAccount(std::string_view account, std::string_view field = "account");

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_INPUT_RULES_H_
