#include "cli/build_command.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/arguments.h"
#include "cli/build_service_commands.h"
#include "cli/build_support.h"
#include "core/access_token2.h"
#include "core/request_expiry.h"
#include "core/service_builders.h"
#include "core/token.h"

namespace agora_token::cli {
namespace {

// ---------------------------------------------------------------------------
// build rtc

struct RtcBuildOptions {
  CommonBuildOptions common;
  RtcSubject subject;
  std::optional<uint32_t> privilege_expired_ts;
  uint32_t token_expire = 0;
  uint32_t privilege_expire = 0;
  std::optional<RtcPrivilegeExpires> privilege_expires;
  bool with_rtm = false;
  std::optional<std::string> rtm_user_id;  // buildTokenWithRtm2
  uint32_t rtm_token_expire = 0;
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
                               {"with-rtm", false},
                               {"rtm-user-id"},
                               {"rtm-token-expire"}});
}

// The per-privilege form: all four flags or none. It replaces `replaced`,
// the flags of the role-based form.
absl::StatusOr<std::optional<RtcPrivilegeExpires>> ParsePrivilegeExpires(
    const ParsedArguments& args, const std::vector<std::string_view>& replaced) {
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
  std::vector<std::string> conflicting = args.GivenAmong(replaced);
  if (!conflicting.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the per-privilege expiries (--join-expire ...) replace ", conflicting.front(),
                     "; do not combine them"));
  }
  absl::StatusOr<RtcPrivilegeExpires> expires = ReadPrivilegeExpires(args);
  if (!expires.ok()) return expires.status();
  return std::optional<RtcPrivilegeExpires>(*expires);
}

// --rtm-user-id (and its --rtm-token-expire) instead of --with-rtm.
absl::Status ParseRtmUser(const ParsedArguments& args, RtcBuildOptions& options) {
  if (absl::Status status = AtMostOneOf(args, {"with-rtm", "rtm-user-id"}); !status.ok()) {
    return status;
  }
  options.rtm_user_id = args.Value("rtm-user-id");
  if (args.Has("rtm-token-expire") && !options.rtm_user_id.has_value()) {
    return absl::InvalidArgumentError("--rtm-token-expire needs --rtm-user-id");
  }
  absl::StatusOr<uint32_t> rtm_token_expire = args.Uint32Or("rtm-token-expire", 0);
  if (!rtm_token_expire.ok()) return rtm_token_expire.status();
  options.rtm_token_expire = *rtm_token_expire;
  return absl::OkStatus();
}

absl::StatusOr<RtcBuildOptions> ParseRtcOptions(const ParsedArguments& args) {
  absl::StatusOr<TokenVersion> version = ParseVersion(args);
  if (!version.ok()) return version.status();
  RtcBuildOptions options;
  absl::StatusOr<CommonBuildOptions> common = ParseCommonBuildOptions(args, *version);
  if (!common.ok()) return common.status();
  options.common = *std::move(common);
  if (*version == TokenVersion::k006) {
    absl::Status status =
        RejectFlagsOf007(args, {"token-expire", "privilege-expire", kPerPrivilegeFlags[0],
                                kPerPrivilegeFlags[1], kPerPrivilegeFlags[2], kPerPrivilegeFlags[3],
                                "with-rtm", "rtm-user-id", "rtm-token-expire"});
    if (!status.ok()) return status;
  }

  absl::StatusOr<RtcSubject> subject = ParseRtcSubject(args);
  if (!subject.ok()) return subject.status();
  options.subject = *std::move(subject);
  absl::StatusOr<std::optional<uint32_t>> privilege_expired_ts =
      args.Uint32("privilege-expired-ts");
  if (!privilege_expired_ts.ok()) return privilege_expired_ts.status();
  options.privilege_expired_ts = *privilege_expired_ts;

  if (*version == TokenVersion::k007) {
    absl::StatusOr<uint32_t> token_expire = args.Uint32Or("token-expire", 0);
    if (!token_expire.ok()) return token_expire.status();
    options.token_expire = *token_expire;
    if (absl::Status status = ParseRtmUser(args, options); !status.ok()) return status;
    // buildTokenWithRtm2 takes a role and the four expiries together.
    std::vector<std::string_view> replaced = {"privilege-expire", "privilege-expired-ts"};
    if (!options.rtm_user_id.has_value()) replaced.insert(replaced.begin(), "role");
    absl::StatusOr<std::optional<RtcPrivilegeExpires>> expires =
        ParsePrivilegeExpires(args, replaced);
    if (!expires.ok()) return expires.status();
    options.privilege_expires = *expires;
    if (absl::Status status = AtMostOneOf(args, {"privilege-expire", "privilege-expired-ts"});
        !status.ok()) {
      return status;
    }
    absl::StatusOr<uint32_t> privilege_expire = args.Uint32Or("privilege-expire", 0);
    if (!privilege_expire.ok()) return privilege_expire.status();
    options.privilege_expire = *privilege_expire;
    options.with_rtm = args.Has("with-rtm");
  }
  return options;
}

