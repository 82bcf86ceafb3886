#include "cli/build_command.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "cli/arguments.h"
#include "cli/certificate_source.h"
#include "cli/token_json.h"
#include "core/input_rules.h"
#include "core/request_expiry.h"
#include "core/token.h"

namespace agora_token::cli {
namespace {

// A 006 token's timestamp is its issue time plus the maximum lifetime.
constexpr uint32_t k006TokenLifetime = kMaxTokenLifetimeSeconds;

constexpr std::string_view kPerPrivilegeFlags[] = {"join-expire", "publish-audio-expire",
                                                   "publish-video-expire", "publish-data-expire"};

std::vector<FlagSpec> WithCommonBuildFlags(std::vector<FlagSpec> flags) {
  for (const FlagSpec& common :
       {FlagSpec{"version"}, FlagSpec{"app-id"}, FlagSpec{"salt"}, FlagSpec{"ts"},
        FlagSpec{"issue-ts"}, FlagSpec{"fast", false}, FlagSpec{"json", false},
        FlagSpec{kAppCertificateFlag}, FlagSpec{kAppCertificateFileFlag}}) {
    flags.push_back(common);
  }
  return flags;
}

// What every build command takes, after the usage checks.
struct CommonBuildOptions {
  TokenVersion version = TokenVersion::k007;
  std::string app_id;
  std::optional<uint32_t> salt;
  std::optional<uint32_t> issue_ts;  // from --issue-ts (007) or --ts - 86400 (006)
  Compression compression = Compression::kCompatible;
  bool json = false;
};

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

// The core's expiry mapping (core/request_expiry.h) speaks of the API's
// fields; the command line has flags.
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

int PrintBuiltToken(const absl::StatusOr<BuiltToken>& built, bool json, CommandIo& io) {
  if (!built.ok()) return ReportError(io, built.status());
  if (json) {
    io.out << DumpJson(BuiltTokenJson(*built)) << "\n";
  } else {
    io.out << built->token << "\n";
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------
// build rtc

struct RtcBuildOptions {
  CommonBuildOptions common;
  std::string channel_name;
  RtcUser user = uint32_t{0};
  std::string role_name = "publisher";
  RtcRole role = RtcRole::kPublisher;
  std::optional<uint32_t> privilege_expired_ts;
  uint32_t token_expire = 0;
  uint32_t privilege_expire = 0;
  std::optional<RtcPrivilegeExpires> privilege_expires;
  bool with_rtm = false;
};

std::vector<FlagSpec> RtcFlags() {
  return WithCommonBuildFlags({{"channel"},
                               {"uid"},
                               {"account"},
                               {"role"},
                               {"privilege-expired-ts"},
                               {"token-expire"},
                               {"privilege-expire"},
                               {kPerPrivilegeFlags[0]},
                               {kPerPrivilegeFlags[1]},
                               {kPerPrivilegeFlags[2]},
                               {kPerPrivilegeFlags[3]},
                               {"with-rtm", false}});
}

absl::StatusOr<RtcRole> ParseRole(std::string_view name) {
  if (name == "publisher") return RtcRole::kPublisher;
  if (name == "subscriber") return RtcRole::kSubscriber;
  if (name == "attendee") return RtcRole::kAttendee;
  if (name == "admin") return RtcRole::kAdmin;
  return absl::InvalidArgumentError(
      "--role must be publisher or subscriber (006 also takes attendee or admin)");
}

absl::StatusOr<RtcUser> ParseRtcUser(const ParsedArguments& args) {
  if (absl::Status status = AtMostOneOf(args, {"uid", "account"}); !status.ok()) return status;
  if (std::optional<std::string> account = args.Value("account")) return RtcUser(*account);
  absl::StatusOr<std::optional<uint32_t>> uid = args.Uint32("uid");
  if (!uid.ok()) return uid.status();
  if (!uid->has_value()) {
    return absl::InvalidArgumentError("--uid or --account is required (--uid 0 lets any user in)");
  }
  return RtcUser(**uid);
}

absl::StatusOr<std::optional<RtcPrivilegeExpires>> ParsePrivilegeExpires(
    const ParsedArguments& args) {
  std::vector<std::string_view> all(std::begin(kPerPrivilegeFlags), std::end(kPerPrivilegeFlags));
  std::vector<std::string> given = args.GivenAmong(all);
  if (given.empty()) return std::optional<RtcPrivilegeExpires>();
  if (given.size() < all.size()) {
    std::vector<std::string> missing;
    for (std::string_view flag : all) {
      if (!args.Has(flag)) missing.push_back(absl::StrCat("--", std::string(flag)));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "the per-privilege form needs all four expiries; missing ", absl::StrJoin(missing, ", ")));
  }
  std::vector<std::string> conflicting =
      args.GivenAmong({"role", "privilege-expire", "privilege-expired-ts"});
  if (!conflicting.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the per-privilege expiries (--join-expire ...) replace ", conflicting.front(),
                     "; do not combine them"));
  }
  uint32_t values[4] = {};
  for (size_t i = 0; i < all.size(); ++i) {
    absl::StatusOr<std::optional<uint32_t>> value = args.Uint32(all[i]);
    if (!value.ok()) return value.status();
    values[i] = **value;
  }
  return std::optional<RtcPrivilegeExpires>(
      RtcPrivilegeExpires{values[0], values[1], values[2], values[3]});
}

absl::StatusOr<RtcBuildOptions> ParseRtcOptions(const ParsedArguments& args) {
  absl::StatusOr<TokenVersion> version = ParseVersion(args);
  if (!version.ok()) return version.status();
  RtcBuildOptions options;
  absl::StatusOr<CommonBuildOptions> common = ParseCommonBuildOptions(args, *version);
  if (!common.ok()) return common.status();
  options.common = *std::move(common);
  if (*version == TokenVersion::k006) {
    absl::Status status = RejectFlagsOf007(
        args, {"token-expire", "privilege-expire", kPerPrivilegeFlags[0], kPerPrivilegeFlags[1],
               kPerPrivilegeFlags[2], kPerPrivilegeFlags[3], "with-rtm"});
    if (!status.ok()) return status;
  }

  absl::StatusOr<std::string> channel = RequiredValue(args, "channel");
  if (!channel.ok()) return channel.status();
  options.channel_name = *std::move(channel);
  absl::StatusOr<RtcUser> user = ParseRtcUser(args);
  if (!user.ok()) return user.status();
  options.user = *std::move(user);
  if (std::optional<std::string> role = args.Value("role")) {
    absl::StatusOr<RtcRole> parsed_role = ParseRole(*role);
    if (!parsed_role.ok()) return parsed_role.status();
    options.role = *parsed_role;
    options.role_name = *role;
  }
  absl::StatusOr<std::optional<uint32_t>> privilege_expired_ts =
      args.Uint32("privilege-expired-ts");
  if (!privilege_expired_ts.ok()) return privilege_expired_ts.status();
  options.privilege_expired_ts = *privilege_expired_ts;

  if (*version == TokenVersion::k007) {
    absl::StatusOr<std::optional<uint32_t>> token_expire = args.Uint32("token-expire");
    if (!token_expire.ok()) return token_expire.status();
    options.token_expire = token_expire->value_or(0);
    absl::StatusOr<std::optional<RtcPrivilegeExpires>> expires = ParsePrivilegeExpires(args);
    if (!expires.ok()) return expires.status();
    options.privilege_expires = *expires;
    if (absl::Status status = AtMostOneOf(args, {"privilege-expire", "privilege-expired-ts"});
        !status.ok()) {
      return status;
    }
    absl::StatusOr<std::optional<uint32_t>> privilege_expire = args.Uint32("privilege-expire");
    if (!privilege_expire.ok()) return privilege_expire.status();
    options.privilege_expire = privilege_expire->value_or(0);
    options.with_rtm = args.Has("with-rtm");
  }
  return options;
}

int BuildRtc(const RtcBuildOptions& options, const ParsedArguments& args, CommandIo& io) {
  const CommonBuildOptions& common = options.common;
  if (common.version == TokenVersion::k007 && options.role != RtcRole::kPublisher &&
      options.role != RtcRole::kSubscriber) {
    return ReportError(io, absl::StrCat("--role ", options.role_name,
                                        " is deprecated and valid only for 006 tokens; use "
                                        "--role publisher or --role subscriber"));
  }
  absl::StatusOr<AppCredentials> app = LoadCredentials(common, args, io);
  if (!app.ok()) return ReportError(io, app.status());
  Issuance at = ResolveIssuance(common);

  if (common.version == TokenVersion::k006) {
    Rtc006Params params;
    params.channel_name = options.channel_name;
    params.user = options.user;
    params.role = options.role;
    params.privilege_expired_ts = options.privilege_expired_ts.value_or(0);
    return PrintBuiltToken(BuildRtcToken006(*app, params, at), common.json, io);
  }

  Rtc007Params params;
  params.channel_name = options.channel_name;
  params.user = options.user;
  params.role = options.role;
  params.token_expire = options.token_expire;
  params.privilege_expire = options.privilege_expire;
  if (options.privilege_expired_ts.has_value()) {
    // The server's mapping: the token expires then too, unless --token-expire.
    absl::StatusOr<Expiry007> spans =
        RtcExpiry007({*options.privilege_expired_ts, options.token_expire}, at.issue_ts);
    if (!spans.ok()) return ReportError(io, InFlagTerms(spans.status()));
    params.token_expire = spans->token_expire;
    params.privilege_expire = spans->privilege_expire;
  }
  params.privilege_expires = options.privilege_expires;
  params.with_rtm = options.with_rtm;
  return PrintBuiltToken(BuildRtcToken007(*app, params, at, common.compression), common.json, io);
}

int RunBuildRtc(const std::vector<std::string>& args, CommandIo& io) {
  absl::StatusOr<ParsedArguments> parsed = ParsedArguments::Parse(args, RtcFlags(), 0);
  if (!parsed.ok()) return ReportUsageError(io, UsageTopic::kBuildRtc, parsed.status());
  if (parsed->help_requested()) return PrintHelp(io, UsageTopic::kBuildRtc);
  absl::StatusOr<RtcBuildOptions> options = ParseRtcOptions(*parsed);
  if (!options.ok()) {
    return ReportUsageError(io, UsageTopic::kBuildRtc, options.status());
  }
  return BuildRtc(*options, *parsed, io);
}

// ---------------------------------------------------------------------------
// build rtm

struct RtmBuildOptions {
  CommonBuildOptions common;
  std::string user_id;
  std::optional<uint32_t> privilege_expired_ts;
  uint32_t token_expire = 0;
};

absl::StatusOr<RtmBuildOptions> ParseRtmOptions(const ParsedArguments& args) {
  absl::StatusOr<TokenVersion> version = ParseVersion(args);
  if (!version.ok()) return version.status();
  RtmBuildOptions options;
  absl::StatusOr<CommonBuildOptions> common = ParseCommonBuildOptions(args, *version);
  if (!common.ok()) return common.status();
  options.common = *std::move(common);
  if (*version == TokenVersion::k006) {
    if (absl::Status status = RejectFlagsOf007(args, {"token-expire"}); !status.ok()) {
      return status;
    }
  } else if (absl::Status status = AtMostOneOf(args, {"privilege-expired-ts", "token-expire"});
             !status.ok()) {
    return status;
  }
  absl::StatusOr<std::string> user_id = RequiredValue(args, "user-id");
  if (!user_id.ok()) return user_id.status();
  options.user_id = *std::move(user_id);
  absl::StatusOr<std::optional<uint32_t>> privilege_expired_ts =
      args.Uint32("privilege-expired-ts");
  if (!privilege_expired_ts.ok()) return privilege_expired_ts.status();
  options.privilege_expired_ts = *privilege_expired_ts;
  absl::StatusOr<std::optional<uint32_t>> token_expire = args.Uint32("token-expire");
  if (!token_expire.ok()) return token_expire.status();
  options.token_expire = token_expire->value_or(0);
  return options;
}

int BuildRtm(const RtmBuildOptions& options, const ParsedArguments& args, CommandIo& io) {
  const CommonBuildOptions& common = options.common;
  absl::StatusOr<AppCredentials> app = LoadCredentials(common, args, io);
  if (!app.ok()) return ReportError(io, app.status());
  Issuance at = ResolveIssuance(common);
  if (common.version == TokenVersion::k006) {
    return PrintBuiltToken(
        BuildRtmToken006(*app, options.user_id, options.privilege_expired_ts.value_or(0), at),
        common.json, io);
  }
  absl::StatusOr<uint32_t> token_expire =
      TokenExpire007({options.privilege_expired_ts.value_or(0), options.token_expire});
  if (!token_expire.ok()) return ReportError(io, InFlagTerms(token_expire.status()));
  return PrintBuiltToken(
      BuildRtmToken007(*app, options.user_id, *token_expire, at, common.compression), common.json,
      io);
}

int RunBuildRtm(const std::vector<std::string>& args, CommandIo& io) {
  absl::StatusOr<ParsedArguments> parsed = ParsedArguments::Parse(
      args, WithCommonBuildFlags({{"user-id"}, {"privilege-expired-ts"}, {"token-expire"}}), 0);
  if (!parsed.ok()) return ReportUsageError(io, UsageTopic::kBuildRtm, parsed.status());
  if (parsed->help_requested()) return PrintHelp(io, UsageTopic::kBuildRtm);
  absl::StatusOr<RtmBuildOptions> options = ParseRtmOptions(*parsed);
  if (!options.ok()) {
    return ReportUsageError(io, UsageTopic::kBuildRtm, options.status());
  }
  return BuildRtm(*options, *parsed, io);
}

// ---------------------------------------------------------------------------
// build chat

struct ChatBuildOptions {
  CommonBuildOptions common;
  std::string user_id;  // empty for an app token
  uint32_t token_expire = 0;
};

absl::StatusOr<ChatBuildOptions> ParseChatOptions(const ParsedArguments& args) {
  absl::StatusOr<TokenVersion> version = ParseVersion(args);
  if (!version.ok()) return version.status();
  if (*version != TokenVersion::k007) {
    return absl::InvalidArgumentError("chat tokens exist only in the 007 format");
  }
  ChatBuildOptions options;
  absl::StatusOr<CommonBuildOptions> common = ParseCommonBuildOptions(args, *version);
  if (!common.ok()) return common.status();
  options.common = *std::move(common);
  if (absl::Status status = AtMostOneOf(args, {"user-id", "app-token"}); !status.ok()) {
    return status;
  }
  if (std::optional<std::string> user_id = args.Value("user-id")) {
    // The core reads an empty user id as "app token"; that must be asked for.
    if (user_id->empty()) {
      return absl::InvalidArgumentError(
          "--user-id must not be empty; use --app-token for a Chat app token");
    }
    options.user_id = *std::move(user_id);
  } else if (!args.Has("app-token")) {
    return absl::InvalidArgumentError("--user-id or --app-token is required");
  }
  absl::StatusOr<std::optional<uint32_t>> token_expire = args.Uint32("token-expire");
  if (!token_expire.ok()) return token_expire.status();
  options.token_expire = token_expire->value_or(0);
  return options;
}

int BuildChat(const ChatBuildOptions& options, const ParsedArguments& args, CommandIo& io) {
  const CommonBuildOptions& common = options.common;
  absl::StatusOr<AppCredentials> app = LoadCredentials(common, args, io);
  if (!app.ok()) return ReportError(io, app.status());
  Issuance at = ResolveIssuance(common);
  return PrintBuiltToken(
      BuildChatToken007(*app, options.user_id, options.token_expire, at, common.compression),
      common.json, io);
}

int RunBuildChat(const std::vector<std::string>& args, CommandIo& io) {
  absl::StatusOr<ParsedArguments> parsed = ParsedArguments::Parse(
      args, WithCommonBuildFlags({{"user-id"}, {"app-token", false}, {"token-expire"}}), 0);
  if (!parsed.ok()) {
    return ReportUsageError(io, UsageTopic::kBuildChat, parsed.status());
  }
  if (parsed->help_requested()) return PrintHelp(io, UsageTopic::kBuildChat);
  absl::StatusOr<ChatBuildOptions> options = ParseChatOptions(*parsed);
  if (!options.ok()) {
    return ReportUsageError(io, UsageTopic::kBuildChat, options.status());
  }
  return BuildChat(*options, *parsed, io);
}

struct BuildKind {
  std::string_view name;
  CommandFunction run;
};

constexpr BuildKind kBuildKinds[] = {
    {"rtc", RunBuildRtc},
    {"rtm", RunBuildRtm},
    {"chat", RunBuildChat},
};

}  // namespace

int RunBuildCommand(const std::vector<std::string>& args, CommandIo& io) {
  if (args.empty()) {
    return ReportUsageError(io, UsageTopic::kBuild, "build needs a token kind: rtc, rtm or chat");
  }
  if (args[0] == "--help" || args[0] == "-h") return PrintHelp(io, UsageTopic::kBuild);
  for (const BuildKind& kind : kBuildKinds) {
    if (args[0] == kind.name) {
      return kind.run(std::vector<std::string>(args.begin() + 1, args.end()), io);
    }
  }
  // The unknown word is not echoed: it may be a value typed in the wrong place.
  return ReportUsageError(io, UsageTopic::kBuild,
                          "unknown token kind; build takes rtc, rtm or chat");
}

}  // namespace agora_token::cli
