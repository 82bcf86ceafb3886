#include "tests/core/test_support.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <ostream>
#include <tuple>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "zlib.h"

namespace agora_token_test {
namespace {

// Debian's Abseil has its own string_view type, distinct from std's.
absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

agora_token::AppCredentials TestApp() { return {kAppId, kAppCertificate}; }

std::string VectorPath(const std::string& file) {
  return std::string(AGORA_TOKEN_VECTORS_DIR) + "/" + file;
}

namespace {

// Each vector file parsed once per process. Test registration asks for the
// same file once per parameterized suite, and CTest starts a process per
// test, so parsing on every call cost more than most tests (1.2 s of CPU
// per process under ASan). Registration and test bodies run on the main
// thread only, so the cache needs no lock.
const nlohmann::json& VectorDocument(const std::string& file) {
  static auto* const parsed = new std::map<std::string, nlohmann::json>();
  if (auto it = parsed->find(file); it != parsed->end()) return it->second;
  std::ifstream in(VectorPath(file), std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // No exceptions escape: this runs while tests are being registered. A
  // missing file parses as a discarded value, which holds no vectors.
  return parsed->emplace(file, nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false))
      .first->second;
}

}  // namespace

std::vector<Vector> LoadVectors(const std::string& file, std::string_view kind_part) {
  std::vector<Vector> out;
  const nlohmann::json& doc = VectorDocument(file);
  if (!doc.is_object() || !doc.contains("vectors") || !doc["vectors"].is_array()) return out;
  for (const nlohmann::json& v : doc["vectors"]) {
    if (!v.is_object() || !v.contains("kind") || !v.contains("id")) continue;
    const std::string kind = v["kind"].get<std::string>();
    if (kind.find(kind_part) == std::string::npos) continue;
    out.push_back({file, v});
  }
  return out;
}

std::string VectorName(const Vector& vector) {
  std::string name = vector.id();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

void PrintTo(const Vector& vector, std::ostream* os) { *os << vector.file << ":" << vector.id(); }

std::string Hex(std::string_view bytes) { return absl::BytesToHexString(AbslView(bytes)); }
std::string Base64(std::string_view bytes) { return absl::Base64Escape(AbslView(bytes)); }

std::string Unbase64(std::string_view text) {
  std::string out;
  if (!absl::Base64Unescape(AbslView(text), &out)) return "";
  return out;
}

std::string Unhex(std::string_view hex) { return absl::HexStringToBytes(AbslView(hex)); }

std::string U16(uint16_t v) {
  return std::string{static_cast<char>(v & 0xff), static_cast<char>(v >> 8)};
}

std::string U32(uint32_t v) {
  return U16(static_cast<uint16_t>(v & 0xffff)) + U16(static_cast<uint16_t>(v >> 16));
}

std::string Str(std::string_view s) {
  return U16(static_cast<uint16_t>(s.size())) + std::string(s);
}

uint32_t Crc32(std::string_view data) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

std::string ZlibCompress(std::string_view data, int level) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                           reinterpret_cast<const Bytef*>(data.data()),
                           static_cast<uLong>(data.size()), level);
  if (rc != Z_OK) return "";
  out.resize(size);
  return out;
}

std::string Make007TokenFromStream(std::string_view zlib_stream) {
  return "007" + Base64(zlib_stream);
}

std::string Make007Token(std::string_view payload) {
  return Make007TokenFromStream(ZlibCompress(payload));
}

std::string Make006Token(std::string_view app_id, std::string_view content) {
  return "006" + std::string(app_id) + Base64(content);
}

std::string Payload007(const agora_token::DecodedToken& token) {
  return Str(token.signature) + token.signed_bytes;
}

std::string Content006(const agora_token::DecodedToken& token) {
  return Str(token.signature) + U32(token.crc_channel_name) + U32(token.crc_uid) +
         Str(token.signed_bytes);
}

std::vector<agora_token::PrivilegeExpiry> Sorted(std::vector<agora_token::PrivilegeExpiry> list) {
  std::sort(list.begin(), list.end(),
            [](const agora_token::PrivilegeExpiry& a, const agora_token::PrivilegeExpiry& b) {
              return std::tie(a.service_type, a.privilege, a.expire_ts) <
                     std::tie(b.service_type, b.privilege, b.expire_ts);
            });
  return list;
}

std::vector<agora_token::Rtm2Resource> Rtm2ResourcesOf(const nlohmann::json& list) {
  std::vector<agora_token::Rtm2Resource> out;
  for (const nlohmann::json& r : list) {
    agora_token::Rtm2Resource resource;
    resource.resource_type = r.at("resource_type").get<uint16_t>();
    for (const nlohmann::json& p : r.at("permissions")) {
      resource.permissions.push_back(
          {p.at("permission_type").get<uint16_t>(), p.at("names").get<std::vector<std::string>>()});
    }
    out.push_back(std::move(resource));
  }
  return out;
}

std::vector<agora_token::Rtm2Resource> InPackedOrder(std::vector<agora_token::Rtm2Resource> list) {
  std::sort(list.begin(), list.end(),
            [](const auto& a, const auto& b) { return a.resource_type < b.resource_type; });
  for (agora_token::Rtm2Resource& r : list) {
    std::sort(r.permissions.begin(), r.permissions.end(),
              [](const auto& a, const auto& b) { return a.permission_type < b.permission_type; });
  }
  return list;
}

agora_token::AppCredentials AppOf(const nlohmann::json& v) {
  return {v.at("app_id").get<std::string>(), v.at("app_certificate").get<std::string>()};
}

agora_token::Issuance IssuanceOf(const nlohmann::json& v) {
  return {v.at("issue_ts").get<uint32_t>(), v.at("salt").get<uint32_t>()};
}

std::string SystemZlibToken(const Vector& vector) {
  return vector.fields.value("system_zlib_token", vector.fields.at("token").get<std::string>());
}

std::vector<agora_token::PrivilegeExpiry> EffectiveExpiries(
    uint32_t issue_ts, uint32_t expire, const std::vector<agora_token::DecodedService>& services) {
  std::vector<agora_token::PrivilegeExpiry> out;
  for (const agora_token::DecodedService& s : services) {
    for (const agora_token::PrivilegeValue& p : s.privileges) {
      const uint32_t seconds = p.value == 0 ? expire : std::min(p.value, expire);
      out.push_back({s.type, p.privilege, issue_ts + seconds});
    }
  }
  return Sorted(out);
}

void ExpectBuildsVector(const Vector& vector, const Build007& build,
                        const std::vector<agora_token::DecodedService>& expected) {
  const nlohmann::json& v = vector.fields;
  const agora_token::Issuance at = IssuanceOf(v);
  const uint32_t expire = v.at("token_expire").get<uint32_t>();
  const std::string payload_hex = v.at("payload_hex").get<std::string>();

  absl::StatusOr<agora_token::BuiltToken> built = build(agora_token::Compression::kCompatible);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->token, SystemZlibToken(vector));
  if (v.value("token_matches_system_zlib", true)) {
    EXPECT_EQ(built->token, v.at("token").get<std::string>());
  }
  EXPECT_EQ(built->version, agora_token::TokenVersion::k007);
  EXPECT_EQ(built->issue_ts, at.issue_ts);
  EXPECT_EQ(built->salt, at.salt);
  EXPECT_EQ(built->expire_ts, at.issue_ts + expire);
  EXPECT_EQ(Sorted(built->privileges), EffectiveExpiries(at.issue_ts, expire, expected));