absl::StatusOr<BuiltToken> BuildRtc007(const RtcBuildOptions& options, const AppCredentials& app,
                                       const Issuance& at) {
  Rtc007Params params;
  params.channel_name = options.subject.channel_name;
  params.user = options.subject.user;
  params.role = options.subject.role;
  params.token_expire = options.token_expire;
  params.privilege_expire = options.privilege_expire;
  if (options.privilege_expired_ts.has_value()) {
    // The server's mapping: the token expires then too, unless --token-expire.
    absl::StatusOr<Expiry007> spans =
        RtcExpiry007({*options.privilege_expired_ts, options.token_expire}, at.issue_ts);
    if (!spans.ok()) return InFlagTerms(spans.status());
    params.token_expire = spans->token_expire;
    params.privilege_expire = spans->privilege_expire;
  }
  params.privilege_expires = options.privilege_expires;
  params.with_rtm = options.with_rtm;
  const Compression compression = options.common.compression;
  if (!options.rtm_user_id.has_value()) return BuildRtcToken007(app, params, at, compression);

  RtcWithRtmParams with_rtm;
  with_rtm.channel_name = params.channel_name;
  with_rtm.user = params.user;
  with_rtm.role = params.role;
  with_rtm.token_expire = params.token_expire;
  const uint32_t role_expire = params.privilege_expire;
  with_rtm.privilege_expires = params.privilege_expires.value_or(
      RtcPrivilegeExpires{role_expire, role_expire, role_expire, role_expire});
  with_rtm.rtm_user_id = *options.rtm_user_id;
  with_rtm.rtm_token_expire = options.rtm_token_expire;
  return BuildRtcTokenWithRtm2(app, with_rtm, at, compression);
}

int BuildRtc(const RtcBuildOptions& options, const ParsedArguments& args, CommandIo& io) {
  const CommonBuildOptions& common = options.common;
  if (common.version == TokenVersion::k006) {
    return BuildAndPrint(common, args, io, [&](const AppCredentials& app, const Issuance& at) {
      Rtc006Params params;
      params.channel_name = options.subject.channel_name;
      params.user = options.subject.user;
      params.role = options.subject.role;
      params.privilege_expired_ts = options.privilege_expired_ts.value_or(0);
      return BuildRtcToken006(app, params, at);
    });
  }
  if (absl::Status status = Check007Role(options.subject.role, options.subject.role_name);
      !status.ok()) {
    return ReportError(io, status);
  }
  return BuildAndPrint(common, args, io, [&](const AppCredentials& app, const Issuance& at) {
    return BuildRtc007(options, app, at);
  });
}

int RunBuildRtc(const std::vector<std::string>& args, CommandIo& io) {
  return RunBuildKind<RtcBuildOptions>(args, io, UsageTopic::kBuildRtc, RtcFlags(), ParseRtcOptions,
                                       BuildRtc);
}

// ---------------------------------------------------------------------------
// build rtm

