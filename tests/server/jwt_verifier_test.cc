// JWT verification as the caller directory applies it to a bearer value: a
// table of tokens, each with the caller it makes or the reason it is refused
// (UNAUTHENTICATED, the same answer whatever the reason), and config errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "core/crypto.h"
#include "server/server_config.h"
#include "tests/server/test_jwt.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

using nlohmann::json;

constexpr char kIssuer[] = "https://issuer.test";
constexpr char kAudience[] = "app-client-id";

// The issuer's keys, one per algorithm (RSA generation is the slow part:
// once per process).
const TestJwtKey& Rsa() {
  static const TestJwtKey key("RS256", "rsa-1");
  return key;
}
const TestJwtKey& Ec() {
  static const TestJwtKey key("ES256", "ec-1");
  return key;
}
const TestJwtKey& Ed() {
  static const TestJwtKey key("EdDSA", "ed-1");
  return key;
}
// Not in the JWKS, but with the kid of Rsa(): its tokens must not verify.
const TestJwtKey& Impostor() {
  static const TestJwtKey key("RS256", "rsa-1");
  return key;
}

std::string IssuerConfig(const std::string& algorithms) {
  return absl::Substitute(
      R"pb(
        keyring_path: "keyring.textproto"
        trusted_issuers {
          issuer: "https://issuer.test"
          audiences: [ "other-client", "app-client-id" ]
          jwks_path: "jwks.json" $0
          clock_leeway_seconds: 30
          end_user_policy {
            app_ids: "$1"
            token_kinds: [ TOKEN_KIND_RTC_007, TOKEN_KIND_RTM ]
            uid_claim: "agora_uid"
            channels_claim: "channels"
            max_token_lifetime_seconds: 3600
          }
        }
      )pb",
      algorithms, kInlineAppId);
}

// Claims that verify at kNow; cases change one thing.
json GoodClaims() {
  return {{"iss", kIssuer},
          {"aud", kAudience},
          {"sub", "user-1"},
          {"iat", kNow - 60},
          {"exp", kNow + 600},
          {"agora_uid", 1001},
          {"channels", json::array({"room-a"})}};
}

json With(json claims, const std::string& name, json value) {
  claims[name] = std::move(value);
  return claims;
}
json Without(json claims, const std::string& name) {
  claims.erase(name);
  return claims;
}

// A token with one byte of its payload segment changed.
std::string TamperedPayload() {
  std::string token = Rsa().Token(GoodClaims());
  const size_t at = token.find('.') + 5;
  token[at] = token[at] == 'A' ? 'B' : 'A';
  return token;
}
// The header re-encoded with another typ over the original signature.
std::string TamperedHeader() {
  const std::string token = Rsa().Token(GoodClaims());
  const std::string rest = token.substr(token.find('.'));
  return absl::StrCat(
      Base64Url(json({{"alg", "RS256"}, {"kid", "rsa-1"}, {"typ", "at+jwt"}}).dump()), rest);
}
// alg HS256 with the RSA public key (PEM) as the HMAC key: the classic
// key-confusion forgery.
std::string Hs256WithPublicKey() {
  const std::string signed_part =
      absl::StrCat(Base64Url(json({{"alg", "HS256"}, {"kid", "rsa-1"}}).dump()), ".",
                   Base64Url(GoodClaims().dump()));
  const agora_token::Sha256Digest mac = agora_token::HmacSha256(Rsa().PublicPem(), {signed_part});
  return absl::StrCat(
      signed_part, ".",
      Base64Url(std::string(reinterpret_cast<const char*>(mac.data()), mac.size())));
}

struct JwtCase {
  std::string name;
  std::string token;
  // The caller's name when accepted; "" when refused.
  std::string caller;
  // A part of the logged reason when refused.
  std::string reason;
};

