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

// The vectors of tests/vectors/<file> ("official.json", "extra.json").
std::vector<nlohmann::json> LoadVectors(const std::string& file);

// The `build ...` command line that reproduces a vector, or nullopt for a
// kind the CLI cannot build (e.g. a token with an unknown service).
std::optional<std::vector<std::string>> BuildArgsForVector(const nlohmann::json& vector);

// The `decode` flags that tell a 006 vector's subject (channel and user, or
// RTM user); empty for 007 vectors.
std::vector<std::string> SubjectArgsForVector(const nlohmann::json& vector);

// True if the CLI's output for this vector must equal its token byte for
// byte: 006 always; 007 only where the system zlib reproduces Node's stream.
bool TokenIsByteExact(const nlohmann::json& vector);

std::string Hex(const std::string& bytes);
uint32_t Crc32(const std::string& data);

// A file under the test temp dir holding `content`; returns its path.
std::string WriteTempFile(const std::string& name, const std::string& content);

}  // namespace agora_token_cli_test

#endif  // AGORA_TOKEN_TESTS_CLI_CLI_TEST_SUPPORT_H_