  absl::StatusOr<agora_token::BuiltToken> fast = build(agora_token::Compression::kFast);
  ASSERT_TRUE(fast.ok()) << fast.status();
  absl::StatusOr<agora_token::DecodedToken> fast_decoded = agora_token::DecodeToken(fast->token);
  ASSERT_TRUE(fast_decoded.ok()) << fast_decoded.status();
  EXPECT_EQ(Hex(Payload007(*fast_decoded)), payload_hex);

  absl::StatusOr<agora_token::DecodedToken> decoded =
      agora_token::DecodeToken(v.at("token").get<std::string>());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(Hex(Payload007(*decoded)), payload_hex);
  EXPECT_EQ(decoded->app_id, v.at("app_id").get<std::string>());
  EXPECT_EQ(decoded->issue_ts, at.issue_ts);
  EXPECT_EQ(decoded->salt, at.salt);
  EXPECT_EQ(decoded->expire, expire);
  EXPECT_FALSE(decoded->unknown_service_type.has_value());
  EXPECT_EQ(decoded->services, expected);
  EXPECT_TRUE(
      agora_token::VerifySignature(*decoded, v.at("app_certificate").get<std::string>()).ok());
  EXPECT_EQ(agora_token::VerifySignature(*decoded, kOtherCertificate).code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace agora_token_test

namespace agora_token {

bool operator==(const PrivilegeExpiry& a, const PrivilegeExpiry& b) {
  return a.service_type == b.service_type && a.privilege == b.privilege &&
         a.expire_ts == b.expire_ts;
}

bool operator==(const PrivilegeValue& a, const PrivilegeValue& b) {
  return a.privilege == b.privilege && a.value == b.value;
}

bool operator==(const Rtm2Permission& a, const Rtm2Permission& b) {
  return a.permission_type == b.permission_type && a.names == b.names;
}

bool operator==(const Rtm2Resource& a, const Rtm2Resource& b) {
  return a.resource_type == b.resource_type && a.permissions == b.permissions;
}

bool operator==(const DecodedService& a, const DecodedService& b) {
  return a.type == b.type && a.privileges == b.privileges && a.channel_name == b.channel_name &&
         a.account == b.account && a.user_id == b.user_id && a.room_uuid == b.room_uuid &&
         a.user_uuid == b.user_uuid && a.role == b.role && a.rtm2_resources == b.rtm2_resources;
}

void PrintTo(const PrivilegeExpiry& p, std::ostream* os) {
  *os << "{service " << p.service_type << ", privilege " << p.privilege << ", expire_ts "
      << p.expire_ts << "}";
}

void PrintTo(const PrivilegeValue& p, std::ostream* os) {
  *os << "{privilege " << p.privilege << ", value " << p.value << "}";
}

void PrintTo(const DecodedService& s, std::ostream* os) {
  *os << "{type " << s.type << ", privileges [";
  for (const PrivilegeValue& p : s.privileges) *os << p.privilege << ":" << p.value << " ";
  *os << "], channel_name \"" << s.channel_name << "\", account \"" << s.account << "\", user_id \""
      << s.user_id << "\", room_uuid \"" << s.room_uuid << "\", user_uuid \"" << s.user_uuid
      << "\", role " << s.role << ", " << s.rtm2_resources.size() << " rtm2 resources}";
}

}  // namespace agora_token