std::vector<JwtCase> Cases() {
  const std::string ok = absl::StrCat("jwt:", kIssuer, "#user-1");
  const json good = GoodClaims();
  return {
      {"ValidRs256", Rsa().Token(good), ok, ""},
      {"ValidEs256", Ec().Token(good), ok, ""},
      {"ValidEdDsa", Ed().Token(good), ok, ""},
      {"AudienceInAList", Rsa().Token(With(good, "aud", json::array({"x", kAudience}))), ok, ""},
      {"ExpiredWithinLeeway", Rsa().Token(With(good, "exp", kNow - 10)), ok, ""},
      {"Expired", Rsa().Token(With(good, "exp", kNow - 31)), "", "expired"},
      {"NotYetValid", Rsa().Token(With(good, "nbf", kNow + 120)), "", "not valid yet"},
      {"IssuedInTheFuture", Rsa().Token(With(good, "iat", kNow + 120)), "", "issued in the future"},
      {"WrongAudience", Rsa().Token(With(good, "aud", "someone-else")), "", "aud"},
      {"WrongIssuer", Rsa().Token(With(good, "iss", "https://evil.test")), "", "not trusted"},
      {"AlgNone", JwtOf({{"alg", "none"}}, good, "x"), "", "alg none is not allowed"},
      {"AlgNoneUnsigned",
       absl::StrCat(Base64Url(json({{"alg", "none"}}).dump()), ".", Base64Url(good.dump()), "."),
       "", "unknown API key"},
      {"Hs256SignedWithTheRsaPublicKey", Hs256WithPublicKey(), "", "alg HS256 is not allowed"},
      {"UnknownKid", Rsa().Token(good, {{"kid", "rsa-9"}}), "", "kid"},
      {"KidOfAnotherAlgorithm", Rsa().Token(good, {{"kid", "ec-1"}}), "", "kid"},
      {"SignedByAnotherKeyWithTheSameKid", Impostor().Token(good), "", "signature"},
      {"TamperedPayload", TamperedPayload(), "", ""},
      {"TamperedHeader", TamperedHeader(), "", "signature"},
      {"CritHeader", Rsa().Token(good, {{"crit", json::array({"exp"})}}), "", "crit"},
      {"SubMissing", Rsa().Token(Without(good, "sub")), "", "sub"},
      {"SubNotAString", Rsa().Token(With(good, "sub", 7)), "", "sub"},
      {"ExpMissing", Rsa().Token(Without(good, "exp")), "", "exp"},
      {"ExpNotANumber", Rsa().Token(With(good, "exp", "tomorrow")), "", "exp"},
      {"UidClaimMissing", Rsa().Token(Without(good, "agora_uid")), "", "agora_uid"},
      {"UidClaimAString", Rsa().Token(With(good, "agora_uid", "1001")), "", "agora_uid"},
      {"UidClaimZero", Rsa().Token(With(good, "agora_uid", 0)), "", "agora_uid"},
      {"ChannelsClaimNotAList", Rsa().Token(With(good, "channels", "room-a")), "", "channels"},
      {"Oversized", Rsa().Token(With(good, "padding", std::string(9000, 'x'))), "", "longer than"},
      {"NotAJwtAtAll", "eyJhbGciOiJSUzI1NiJ9.@@@.xyz", "", "unknown API key"},
  };
}

class JwtVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.WriteFile("jwks.json", JwksOf({&Rsa(), &Ec(), &Ed()}));
    absl::StatusOr<agora_token::ServerConfig> config = agora_token::LoadServerConfig(dir_.WriteFile(
        "config.textproto", IssuerConfig("algorithms: [ JWT_ALGORITHM_RS256, JWT_ALGORITHM_ES256, "
                                         "JWT_ALGORITHM_EDDSA ]")));
    ASSERT_TRUE(config.ok()) << config.status();
    callers_ = config->callers;
  }

  absl::StatusOr<std::shared_ptr<const agora_token::Caller>> Authenticate(
      const std::string& token, agora_token::AuthenticationFailure* failure) {
    authorization_ = absl::StrCat("Bearer ", token);
    agora_token::CallCredentials credentials;
    credentials.authorization = authorization_;
    return callers_->Authenticate(credentials, failure, kNow);
  }

  TempDir dir_;
  std::shared_ptr<const agora_token::CallerDirectory> callers_;
  std::string authorization_;
};

