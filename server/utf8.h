// UTF-8 checks for bytes that came from outside (a token's channel name, an
// account), before they go into a proto3 `string` or a JSON log line, where
// anything but valid UTF-8 breaks the reader.
#ifndef AGORA_TOKEN_SERVER_UTF8_H_
#define AGORA_TOKEN_SERVER_UTF8_H_

#include <string>
#include <string_view>

namespace agora_token {

// Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// `bytes` with every byte that is not part of a well-formed sequence
// replaced by U+FFFD.
std::string ReplaceInvalidUtf8(std::string_view bytes);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_UTF8_H_
