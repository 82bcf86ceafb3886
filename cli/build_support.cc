#include "cli/build_support.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "cli/certificate_source.h"
#include "cli/token_json.h"
#include "core/input_rules.h"

namespace agora_token::cli {
namespace {

// A 006 token's timestamp is its issue time plus the maximum lifetime.
constexpr uint32_t k006TokenLifetime = kMaxTokenLifetimeSeconds;

// Fixed parts from the flags, fresh ones (now, a random salt) for the rest.
Issuance ResolveIssuance(const CommonBuildOptions& options) {
  Issuance at;
  if (!options.salt.has_value() || !options.issue_ts.has_value()) {
    at = NewIssuance(SystemClock());
  }
  if (options.salt.has_value()) at.salt = *options.salt;
  if (options.issue_ts.has_value()) at.issue_ts = *options.issue_ts;
  return at;
}

absl::StatusOr<AppCredentials> LoadCredentials(const CommonBuildOptions& options,
                                               const ParsedArguments& args, CommandIo& io) {
  absl::StatusOr<std::optional<std::string>> certificate = LoadAppCertificate(args, io.env, io.err);
  if (!certificate.ok()) return certificate.status();
  if (!certificate->has_value()) {
    return absl::FailedPreconditionError(kMissingCertificateMessage);
  }
  return AppCredentials{options.app_id, **std::move(certificate)};
}

}  // namespace

std::vector<FlagSpec> WithCommonBuildFlags(std::vector<FlagSpec> flags) {
  for (const FlagSpec& common :
       {FlagSpec{"version"}, FlagSpec{"app-id"}, FlagSpec{"salt"}, FlagSpec{"ts"},
        FlagSpec{"issue-ts"}, FlagSpec{"fast", false}, FlagSpec{"json", false},
        FlagSpec{kAppCertificateFlag}, FlagSpec{kAppCertificateFileFlag}}) {
    flags.push_back(common);
  }
  return flags;
}

absl::StatusOr<TokenVersion> ParseVersion(const ParsedArguments& args) {
  std::optional<std::string> version = args.Value("version");
  if (!version.has_value() || *version == "007") return TokenVersion::k007;
  if (*version == "006") return TokenVersion::k006;
  return absl::InvalidArgumentError("--version must be 006 or 007");
}

absl::Status RejectFlagsOf007(const ParsedArguments& args,
                              const std::vector<std::string_view>& flags) {
  std::vector<std::string> given = args.GivenAmong(flags);
  if (given.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(given.front(), " applies only to 007 tokens (this is --version 006)"));
}

absl::StatusOr<std::string> RequiredValue(const ParsedArguments& args, std::string_view flag) {
  std::optional<std::string> value = args.Value(flag);
  if (!value.has_value())
    return absl::InvalidArgumentError(absl::StrCat("--", std::string(flag), " is required"));
  return *std::move(value);
}

absl::StatusOr<CommonBuildOptions> ParseCommonBuildOptions(const ParsedArguments& args,
                                                           TokenVersion version) {
  CommonBuildOptions options;
  options.version = version;
  if (absl::Status status = CheckCertificateFlags(args); !status.ok()) return status;
  absl::StatusOr<std::string> app_id = RequiredValue(args, "app-id");
  if (!app_id.ok()) return app_id.status();
  options.app_id = *std::move(app_id);
  absl::StatusOr<std::optional<uint32_t>> salt = args.Uint32("salt");
  if (!salt.ok()) return salt.status();
  options.salt = *salt;

  if (version == TokenVersion::k006) {
    if (args.Has("issue-ts")) {
      return absl::InvalidArgumentError(
          "--issue-ts is for 007 tokens; a 006 token takes --ts, its expiry (issue time + 86400)");
    }
    if (absl::Status status = RejectFlagsOf007(args, {"fast"}); !status.ok()) return status;
    absl::StatusOr<std::optional<uint32_t>> ts = args.Uint32("ts");
    if (!ts.ok()) return ts.status();
    if (ts->has_value()) {
      if (**ts < k006TokenLifetime) {
        return absl::InvalidArgumentError(
            absl::StrCat("--ts must be at least ", k006TokenLifetime,
                         ": a 006 token's timestamp is its issue time + ", k006TokenLifetime));
      }
      options.issue_ts = **ts - k006TokenLifetime;
    }
  } else {
    if (args.Has("ts")) {
      return absl::InvalidArgumentError(
          "--ts is the 006 token timestamp; a 007 token takes --issue-ts");
    }
    absl::StatusOr<std::optional<uint32_t>> issue_ts = args.Uint32("issue-ts");
    if (!issue_ts.ok()) return issue_ts.status();
    options.issue_ts = *issue_ts;
    if (args.Has("fast")) options.compression = Compression::kFast;
  }
  options.json = args.Has("json");
  return options;
}

absl::StatusOr<CommonBuildOptions> ParseCommon007Options(const ParsedArguments& args,
                                                         std::string_view kind) {
  absl::StatusOr<TokenVersion> version = ParseVersion(args);
  if (!version.ok()) return version.status();
  if (*version != TokenVersion::k007) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(kind), " exist only in the 007 format"));
  }
  return ParseCommonBuildOptions(args, *version);
}