TEST_F(JwtVerifierTest, EachCaseHasItsExpectedOutcome) {
  for (const JwtCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    agora_token::AuthenticationFailure failure;
    auto caller = Authenticate(c.token, &failure);
    if (!c.caller.empty()) {
      ASSERT_TRUE(caller.ok()) << caller.status() << " " << failure.reason;
      EXPECT_EQ((*caller)->name, c.caller);
      continue;
    }
    ASSERT_FALSE(caller.ok());
    EXPECT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated);
    const std::string message(caller.status().message());
    EXPECT_TRUE(message == "the bearer token is not valid" || message == "the API key is not valid")
        << message;
    EXPECT_TRUE(absl::StrContains(failure.reason, c.reason)) << failure.reason;
    // The log and audit line get a fingerprint, never the token.
    EXPECT_FALSE(absl::StrContains(failure.reason, c.token));
    EXPECT_FALSE(absl::StrContains(failure.presented, c.token.substr(0, 20)));
  }
}

TEST_F(JwtVerifierTest, AnEndUserIsBoundToItsClaims) {
  auto caller = Authenticate(Rsa().Token(GoodClaims()), nullptr);
  ASSERT_TRUE(caller.ok());
  agora_token::TokenFacts facts;
  facts.kind = agora_token::TokenKind::kRtc;
  facts.version = agora_token::TokenVersion::k007;
  facts.app_id = kInlineAppId;
  facts.uid = 1001;
  facts.role = 2;  // ROLE_SUBSCRIBER
  facts.grants.push_back({agora_token::TokenKind::kRtc, "room-a", false});
  EXPECT_TRUE((*caller)->policy.CheckToken(facts).ok());
  facts.uid = 1002;
  const absl::Status other_user = (*caller)->policy.CheckToken(facts);
  EXPECT_EQ(other_user.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(agora_token::DeniedByRule(other_user), "end_user.identity");
}

TEST(JwtConfigTest, InvalidIssuersNameTheBadField) {
  TempDir dir;
  dir.WriteFile("jwks.json", JwksOf({&Rsa()}));
  auto error_of = [&](const std::string& text) {
    absl::StatusOr<agora_token::ServerConfig> config =
        agora_token::LoadServerConfig(dir.WriteFile("config.textproto", text));
    return config.ok() ? std::string("OK") : std::string(config.status().message());
  };
  const std::string good = IssuerConfig("");
  EXPECT_EQ(error_of(good), "OK");
  // The config with `from` replaced by `to` is refused naming `needle`.
  auto refused = [&](const std::string& from, const std::string& to, const std::string& needle) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    const std::string error = error_of(text);
    return absl::StrContains(error, needle) ? ::testing::AssertionSuccess()
                                            : ::testing::AssertionFailure() << error;
  };
  EXPECT_TRUE(refused("TOKEN_KIND_RTM", "TOKEN_KIND_CHAT_APP", "end_user_policy.token_kinds[1]"));
  EXPECT_TRUE(
      refused("clock_leeway_seconds: 30", "clock_leeway_seconds: 3000", "clock_leeway_seconds"));
  EXPECT_TRUE(refused("uid_claim: \"agora_uid\"", "", "uid_claim"));
  EXPECT_TRUE(refused("channels_claim: \"channels\"", "channel_templates: \"room-{team}\"",
                      "channel_templates[0]"));
  EXPECT_TRUE(refused("channels_claim: \"channels\"", "channel_name_prefixes: \"*\"",
                      "channel_name_prefixes[0]"));
  EXPECT_TRUE(refused("jwks.json", "missing.json", "jwks_path"));
  // A JWKS with a private key, or with nothing usable, refuses the config.
  json with_private = Rsa().Jwk();
  with_private["d"] = "AAAA";
  dir.WriteFile("private.json", json({{"keys", json::array({with_private})}}).dump());
  EXPECT_TRUE(refused("jwks.json", "private.json", "private key"));
  dir.WriteFile("hmac.json", R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})");
  EXPECT_TRUE(refused("jwks.json", "hmac.json", "private key"));
  dir.WriteFile("empty.json", R"({"keys":[]})");
  EXPECT_TRUE(refused("jwks.json", "empty.json", "no RSA"));
}

}  // namespace
}  // namespace agora_token_server_test