struct RtmBuildOptions {
  CommonBuildOptions common;
  std::string user_id;
  std::optional<uint32_t> privilege_expired_ts;
  uint32_t token_expire = 0;
  bool rtm2 = false;  // RtmTokenBuilder2.buildTokenWithPermissions
  std::vector<Rtm2Resource> rtm2_resources;
};

struct SymbolicId {
  std::string_view name;
  uint16_t id;
};

constexpr SymbolicId kRtm2ResourceTypes[] = {{"message-channels", kRtm2MessageChannels},
                                             {"stream-channels", kRtm2StreamChannels},
                                             {"group-channels", kRtm2GroupChannels},
                                             {"server-groups", kRtm2ServerGroups},
                                             {"users", kRtm2Users}};
constexpr SymbolicId kRtm2PermissionTypes[] = {{"read", kRtm2Read}, {"write", kRtm2Write}};

template <size_t N>
std::optional<uint16_t> IdOf(const SymbolicId (&table)[N], std::string_view name) {
  for (const SymbolicId& entry : table) {
    if (entry.name == name) return entry.id;
  }
  return std::nullopt;
}

// --permission TYPE:PERMISSION:NAME, one name each (a name may itself hold
// ':' and ','), gathered into one entry per type and permission with the
// names in command-line order, as the reference's maps hold them.
absl::StatusOr<std::vector<Rtm2Resource>> ParsePermissions(const std::vector<std::string>& flags) {
  std::vector<Rtm2Resource> resources;
  for (const std::string& flag : flags) {
    const size_t first = flag.find(':');
    const size_t second = first == std::string::npos ? first : flag.find(':', first + 1);
    std::optional<uint16_t> type;
    std::optional<uint16_t> permission;
    if (second != std::string::npos) {
      type = IdOf(kRtm2ResourceTypes, std::string_view(flag).substr(0, first));
      permission =
          IdOf(kRtm2PermissionTypes, std::string_view(flag).substr(first + 1, second - first - 1));
    }
    if (!type.has_value() || !permission.has_value()) {
      return absl::InvalidArgumentError(
          "--permission must be TYPE:PERMISSION:NAME with TYPE message-channels, "
          "stream-channels, group-channels, server-groups or users and PERMISSION read or write");
    }
    auto resource = std::find_if(resources.begin(), resources.end(),
                                 [&](const Rtm2Resource& r) { return r.resource_type == *type; });
    if (resource == resources.end()) resource = resources.insert(resources.end(), {*type, {}});
    auto entry =
        std::find_if(resource->permissions.begin(), resource->permissions.end(),
                     [&](const Rtm2Permission& p) { return p.permission_type == *permission; });
    if (entry == resource->permissions.end()) {
      entry = resource->permissions.insert(resource->permissions.end(), {*permission, {}});
    }
    entry->names.push_back(flag.substr(second + 1));
  }
  return resources;
}

