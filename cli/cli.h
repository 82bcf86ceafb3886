// Entry point of the offline `agora-token` command-line tool: builds 006/007
// tokens and decodes/verifies them with the core library. main.cc only calls
// Run with the process's streams and environment; tests call Run in-process
// with string streams and a fake environment, so everything the tool does is
// reachable from a test.
#ifndef AGORA_TOKEN_CLI_CLI_H_
#define AGORA_TOKEN_CLI_CLI_H_

#include <map>
#include <ostream>
#include <string>

namespace agora_token::cli {

// Exit codes; the usage text documents them.
inline constexpr int kExitOk = 0;
// Input rejected by the core, missing certificate, unreadable file.
inline constexpr int kExitError = 1;
// A malformed command line: unknown command or flag, bad number, conflict.
inline constexpr int kExitUsage = 2;
// `decode`: the token parsed but its signature does not match the certificate.
inline constexpr int kExitInvalidSignature = 3;

// The environment variable that may hold the app certificate.
inline constexpr char kAppCertificateEnv[] = "AGORA_APP_CERTIFICATE";

// The environment variables the tool reads, by name.
using Environment = std::map<std::string, std::string>;

// The variables of this process's environment that the tool reads (and no
// others, so nothing else is copied around).
Environment ReadProcessEnvironment();

// Runs one command line (argv[0] is the program name) and returns the exit
// code. Results go to `out`, diagnostics to `err`. Never writes an app
// certificate to either stream.
int Run(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
        const Environment& env);

}  // namespace agora_token::cli

#endif  // AGORA_TOKEN_CLI_CLI_H_
