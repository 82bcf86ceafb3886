// Command-line spellings of the core's enums, so main.cc declares typed
// flags (ABSL_FLAG(agora_token::TokenVersion, ...)) and only copies them.
#ifndef AGORA_TOKEN_SERVER_FLAG_TYPES_H_
#define AGORA_TOKEN_SERVER_FLAG_TYPES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "core/token.h"

namespace agora_token {

// "006" or "007".
bool AbslParseFlag(absl::string_view text, TokenVersion* version, std::string* error);
std::string AbslUnparseFlag(TokenVersion version);

// "compatible" or "fast".
bool AbslParseFlag(absl::string_view text, Compression* compression, std::string* error);
std::string AbslUnparseFlag(Compression compression);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_FLAG_TYPES_H_
