// Helpers shared by the server tests: the test keyring (one app whose
// certificate is inline, one whose primary certificate is in a file of its own
// and which also has a secondary certificate), a temporary directory to write
// it to, an in-process server fixture, and checks that read gRPC errors the
// way any client would (google.rpc.Status in grpc-status-details-bin) and
// that tokens a build RPC returned really are what the response says. Every
// error check here also fails when the error carries a test certificate.
#ifndef AGORA_TOKEN_TESTS_SERVER_TEST_SUPPORT_H_
#define AGORA_TOKEN_TESTS_SERVER_TEST_SUPPORT_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "agora/token/v1/token_service.grpc.pb.h"
#include "core/token.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/server.h"
#include "server/serving_state.h"

namespace agora_token_server_test {

// The server's fixed "now" in every test (2023-11-14T22:13:20Z).
inline constexpr uint32_t kNow = 1700000000;

// An app whose primary certificate is written inline in the keyring.
inline constexpr char kInlineAppId[] = "0123456789abcdef0123456789abcdef";
inline constexpr char kInlineCertificate[] = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

// An app in rotation: its primary certificate comes from a file (given by a
// relative `path`), its secondary is inline.
inline constexpr char kRotatingAppId[] = "fedcba9876543210fedcba9876543210";
inline constexpr char kRotatingPrimary[] = "5f4e3d2c1b0a99887766554433221100";
inline constexpr char kRotatingSecondary[] = "00112233445566778899aabbccddeeff";

// Well-formed, but in no keyring.
inline constexpr char kUnknownAppId[] = "abcdefabcdefabcdefabcdefabcdef12";
// A valid certificate that no keyring holds: what it signs must not verify.
inline constexpr char kForeignCertificate[] = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

// Every certificate the suite uses; no error may contain any of them.
std::vector<std::string> AllCertificates();

// The certificate the standard keyring signs `app_id`'s tokens with; "" for
// other apps.
std::string SigningCertificateOf(std::string_view app_id);

// A fresh directory under the test temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `contents` to path()/name and returns the full path.
  std::string WriteFile(const std::string& name, std::string_view contents) const;

 private:
  std::string path_;
};

// The standard test keyring as text format; `development` sets its flag.
std::string TestKeyringText(bool development = false);

// Writes the standard keyring (and the rotating app's certificate file) into
// `dir`; returns the keyring's path.
std::string WriteTestKeyring(const TempDir& dir, bool development = false);

// Options for a server on a free loopback port with the fixed clock.
agora_token::ServerOptions TestServerOptions(const std::string& keyring_path,
                                             const agora_token::Clock* clock);

// A server started from the standard keyring, with a stub on its in-process
// channel.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Lets a test adjust the options before the server starts.
  virtual void Configure(agora_token::ServerOptions*) {}

  agora::token::v1::TokenService::Stub& stub() { return *stub_; }
  agora_token::TokenServer& server() { return *server_; }
  const std::string& keyring_path() const { return keyring_path_; }

  const agora_token::FixedClock clock_{kNow};
  TempDir dir_;
  std::string keyring_path_;
  std::unique_ptr<agora_token::TokenServer> server_;
  std::unique_ptr<agora::token::v1::TokenService::Stub> stub_;
};

// A channel, on a connection of its own, and a stub over TCP to the
// server's bound loopback port.
std::shared_ptr<grpc::Channel> TcpChannel(int port);
std::unique_ptr<agora::token::v1::TokenService::Stub> TcpStub(int port);

// Lowercase hex SHA-256, as a config's api_key_sha256 holds an API key.
std::string Sha256Hex(std::string_view text);

// Success when `text` contains none of AllCertificates(), in any letter case.
::testing::AssertionResult HasNoSecret(std::string_view text);
// The same for everything an error carries: message and serialized details.
::testing::AssertionResult HasNoSecret(const grpc::Status& status);
::testing::AssertionResult HasNoSecret(const google::rpc::Status& status);
::testing::AssertionResult HasNoSecret(const absl::Status& status);

// The google.rpc.Status a gRPC error carries in grpc-status-details-bin, or
// one built from code and message when it carries none.
google::rpc::Status RpcStatusOf(const grpc::Status& status);

// The fields the google.rpc.BadRequest details of `status` name, in order.
std::vector<std::string> ViolatedFields(const google::rpc::Status& status);

// `status` has `code`, a code-matching google.rpc.Status in its details if
// it has details, and no secret.
::testing::AssertionResult HasCode(const grpc::Status& status, grpc::StatusCode code);

// `status` is INVALID_ARGUMENT, its details parse as google.rpc.Status with
// the same code and a google.rpc.BadRequest whose only field violation names
// `field`, and it carries no secret.
::testing::AssertionResult IsInvalidField(const grpc::Status& status, std::string_view field);
// The same for a batch item's error.
::testing::AssertionResult IsInvalidField(const google::rpc::Status& status,
                                          std::string_view field);

// A keyring holding one app, built from a proto (no files).
std::shared_ptr<const agora_token::Keyring> KeyringOf(const char* app_id, const char* certificate);
// A serving state for handler tests: `keyring`, the open caller directory
// (callers are the test's own), no audit log, `options`.
std::shared_ptr<const agora_token::ServingState> StateOf(
    std::shared_ptr<const agora_token::Keyring> keyring,
    const agora_token::HandlerOptions& options);

// Any build response (they share IssuedToken's fields and numbers) as an
// IssuedToken.
template <typename Response>
agora::token::v1::IssuedToken AsIssued(const Response& response) {
  agora::token::v1::IssuedToken issued;
  issued.ParseFromString(response.SerializeAsString());
  return issued;
}

// The token in `issued` decodes with the core, its signature verifies with
// `certificate` (006 tokens need `subject`), it was issued at `now`, and its
// version, salt, issue_ts, expire_ts and privilege_expiries are exactly what
// the core reads from the token itself (CheckExpiry at `now`).
::testing::AssertionResult IssuedTokenChecks(const agora::token::v1::IssuedToken& issued,
                                             std::string_view certificate,
                                             const agora_token::Token006Subject* subject,
                                             uint32_t now = kNow);

// One expected privilege expiry, for readable expectations.
struct Expiry {
  agora::token::v1::ServiceType service;
  uint32_t privilege;
  uint32_t expire_ts;
};
// A TCP connection to 127.0.0.1:port, or -1.
int ConnectLoopback(int port);
// Writes all of `bytes` to the socket; false if the peer went away first.
bool SendAll(int fd, std::string_view bytes);

// `issued.privilege_expiries` equals `expected`, in order.
::testing::AssertionResult PrivilegesAre(
    const google::protobuf::RepeatedPtrField<agora::token::v1::PrivilegeExpiry>& actual,
    const std::vector<Expiry>& expected);

}  // namespace agora_token_server_test

#endif  // AGORA_TOKEN_TESTS_SERVER_TEST_SUPPORT_H_
