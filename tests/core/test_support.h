// Helpers shared by the core tests: loading the known-answer vector files,
// hex, the token building blocks (str, u16, u32) and hand-assembled tokens.
// Everything here is written against zlib and Abseil directly, not against
// the core's internal helpers, so a bug in the core cannot hide itself by
// also being in the code that checks it.
#ifndef AGORA_TOKEN_TESTS_CORE_TEST_SUPPORT_H_
#define AGORA_TOKEN_TESTS_CORE_TEST_SUPPORT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/token.h"
#include "nlohmann/json.hpp"

namespace agora_token_test {

// Credentials of the official vectors; tests that need any valid app use them.
inline constexpr char kAppId[] = "970CA35de60c44645bbae8a215061b33";
inline constexpr char kAppCertificate[] = "5CFd2fd1755d40ecb72977518be15d3b";
// The issuance most tests mint at: a fixed clock and salt.
inline constexpr uint32_t kIssueTs = 1700000000;
inline constexpr uint32_t kSalt = 4242;
inline constexpr agora_token::Issuance kAt{kIssueTs, kSalt};
// A second, valid certificate of the same app, for "wrong key" checks.
inline constexpr char kOtherCertificate[] = "0123456789abcdef0123456789abcdef";

agora_token::AppCredentials TestApp();

// One vector of a file in tests/vectors, with the file it came from.
struct Vector {
  std::string file;
  nlohmann::json fields;

  std::string id() const { return fields.at("id").get<std::string>(); }
  std::string kind() const { return fields.at("kind").get<std::string>(); }
};

// The vectors of tests/vectors/<file> whose kind contains `kind_part`
// ("006", "007", "rtm").
// Returns an empty list if the file cannot be read; VectorFileTest checks
// that every file loads.
std::vector<Vector> LoadVectors(const std::string& file, std::string_view kind_part = "");

// Path of tests/vectors/<file>.
std::string VectorPath(const std::string& file);

// Test names for parameterized vector tests: the vector's id.
std::string VectorName(const Vector& vector);
// gtest prints a vector parameter as its file and id.
void PrintTo(const Vector& vector, std::ostream* os);

std::string Hex(std::string_view bytes);
// Standard base64 with padding, via Abseil.
std::string Base64(std::string_view bytes);
// Lenient decoding, for taking apart tokens the core built; "" on failure.
std::string Unbase64(std::string_view text);
std::string Unhex(std::string_view hex);

std::string U16(uint16_t v);
std::string U32(uint32_t v);
// str(s) of docs/token-format.md: u16 length, then the bytes.
std::string Str(std::string_view s);

// crc32 of zlib, as 006 tokens carry it.
uint32_t Crc32(std::string_view data);

// A zlib stream of `data` at zlib's `level`.
std::string ZlibCompress(std::string_view data, int level = -1);

// "007" + base64(zlib(payload)): a 007 token around an arbitrary payload.
std::string Make007Token(std::string_view payload);
// "007" + base64 of an arbitrary, already compressed stream.
std::string Make007TokenFromStream(std::string_view zlib_stream);
// "006" + app_id + base64(content).
std::string Make006Token(std::string_view app_id, std::string_view content);

// The uncompressed 007 payload a decoded token came from:
// str(signature) + signing_info.
std::string Payload007(const agora_token::DecodedToken& token);
// The 006 content a decoded token came from.
std::string Content006(const agora_token::DecodedToken& token);

// Sorted by (service, privilege, expiry), for comparing privilege lists whose
// order the API leaves open.
std::vector<agora_token::PrivilegeExpiry> Sorted(std::vector<agora_token::PrivilegeExpiry> list);

// RTM2 permissions of our JSON form ("rtm2_resources" in the vector files).
std::vector<agora_token::Rtm2Resource> Rtm2ResourcesOf(const nlohmann::json& list);
// As every reference packs them: resource and permission types ascending.
std::vector<agora_token::Rtm2Resource> InPackedOrder(std::vector<agora_token::Rtm2Resource> list);

// A vector's credentials and issuance.
agora_token::AppCredentials AppOf(const nlohmann::json& v);
agora_token::Issuance IssuanceOf(const nlohmann::json& v);

// The token a C++ build in compatible mode must equal byte for byte: the
// reference's own when the system zlib made it, else the vector's
// recompression of the reference payload with the system zlib.
std::string SystemZlibToken(const Vector& vector);

// What a token grants, computed from its services the way the format
// document defines it: 0 = as long as the token, never beyond it. Sorted.
std::vector<agora_token::PrivilegeExpiry> EffectiveExpiries(
    uint32_t issue_ts, uint32_t expire, const std::vector<agora_token::DecodedService>& services);

// Checks a 007 builder against a known-answer vector: `build` in compatible
// mode gives the vector's system-zlib token (and the reference's own token
// when that came from the system zlib), in fast mode the same payload, and
// reports the effective expiries of `expected`; the reference token decodes
// to the vector's header and `expected` (the services in token order, read
// from the vector's inputs) and verifies with its certificate only.
using Build007 = std::function<absl::StatusOr<agora_token::BuiltToken>(agora_token::Compression)>;
void ExpectBuildsVector(const Vector& vector, const Build007& build,
                        const std::vector<agora_token::DecodedService>& expected);

}  // namespace agora_token_test

namespace agora_token {
// gtest needs these in the types' namespace.
bool operator==(const PrivilegeExpiry& a, const PrivilegeExpiry& b);
bool operator==(const PrivilegeValue& a, const PrivilegeValue& b);
bool operator==(const Rtm2Permission& a, const Rtm2Permission& b);
bool operator==(const Rtm2Resource& a, const Rtm2Resource& b);
bool operator==(const DecodedService& a, const DecodedService& b);
void PrintTo(const PrivilegeExpiry& p, std::ostream* os);
void PrintTo(const PrivilegeValue& p, std::ostream* os);
void PrintTo(const DecodedService& s, std::ostream* os);
}  // namespace agora_token

#endif  // AGORA_TOKEN_TESTS_CORE_TEST_SUPPORT_H_
