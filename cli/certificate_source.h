// Where the CLI gets the app certificate from: --app-certificate-file, the
// discouraged --app-certificate (argv is readable by other users, so it warns),
// or the AGORA_APP_CERTIFICATE environment variable. The value is returned to
// the caller and never written to any stream or message.
#ifndef AGORA_TOKEN_CLI_CERTIFICATE_SOURCE_H_
#define AGORA_TOKEN_CLI_CERTIFICATE_SOURCE_H_

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "cli/arguments.h"
#include "cli/cli.h"

namespace agora_token::cli {

inline constexpr std::string_view kAppCertificateFlag = "app-certificate";
inline constexpr std::string_view kAppCertificateFileFlag = "app-certificate-file";

// A certificate file is a few bytes; anything much larger is the wrong file.
inline constexpr size_t kMaxCertificateFileBytes = 4096;

// Checks that at most one certificate flag was given (a usage error if not).
absl::Status CheckCertificateFlags(const ParsedArguments& args);

// The certificate from the flags or the environment, in the order above;
// nullopt when none is given. Warns on `err` when it comes from argv. Fails
// (kFailedPrecondition, naming the path but not the content) if the file
// cannot be read or is too large.
absl::StatusOr<std::optional<std::string>> LoadAppCertificate(const ParsedArguments& args,
                                                              const Environment& env,
                                                              std::ostream& err);

// The message for a build command without a certificate.
inline constexpr char kMissingCertificateMessage[] =
    "no app certificate: set AGORA_APP_CERTIFICATE or pass --app-certificate-file FILE";

}  // namespace agora_token::cli

#endif  // AGORA_TOKEN_CLI_CERTIFICATE_SOURCE_H_
