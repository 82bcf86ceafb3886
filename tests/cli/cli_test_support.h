// Helpers for the CLI tests: running agora_token::cli::Run in-process with
// string streams and a fake environment, and the known-answer vectors of
// tests/vectors turned into command lines. Every run is checked for leaked
// app certificates, so no test can forget to.
#ifndef AGORA_TOKEN_TESTS_CLI_CLI_TEST_SUPPORT_H_
#define AGORA_TOKEN_TESTS_CLI_CLI_TEST_SUPPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "nlohmann/json.hpp"

namespace agora_token_cli_test {

// The official vectors' app, and certificates that are not its own.
inline constexpr char kAppId[] = "970CA35de60c44645bbae8a215061b33";
inline constexpr char kCertificate[] = "5CFd2fd1755d40ecb72977518be15d3b";
inline constexpr char kWrongCertificate[] = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
inline constexpr char kMalformedCertificate[] = "not-a-certificate-but-secret-123";

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `agora-token <args>` in-process. Fails the test if either stream
// contains any certificate the tests use, in any letter case.
CliResult RunCli(const std::vector<std::string>& args,
                 const agora_token::cli::Environment& env = {});

// An environment holding `certificate` as AGORA_APP_CERTIFICATE.
agora_token::cli::Environment EnvWithCertificate(const std::string& certificate = kCertificate);

// The vectors of tests/vectors/<file> ("official.json", "extra.json",
// "apaas_reference.json").
std::vector<nlohmann::json> LoadVectors(const std::string& file);

// The `build ...` command line that reproduces a vector, or nullopt for a
// kind the CLI cannot build (e.g. a token with an unknown service).
std::optional<std::vector<std::string>> BuildArgsForVector(const nlohmann::json& vector);

// The `decode` flags that tell a 006 vector's subject (channel and user, or
// RTM user); empty for 007 vectors.
std::vector<std::string> SubjectArgsForVector(const nlohmann::json& vector);

// The token the CLI must print for a vector, byte for byte: the vector's
// own, or where Node's deflate differs from the system zlib's, the same
// payload through the system zlib ("system_zlib_token").
std::string TokenOfSystemZlib(const nlohmann::json& vector);

// The `--permission TYPE:PERMISSION:NAME` values for a vector's
// rtm2_resources.
std::vector<std::string> PermissionFlags(const nlohmann::json& rtm2_resources);

// A vector's "services" entry as agora.token.v1.ServiceGrant JSON: its
// [id, seconds] privilege pairs become PrivilegeGrant objects; the other
// fields already carry the proto's names.
nlohmann::json ServiceGrantJson(const nlohmann::json& service);

std::string Hex(const std::string& bytes);
uint32_t Crc32(const std::string& data);

// A file under the test temp dir holding `content`; returns its path.
std::string WriteTempFile(const std::string& name, const std::string& content);

}  // namespace agora_token_cli_test

#endif  // AGORA_TOKEN_TESTS_CLI_CLI_TEST_SUPPORT_H_