absl::StatusOr<RtcRole> ParseRole(std::string_view name) {
  if (name == "publisher") return RtcRole::kPublisher;
  if (name == "subscriber") return RtcRole::kSubscriber;
  if (name == "attendee") return RtcRole::kAttendee;
  if (name == "admin") return RtcRole::kAdmin;
  return absl::InvalidArgumentError(
      "--role must be publisher or subscriber (006 also takes attendee or admin)");
}

absl::Status Check007Role(RtcRole role, std::string_view name) {
  if (role == RtcRole::kPublisher || role == RtcRole::kSubscriber) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "--role ", std::string(name),
      " is deprecated and valid only for 006 tokens; use --role publisher or --role subscriber"));
}

absl::StatusOr<RtcSubject> ParseRtcSubject(const ParsedArguments& args) {
  RtcSubject subject;
  absl::StatusOr<std::string> channel = RequiredValue(args, "channel");
  if (!channel.ok()) return channel.status();
  subject.channel_name = *std::move(channel);
  if (absl::Status status = AtMostOneOf(args, {"uid", "account"}); !status.ok()) return status;
  if (std::optional<std::string> account = args.Value("account")) {
    subject.user = *std::move(account);
  } else {
    absl::StatusOr<std::optional<uint32_t>> uid = args.Uint32("uid");
    if (!uid.ok()) return uid.status();
    if (!uid->has_value()) {
      return absl::InvalidArgumentError(
          "--uid or --account is required (--uid 0 lets any user in)");
    }
    subject.user = **uid;
  }
  if (std::optional<std::string> role = args.Value("role")) {
    absl::StatusOr<RtcRole> parsed_role = ParseRole(*role);
    if (!parsed_role.ok()) return parsed_role.status();
    subject.role = *parsed_role;
    subject.role_name = *std::move(role);
  }
  return subject;
}

absl::StatusOr<RtcPrivilegeExpires> ReadPrivilegeExpires(const ParsedArguments& args) {
  uint32_t values[4] = {};
  for (size_t i = 0; i < std::size(kPerPrivilegeFlags); ++i) {
    absl::StatusOr<uint32_t> value = args.Uint32Or(kPerPrivilegeFlags[i], 0);
    if (!value.ok()) return value.status();
    values[i] = *value;
  }
  return RtcPrivilegeExpires{values[0], values[1], values[2], values[3]};
}

absl::Status InFlagTerms(const absl::Status& status) {
  const std::optional<std::string> field = InvalidFieldName(status);
  if (!field.has_value()) return status;
  std::string_view rule(status.message().data(), status.message().size());
  rule.remove_prefix(std::min(rule.size(), field->size() + 2));
  const std::string flag = *field == "token_expire_seconds"
                               ? "--token-expire"
                               : "--" + absl::StrReplaceAll(*field, {{"_", "-"}});
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", std::string(rule)));
}

int BuildAndPrint(const CommonBuildOptions& common, const ParsedArguments& args, CommandIo& io,
                  const std::function<absl::StatusOr<BuiltToken>(const AppCredentials& app,
                                                                 const Issuance& at)>& build) {
  absl::StatusOr<AppCredentials> app = LoadCredentials(common, args, io);
  if (!app.ok()) return ReportError(io, app.status());
  absl::StatusOr<BuiltToken> built = build(*app, ResolveIssuance(common));
  if (!built.ok()) return ReportError(io, built.status());
  if (common.json) {
    io.out << DumpJson(BuiltTokenJson(*built)) << "\n";
  } else {
    io.out << built->token << "\n";
  }
  return kExitOk;
}

}  // namespace agora_token::cli
