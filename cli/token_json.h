// JSON views of tokens for the CLI: what a builder produced (`build --json`)
// and everything a decoded token carries (`decode`). Binary fields (the
// signature, the signed bytes) are hex; the signature is public, as it travels
// in the token. No view ever holds an app certificate.
#ifndef AGORA_TOKEN_CLI_TOKEN_JSON_H_
#define AGORA_TOKEN_CLI_TOKEN_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/token.h"
#include "nlohmann/json.hpp"

namespace agora_token::cli {

// Keeps keys in insertion order, so the output reads top-down like the token.
using Json = nlohmann::ordered_json;

std::string_view VersionName(TokenVersion version);

// A name for privilege `privilege` of service `service_type` (0 for 006
// privileges, whose ids are global), e.g. "join_channel"; "unknown" if the
// id is not one the formats define.
std::string_view PrivilegeName(uint16_t service_type, uint16_t privilege);

// The service a privilege belongs to, by name; 006 privileges have no service
// type in the token, so theirs is inferred from the id (1000 is RTM login).
std::string ServiceNameOf(const PrivilegeExpiry& privilege);

// token, version, issue_ts, salt, expire_ts, privileges[{service, privilege,
// privilege_id, expire_ts}].
Json BuiltTokenJson(const BuiltToken& built);

// Every field of `token`, with each privilege's effective absolute expiry and
// the expiry state from `expiry` (computed at `now`).
Json DecodedTokenJson(const DecodedToken& token, const ExpiryReport& expiry, uint32_t now);

// Lower-case hex of arbitrary bytes.
std::string HexEncode(std::string_view bytes);

// Pretty-printed; invalid UTF-8 in decoded strings becomes U+FFFD rather
// than an exception, since decoded tokens are untrusted input.
std::string DumpJson(const Json& json);

}  // namespace agora_token::cli

#endif  // AGORA_TOKEN_CLI_TOKEN_JSON_H_
