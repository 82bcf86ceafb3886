// Keyring loading (server/keyring.h): inline and file certificates, relative
// and absolute paths, the development flag, and every rejected keyring, whose
// error must name the field and never contain a certificate.
#include "server/keyring.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "gtest/gtest.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

using agora_token::Keyring;

// Loads `text` as a keyring file in `dir`.
absl::StatusOr<std::shared_ptr<const Keyring>> LoadText(const TempDir& dir,
                                                        const std::string& text) {
  return Keyring::LoadFile(dir.WriteFile("keyring.textproto", text));
}

// The load failed with InvalidArgument, names `field`, and holds no secret.
::testing::AssertionResult FailsNaming(const absl::StatusOr<std::shared_ptr<const Keyring>>& loaded,
                                       const std::string& field) {
  if (loaded.ok()) return ::testing::AssertionFailure() << "loaded";
  const absl::Status& status = loaded.status();
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << status;
  }
  ::testing::AssertionResult secret = HasNoSecret(status);
  if (!secret) return secret;
  if (std::string(status.message()).find(field) == std::string::npos) {
    return ::testing::AssertionFailure() << status << " does not name " << field;
  }
  return ::testing::AssertionSuccess();
}

TEST(KeyringTest, LoadsInlineAndFileCertificates) {
  TempDir dir;
  absl::StatusOr<std::shared_ptr<const Keyring>> keyring = Keyring::LoadFile(WriteTestKeyring(dir));
  ASSERT_TRUE(keyring.ok()) << keyring.status();
  EXPECT_EQ((*keyring)->size(), 2u);
  EXPECT_FALSE((*keyring)->development());

  const agora_token::AppCertificates* inline_app = (*keyring)->Find(kInlineAppId);
  ASSERT_NE(inline_app, nullptr);
  EXPECT_EQ(inline_app->primary.app_id(), kInlineAppId);
  EXPECT_EQ(inline_app->primary.app_certificate(), kInlineCertificate);
  EXPECT_FALSE(inline_app->secondary.has_value());

  const agora_token::AppCertificates* rotating = (*keyring)->Find(kRotatingAppId);
  ASSERT_NE(rotating, nullptr);
  // Read from the file, surrounding whitespace stripped.
  EXPECT_EQ(rotating->primary.app_certificate(), kRotatingPrimary);
  ASSERT_TRUE(rotating->secondary.has_value());
  EXPECT_EQ(rotating->secondary->app_certificate(), kRotatingSecondary);

  EXPECT_EQ((*keyring)->Find(kUnknownAppId), nullptr);
  EXPECT_EQ((*keyring)->Find(""), nullptr);
}

TEST(KeyringTest, ReadsDevelopmentFlag) {
  TempDir dir;
  absl::StatusOr<std::shared_ptr<const Keyring>> keyring =
      Keyring::LoadFile(WriteTestKeyring(dir, /*development=*/true));
  ASSERT_TRUE(keyring.ok()) << keyring.status();
  EXPECT_TRUE((*keyring)->development());
}

TEST(KeyringTest, AbsoluteCertificatePath) {
  TempDir dir;
  TempDir elsewhere;
  const std::string certificate = elsewhere.WriteFile("cert", kRotatingPrimary);
  absl::StatusOr<std::shared_ptr<const Keyring>> keyring =
      LoadText(dir, absl::Substitute(R"pb(apps {
                                            app_id: "$0"
                                            primary_certificate { path: "$1" }
                                          })pb",
                                     kRotatingAppId, certificate));
  ASSERT_TRUE(keyring.ok()) << keyring.status();
  EXPECT_EQ((*keyring)->Find(kRotatingAppId)->primary.app_certificate(), kRotatingPrimary);
}

TEST(KeyringTest, FromProtoWithoutAFile) {
  agora::token::v1::Keyring proto;
  agora::token::v1::AppKey* app = proto.add_apps();
  app->set_app_id(kInlineAppId);
  app->mutable_primary_certificate()->set_value(kInlineCertificate);
  absl::StatusOr<std::shared_ptr<const Keyring>> keyring =
      Keyring::FromProto(proto, "/nonexistent");
  ASSERT_TRUE(keyring.ok()) << keyring.status();
  EXPECT_NE((*keyring)->Find(kInlineAppId), nullptr);
}

TEST(KeyringTest, DuplicateAppId) {
  TempDir dir;
  EXPECT_TRUE(FailsNaming(
      LoadText(dir, absl::Substitute(R"pb(apps {
                                            app_id: "$0"
                                            primary_certificate { value: "$1" }
                                          }
                                          apps {
                                            app_id: "$0"
                                            primary_certificate { value: "$2" }
                                          })pb",
                                     kInlineAppId, kInlineCertificate, kRotatingSecondary)),
      "apps[1].app_id"));
}

