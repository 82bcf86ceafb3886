// Standard base64 (RFC 4648 section 4, '=' padding, no line breaks), as used
// inside tokens. Decoding is strict: only canonical encodings are accepted,
// so two different token strings never decode to the same bytes and a
// flipped bit in the text can never go unnoticed.
#ifndef AGORA_TOKEN_CORE_BASE64_H_
#define AGORA_TOKEN_CORE_BASE64_H_

#include <string>
#include <string_view>

namespace agora_token {

// Characters in the encoding of `size` bytes.
inline size_t Base64EncodedSize(size_t size) { return (size + 2) / 3 * 4; }

// Writes the encoding of `in`, Base64EncodedSize(in.size()) characters, to
// `out`: builders size a token once and write every part in place.
void Base64Encode(std::string_view in, char* out);

// Appends the encoding of `in` to `out`.
void Base64Append(std::string_view in, std::string* out);

// Decodes canonical base64 into `out`. Returns false for a length that is
// not a multiple of 4, a character outside the alphabet, misplaced padding,
// or non-zero bits in the padding positions.
bool Base64DecodeStrict(std::string_view in, std::string* out);

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_BASE64_H_
