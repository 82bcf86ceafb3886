#include "tests/server/test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "google/rpc/error_details.pb.h"

namespace agora_token_server_test {

namespace v1 = agora::token::v1;

std::vector<std::string> AllCertificates() {
  return {kInlineCertificate, kRotatingPrimary, kRotatingSecondary, kForeignCertificate};
}

std::string SigningCertificateOf(std::string_view app_id) {
  if (app_id == kInlineAppId) return kInlineCertificate;
  if (app_id == kRotatingAppId) return kRotatingPrimary;
  return "";
}

TempDir::TempDir() {
  std::string pattern = ::testing::TempDir() + "server_test_XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed for " << pattern;
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::WriteFile(const std::string& name, std::string_view contents) const {
  const std::string full = path_ + "/" + name;
  std::ofstream out(full, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!out) ADD_FAILURE() << "cannot write " << full;
  return full;
}

std::string TestKeyringText(bool development) {
  return absl::Substitute(
      R"pb(
        development: $0
        apps {
          app_id: "$1"
          primary_certificate { value: "$2" }
        }
        apps {
          app_id: "$3"
          primary_certificate { path: "rotating.primary" }
          secondary_certificate { value: "$4" }
        }
      )pb",
      development ? "true" : "false", kInlineAppId, kInlineCertificate, kRotatingAppId,
      kRotatingSecondary);
}

std::string WriteTestKeyring(const TempDir& dir, bool development) {
  // Surrounding whitespace, as a mounted secret often has, must be ignored.
  dir.WriteFile("rotating.primary", absl::StrCat("  ", kRotatingPrimary, "\n"));
  return dir.WriteFile("keyring.textproto", TestKeyringText(development));
}

agora_token::ServerOptions TestServerOptions(const std::string& keyring_path,
                                             const agora_token::Clock* clock) {
  agora_token::ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.keyring_path = keyring_path;
  options.clock = clock;
  // Tests shut servers down often; none has calls left to wait for.
  options.drain_timeout = std::chrono::milliseconds(2000);
  return options;
}

void ServerTest::SetUp() {
  keyring_path_ = WriteTestKeyring(dir_);
  agora_token::ServerOptions options = TestServerOptions(keyring_path_, &clock_);
  Configure(&options);
  absl::StatusOr<std::unique_ptr<agora_token::TokenServer>> server =
      agora_token::TokenServer::BuildAndStart(options);
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = *std::move(server);
  // Over TCP, not the in-process transport: that one hands the client's
  // request buffer itself to a server thread, ordered only inside Debian's
  // uninstrumented libgrpc, which TSan reports as a race.
  stub_ = TcpStub(server_->port());
}

std::shared_ptr<const agora_token::Keyring> KeyringOf(const char* app_id, const char* certificate) {
  v1::Keyring proto;
  v1::AppKey* app = proto.add_apps();
  app->set_app_id(app_id);
  app->mutable_primary_certificate()->set_value(certificate);
  absl::StatusOr<std::shared_ptr<const agora_token::Keyring>> keyring =
      agora_token::Keyring::FromProto(proto, ".");
  EXPECT_TRUE(keyring.ok()) << keyring.status();
  return keyring.ok() ? *keyring : nullptr;
}

std::shared_ptr<const agora_token::ServingState> StateOf(
    std::shared_ptr<const agora_token::Keyring> keyring,
    const agora_token::HandlerOptions& options) {
  auto state = std::make_shared<agora_token::ServingState>();
  state->keyring = std::move(keyring);
  state->config.callers = agora_token::CallerDirectory::Open();
  state->audit = agora_token::AuditLog::Disabled();
  state->options = options;
  return state;
}

std::string Sha256Hex(std::string_view text) {
  const agora_token::Sha256Digest digest = agora_token::Sha256(text);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::shared_ptr<grpc::Channel> TcpChannel(int port) {
  grpc::ChannelArguments args;
  // Each test channel gets a connection of its own, never a shared one.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<v1::TokenService::Stub> TcpStub(int port) {
  return v1::TokenService::NewStub(TcpChannel(port));
}

::testing::AssertionResult HasNoSecret(std::string_view text) {
  const std::string lower = absl::AsciiStrToLower(absl::string_view(text.data(), text.size()));
  for (const std::string& certificate : AllCertificates()) {
    if (lower.find(absl::AsciiStrToLower(certificate)) != std::string::npos) {
      // Say which one without printing the text around it.
      return ::testing::AssertionFailure() << "contains test certificate " << certificate;
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult HasNoSecret(const grpc::Status& status) {
  ::testing::AssertionResult message = HasNoSecret(status.error_message());
  if (!message) return message << " (in the message)";
  ::testing::AssertionResult details = HasNoSecret(status.error_details());
  if (!details) return details << " (in the details)";
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult HasNoSecret(const google::rpc::Status& status) {
  return HasNoSecret(status.SerializeAsString());
}

::testing::AssertionResult HasNoSecret(const absl::Status& status) {
  return HasNoSecret(status.ToString(absl::StatusToStringMode::kWithEverything));
}

google::rpc::Status RpcStatusOf(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (!status.error_details().empty()) {
    if (!rpc.ParseFromString(status.error_details())) {
      ADD_FAILURE() << "grpc-status-details-bin is not a google.rpc.Status";
    }
    return rpc;
  }
  rpc.set_code(status.error_code());
  rpc.set_message(status.error_message());
  return rpc;
}

std::vector<std::string> ViolatedFields(const google::rpc::Status& status) {
  std::vector<std::string> fields;
  for (const google::protobuf::Any& detail : status.details()) {
    google::rpc::BadRequest bad_request;
    if (!detail.UnpackTo(&bad_request)) continue;
    for (const auto& violation : bad_request.field_violations()) {
      fields.push_back(violation.field());
    }
  }
  return fields;
}

::testing::AssertionResult HasCode(const grpc::Status& status, grpc::StatusCode code) {
  if (status.error_code() != code) {
    return ::testing::AssertionFailure() << "code " << status.error_code() << " (\""
                                         << status.error_message() << "\"), want " << code;
  }
  ::testing::AssertionResult secret = HasNoSecret(status);
  if (!secret) return secret;
  if (!status.error_details().empty()) {
    google::rpc::Status rpc;
    if (!rpc.ParseFromString(status.error_details())) {
      return ::testing::AssertionFailure() << "details are not a google.rpc.Status";
    }
    if (rpc.code() != code || rpc.message() != status.error_message()) {
      return ::testing::AssertionFailure()
             << "details say code " << rpc.code() << " \"" << rpc.message() << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

namespace {

::testing::AssertionResult NamesOnly(const google::rpc::Status& rpc, std::string_view field) {
  const std::vector<std::string> fields = ViolatedFields(rpc);
  if (fields.size() != 1 || fields[0] != field) {
    ::testing::AssertionResult failure = ::testing::AssertionFailure();
    failure << "BadRequest names [";
    for (const std::string& f : fields) failure << " \"" << f << "\"";
    return failure << " ], want \"" << field << "\" (message \"" << rpc.message() << "\")";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

::testing::AssertionResult IsInvalidField(const grpc::Status& status, std::string_view field) {
  ::testing::AssertionResult code = HasCode(status, grpc::StatusCode::INVALID_ARGUMENT);
  if (!code) return code;
  if (status.error_details().empty()) {
    return ::testing::AssertionFailure()
           << "no grpc-status-details-bin (\"" << status.error_message() << "\")";
  }
  return NamesOnly(RpcStatusOf(status), field);
}

::testing::AssertionResult IsInvalidField(const google::rpc::Status& status,
                                          std::string_view field) {
  if (status.code() != grpc::StatusCode::INVALID_ARGUMENT) {
    return ::testing::AssertionFailure()
           << "code " << status.code() << " (\"" << status.message() << "\")";
  }
  ::testing::AssertionResult secret = HasNoSecret(status);
  if (!secret) return secret;
  return NamesOnly(status, field);
}

::testing::AssertionResult IssuedTokenChecks(const v1::IssuedToken& issued,
                                             std::string_view certificate,
                                             const agora_token::Token006Subject* subject,
                                             uint32_t now) {
  absl::StatusOr<agora_token::DecodedToken> decoded = agora_token::DecodeToken(issued.token());
  if (!decoded.ok()) {
    return ::testing::AssertionFailure() << "core cannot decode it: " << decoded.status();
  }
  const bool is_006 = decoded->version == agora_token::TokenVersion::k006;
  const v1::TokenVersion version = is_006 ? v1::TOKEN_VERSION_006 : v1::TOKEN_VERSION_007;
  if (issued.token_version() != version ||
      issued.token().substr(0, 3) != (is_006 ? "006" : "007")) {
    return ::testing::AssertionFailure() << "response says version " << issued.token_version();
  }
  absl::Status signature = agora_token::VerifySignature(*decoded, certificate, subject);
  if (!signature.ok()) return ::testing::AssertionFailure() << "signature: " << signature;
  if (issued.salt() != decoded->salt || issued.salt() < 1 || issued.salt() > 99999999) {
    return ::testing::AssertionFailure()
           << "salt " << issued.salt() << ", token has " << decoded->salt;
  }
  // 006 carries no issue time, but the response still reports the server's.
  if (issued.issue_ts() != now || (!is_006 && decoded->issue_ts != now)) {
    return ::testing::AssertionFailure() << "issue_ts " << issued.issue_ts() << ", token has "
                                         << decoded->issue_ts << ", now is " << now;
  }
  const agora_token::ExpiryReport report = agora_token::CheckExpiry(*decoded, now);
  if (report.state != agora_token::ExpiryReport::State::kValid) {
    return ::testing::AssertionFailure() << "a fresh token is not valid at issue time";
  }
  if (issued.expire_ts() != report.token_expire_ts) {
    return ::testing::AssertionFailure()
           << "expire_ts " << issued.expire_ts() << ", CheckExpiry says " << report.token_expire_ts;
  }
  if (static_cast<size_t>(issued.privilege_expiries_size()) != report.privileges.size()) {
    return ::testing::AssertionFailure()
           << issued.privilege_expiries_size() << " privilege_expiries, CheckExpiry lists "
           << report.privileges.size();
  }
  for (size_t i = 0; i < report.privileges.size(); ++i) {
    const v1::PrivilegeExpiry& got = issued.privilege_expiries(static_cast<int>(i));
    const agora_token::PrivilegeExpiry& want = report.privileges[i];
    if (static_cast<uint32_t>(got.service()) != want.service_type ||
        got.privilege() != want.privilege || got.expire_ts() != want.expire_ts) {
      return ::testing::AssertionFailure()
             << "privilege_expiries[" << i << "] is (" << got.service() << ", " << got.privilege()
             << ", " << got.expire_ts() << "), CheckExpiry says (" << want.service_type << ", "
             << want.privilege << ", " << want.expire_ts << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult PrivilegesAre(
    const google::protobuf::RepeatedPtrField<v1::PrivilegeExpiry>& actual,
    const std::vector<Expiry>& expected) {
  bool same = static_cast<size_t>(actual.size()) == expected.size();
  for (size_t i = 0; same && i < expected.size(); ++i) {
    const v1::PrivilegeExpiry& got = actual[static_cast<int>(i)];
    same = got.service() == expected[i].service && got.privilege() == expected[i].privilege &&
           got.expire_ts() == expected[i].expire_ts;
  }
  if (same) return ::testing::AssertionSuccess();
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  failure << "got [";
  for (const v1::PrivilegeExpiry& p : actual) {
    failure << " (" << p.service() << "," << p.privilege() << "," << p.expire_ts() << ")";
  }
  failure << " ] want [";
  for (const Expiry& e : expected) {
    failure << " (" << e.service << "," << e.privilege << "," << e.expire_ts << ")";
  }
  return failure << " ]";
}

int ConnectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

}  // namespace agora_token_server_test