TEST(KeyringTest, MissingPrimaryCertificate) {
  TempDir dir;
  EXPECT_TRUE(
      FailsNaming(LoadText(dir, absl::Substitute(R"pb(apps {
                                                        app_id: "$0"
                                                        primary_certificate { value: "$1" }
                                                      }
                                                      apps {
                                                        app_id: "$2"
                                                        secondary_certificate { value: "$3" }
                                                      })pb",
                                                 kInlineAppId, kInlineCertificate, kRotatingAppId,
                                                 kRotatingSecondary)),
                  "apps[1].primary_certificate"));
}

TEST(KeyringTest, EmptyCertificateSource) {
  TempDir dir;
  EXPECT_TRUE(FailsNaming(LoadText(dir, absl::Substitute(R"pb(apps {
                                                                app_id: "$0"
                                                                primary_certificate {}
                                                              })pb",
                                                         kInlineAppId)),
                          "apps[0].primary_certificate"));
}

TEST(KeyringTest, CertificateOf31Characters) {
  TempDir dir;
  const std::string short_certificate = std::string(kInlineCertificate).substr(0, 31);
  const absl::StatusOr<std::shared_ptr<const Keyring>> loaded = LoadText(
      dir, absl::Substitute(R"pb(apps {
                                   app_id: "$0"
                                   primary_certificate { value: "$1" }
                                 }
                                 apps {
                                   app_id: "$2"
                                   primary_certificate { value: "$3" }
                                 })pb",
                            kRotatingAppId, kRotatingPrimary, kInlineAppId, short_certificate));
  EXPECT_TRUE(FailsNaming(loaded, "apps[1].primary_certificate"));
  // Not even the truncated value.
  EXPECT_EQ(std::string(loaded.status().message()).find(short_certificate), std::string::npos);
}

TEST(KeyringTest, BadCertificateInAFile) {
  TempDir dir;
  // 32 characters, but not hex.
  const std::string bad = std::string(kRotatingPrimary).substr(0, 31) + "z";
  dir.WriteFile("bad.cert", bad);
  const absl::StatusOr<std::shared_ptr<const Keyring>> loaded =
      LoadText(dir, absl::Substitute(R"pb(apps {
                                            app_id: "$0"
                                            primary_certificate { value: "$1" }
                                            secondary_certificate { path: "bad.cert" }
                                          })pb",
                                     kRotatingAppId, kRotatingPrimary));
  EXPECT_TRUE(FailsNaming(loaded, "apps[0].secondary_certificate"));
  EXPECT_EQ(std::string(loaded.status().message()).find(bad), std::string::npos);
}

TEST(KeyringTest, UnreadableCertificatePath) {
  TempDir dir;
  EXPECT_TRUE(
      FailsNaming(LoadText(dir, absl::Substitute(R"pb(apps {
                                                        app_id: "$0"
                                                        primary_certificate { path: "no/such/file" }
                                                      })pb",
                                                 kInlineAppId)),
                  "apps[0].primary_certificate.path"));
}

TEST(KeyringTest, BadAppId) {
  TempDir dir;
  EXPECT_TRUE(FailsNaming(LoadText(dir, absl::Substitute(R"pb(apps {
                                                                app_id: "not-an-app-id"
                                                                primary_certificate { value: "$0" }
                                                              })pb",
                                                         kInlineCertificate)),
                          "apps[0].app_id"));
}

TEST(KeyringTest, NoApps) {
  TempDir dir;
  EXPECT_TRUE(FailsNaming(LoadText(dir, "development: true\n"), "apps"));
}

TEST(KeyringTest, SyntaxErrorNamesThePositionNotTheText) {
  TempDir dir;
  // The error sits on the certificate: the parser's own message would quote
  // it.
  const absl::StatusOr<std::shared_ptr<const Keyring>> loaded = LoadText(
      dir, absl::StrCat("apps {\n  app_id: \"", kInlineAppId,
                        "\"\n  primary_certificate { value: ", kInlineCertificate, " }\n}\n"));
  EXPECT_TRUE(FailsNaming(loaded, "line 3"));

  EXPECT_TRUE(
      FailsNaming(LoadText(dir, absl::StrCat("apps { app_id: \"", kInlineAppId,
                                             "\" unknown_field: \"", kInlineCertificate, "\" }")),
                  "syntax error"));
}

TEST(KeyringTest, MissingFile) {
  TempDir dir;
  const absl::StatusOr<std::shared_ptr<const Keyring>> loaded =
      Keyring::LoadFile(dir.path() + "/absent.textproto");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(std::string(loaded.status().message()).find("absent.textproto"), std::string::npos);
}

}  // namespace
}  // namespace agora_token_server_test
