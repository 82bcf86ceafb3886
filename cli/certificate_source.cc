#include "cli/certificate_source.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"

namespace agora_token::cli {
namespace {

absl::StatusOr<std::string> ReadCertificateFile(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (file == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read --app-certificate-file '", path, "': ", std::strerror(errno)));
  }
  // One byte more than allowed tells an oversized file (or a device that
  // never ends) from one that is exactly at the limit.
  std::string content(kMaxCertificateFileBytes + 1, '\0');
  size_t read = std::fread(content.data(), 1, content.size(), file.get());
  if (std::ferror(file.get())) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read --app-certificate-file '", path, "'"));
  }
  if (read > kMaxCertificateFileBytes) {
    return absl::FailedPreconditionError(
        absl::StrCat("--app-certificate-file '", path, "' is larger than ",
                     kMaxCertificateFileBytes, " bytes; it should hold only the certificate"));
  }
  content.resize(read);
  // Editors and `echo` add a final newline; it is not part of the certificate.
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r' ||
                              content.back() == ' ' || content.back() == '\t')) {
    content.pop_back();
  }
  return content;
}

}  // namespace

absl::Status CheckCertificateFlags(const ParsedArguments& args) {
  return AtMostOneOf(args, {kAppCertificateFileFlag, kAppCertificateFlag});
}

absl::StatusOr<std::optional<std::string>> LoadAppCertificate(const ParsedArguments& args,
                                                              const Environment& env,
                                                              std::ostream& err) {
  if (std::optional<std::string> path = args.Value(kAppCertificateFileFlag)) {
    absl::StatusOr<std::string> content = ReadCertificateFile(*path);
    if (!content.ok()) return content.status();
    return std::optional<std::string>(*std::move(content));
  }
  if (std::optional<std::string> value = args.Value(kAppCertificateFlag)) {
    err << "warning: --app-certificate puts the certificate in the command line, which "
           "other users of this machine can read (ps, /proc); prefer "
           "AGORA_APP_CERTIFICATE or --app-certificate-file\n";
    return value;
  }
  auto it = env.find(kAppCertificateEnv);
  // An empty variable is treated as unset, so the message says what to do.
  if (it != env.end() && !it->second.empty()) return std::optional<std::string>(it->second);
  return std::optional<std::string>();
}

}  // namespace agora_token::cli