absl::StatusOr<RtmBuildOptions> ParseRtmOptions(const ParsedArguments& args) {
  absl::StatusOr<TokenVersion> version = ParseVersion(args);
  if (!version.ok()) return version.status();
  RtmBuildOptions options;
  absl::StatusOr<CommonBuildOptions> common = ParseCommonBuildOptions(args, *version);
  if (!common.ok()) return common.status();
  options.common = *std::move(common);
  if (*version == TokenVersion::k006) {
    if (absl::Status status = RejectFlagsOf007(args, {"token-expire", "rtm2", "permission"});
        !status.ok()) {
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
  absl::StatusOr<uint32_t> token_expire = args.Uint32Or("token-expire", 0);
  if (!token_expire.ok()) return token_expire.status();
  options.token_expire = *token_expire;
  absl::StatusOr<std::vector<Rtm2Resource>> resources = ParsePermissions(args.Values("permission"));
  if (!resources.ok()) return resources.status();
  options.rtm2_resources = *std::move(resources);
  options.rtm2 = args.Has("rtm2") || args.Has("permission");
  return options;
}

int BuildRtm(const RtmBuildOptions& options, const ParsedArguments& args, CommandIo& io) {
  const CommonBuildOptions& common = options.common;
  return BuildAndPrint(common, args, io, [&](const AppCredentials& app, const Issuance& at) {
    if (common.version == TokenVersion::k006) {
      return BuildRtmToken006(app, options.user_id, options.privilege_expired_ts.value_or(0), at);
    }
    absl::StatusOr<uint32_t> token_expire =
        TokenExpire007({options.privilege_expired_ts.value_or(0), options.token_expire});
    if (!token_expire.ok()) return absl::StatusOr<BuiltToken>(InFlagTerms(token_expire.status()));
    if (options.rtm2) {
      return BuildRtm2Token(app, {options.user_id, options.rtm2_resources, *token_expire}, at,
                            common.compression);
    }
    return BuildRtmToken007(app, options.user_id, *token_expire, at, common.compression);
  });
}

int RunBuildRtm(const std::vector<std::string>& args, CommandIo& io) {
  return RunBuildKind<RtmBuildOptions>(
      args, io, UsageTopic::kBuildRtm,
      WithCommonBuildFlags({{"user-id"},
                            {"privilege-expired-ts"},
                            {"token-expire"},
                            {"rtm2", false},
                            {"permission", true, /*repeatable=*/true}}),
      ParseRtmOptions, BuildRtm);
}

// ---------------------------------------------------------------------------
// build chat

struct ChatBuildOptions {
  CommonBuildOptions common;
  std::string user_id;  // empty for an app token
  uint32_t token_expire = 0;
};

absl::StatusOr<ChatBuildOptions> ParseChatOptions(const ParsedArguments& args) {
  ChatBuildOptions options;
  absl::StatusOr<CommonBuildOptions> common = ParseCommon007Options(args, "chat tokens");
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
  absl::StatusOr<uint32_t> token_expire = args.Uint32Or("token-expire", 0);
  if (!token_expire.ok()) return token_expire.status();
  options.token_expire = *token_expire;
  return options;
}

int BuildChat(const ChatBuildOptions& options, const ParsedArguments& args, CommandIo& io) {
  return BuildAndPrint(options.common, args, io,
                       [&](const AppCredentials& app, const Issuance& at) {
                         return BuildChatToken007(app, options.user_id, options.token_expire, at,
                                                  options.common.compression);
                       });
}

int RunBuildChat(const std::vector<std::string>& args, CommandIo& io) {
  return RunBuildKind<ChatBuildOptions>(
      args, io, UsageTopic::kBuildChat,
      WithCommonBuildFlags({{"user-id"}, {"app-token", false}, {"token-expire"}}), ParseChatOptions,
      BuildChat);
}

struct BuildKind {
  std::string_view name;
  CommandFunction run;
};

constexpr BuildKind kBuildKinds[] = {
    {"rtc", RunBuildRtc},     {"rtm", RunBuildRtm},
    {"chat", RunBuildChat},   {"fpa", RunBuildFpa},
    {"apaas", RunBuildApaas}, {"convo-ai", RunBuildConvoAi},
    {"stt", RunBuildStt},     {"access-token", RunBuildAccessToken},
};

std::string KindList() {
  std::vector<std::string> names;
  for (const BuildKind& kind : kBuildKinds) names.emplace_back(kind.name);
  return absl::StrJoin(names, ", ");
}

}  // namespace

int RunBuildCommand(const std::vector<std::string>& args, CommandIo& io) {
  if (args.empty()) {
    return ReportUsageError(io, UsageTopic::kBuild,
                            absl::StrCat("build needs a token kind: ", KindList()));
  }
  if (args[0] == "--help" || args[0] == "-h") return PrintHelp(io, UsageTopic::kBuild);
  for (const BuildKind& kind : kBuildKinds) {
    if (args[0] == kind.name) {
      return kind.run(std::vector<std::string>(args.begin() + 1, args.end()), io);
    }
  }
  // The unknown word is not echoed: it may be a value typed in the wrong place.
  return ReportUsageError(io, UsageTopic::kBuild,
                          absl::StrCat("unknown token kind; build takes ", KindList()));
}

}  // namespace agora_token::cli
