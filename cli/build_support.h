// What every `agora-token build <kind>` shares: the common flags (version,
// app id, salt, issue time, compression, JSON output, certificate), the RTC
// user, role and per-privilege flags, and the run sequence (parse, help,
// check the command line completely, then load the certificate, build and
// print). Internal to the CLI; each kind's file holds only its own flags.
#ifndef AGORA_TOKEN_CLI_BUILD_SUPPORT_H_
#define AGORA_TOKEN_CLI_BUILD_SUPPORT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/arguments.h"
#include "cli/command_io.h"
#include "core/token.h"

namespace agora_token::cli {

inline constexpr std::string_view kPerPrivilegeFlags[] = {
    "join-expire", "publish-audio-expire", "publish-video-expire", "publish-data-expire"};

// `flags` plus the flags every build command takes.
std::vector<FlagSpec> WithCommonBuildFlags(std::vector<FlagSpec> flags);

// What every build command takes, after the usage checks.
struct CommonBuildOptions {
  TokenVersion version = TokenVersion::k007;
  std::string app_id;
  std::optional<uint32_t> salt;
  std::optional<uint32_t> issue_ts;  // from --issue-ts (007) or --ts - 86400 (006)
  Compression compression = Compression::kCompatible;
  bool json = false;
};

// --version: 007 (default) or 006.
absl::StatusOr<TokenVersion> ParseVersion(const ParsedArguments& args);

// The common options for `version`, checking the flags that belong to the
// other version.
absl::StatusOr<CommonBuildOptions> ParseCommonBuildOptions(const ParsedArguments& args,
                                                           TokenVersion version);

// The common options of a kind that exists only in the 007 format; `kind`
// names it in the error for --version 006 ("chat tokens").
absl::StatusOr<CommonBuildOptions> ParseCommon007Options(const ParsedArguments& args,
                                                         std::string_view kind);

// Fails naming the first of `flags` given, which only 007 tokens take.
absl::Status RejectFlagsOf007(const ParsedArguments& args,
                              const std::vector<std::string_view>& flags);

absl::StatusOr<std::string> RequiredValue(const ParsedArguments& args, std::string_view flag);

// --role: publisher, subscriber, or (006 only) attendee and admin.
absl::StatusOr<RtcRole> ParseRole(std::string_view name);

// A 007 token takes only publisher and subscriber; `name` is the flag value.
absl::Status Check007Role(RtcRole role, std::string_view name);

// --channel, --uid N or --account S (exactly one), and --role.
struct RtcSubject {
  std::string channel_name;
  RtcUser user = uint32_t{0};
  RtcRole role = RtcRole::kPublisher;
  std::string role_name = "publisher";  // as given, for the errors
};
absl::StatusOr<RtcSubject> ParseRtcSubject(const ParsedArguments& args);

// The four per-privilege flags, each 0 when not given.
absl::StatusOr<RtcPrivilegeExpires> ReadPrivilegeExpires(const ParsedArguments& args);

// The core's expiry mapping (core/request_expiry.h) names the API's fields;
// this names the flags instead.
absl::Status InFlagTerms(const absl::Status& status);

// Loads the certificate, fixes the issuance (the flags', else now and a
// random salt) and prints the token `build(app, at)` makes, or its error.
int BuildAndPrint(const CommonBuildOptions& common, const ParsedArguments& args, CommandIo& io,
                  const std::function<absl::StatusOr<BuiltToken>(const AppCredentials& app,
                                                                 const Issuance& at)>& build);

// The run sequence of one kind: parse the flags, answer --help, turn the
// flags into `Options` (usage errors exit 2), then `build`.
template <typename Options>
int RunBuildKind(const std::vector<std::string>& args, CommandIo& io, UsageTopic topic,
                 const std::vector<FlagSpec>& flags,
                 absl::StatusOr<Options> (*parse)(const ParsedArguments&),
                 int (*build)(const Options&, const ParsedArguments&, CommandIo&)) {
  absl::StatusOr<ParsedArguments> parsed = ParsedArguments::Parse(args, flags, 0);
  if (!parsed.ok()) return ReportUsageError(io, topic, parsed.status());
  if (parsed->help_requested()) return PrintHelp(io, topic);
  absl::StatusOr<Options> options = parse(*parsed);
  if (!options.ok()) return ReportUsageError(io, topic, options.status());
  return build(*options, *parsed, io);
}

}  // namespace agora_token::cli

#endif  // AGORA_TOKEN_CLI_BUILD_SUPPORT_H_
