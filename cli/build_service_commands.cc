#include "cli/build_service_commands.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cli/arguments.h"
#include "cli/build_support.h"
#include "core/service_builders.h"

namespace agora_token::cli {
namespace {

// ---------------------------------------------------------------------------
// build fpa

absl::StatusOr<CommonBuildOptions> ParseFpaOptions(const ParsedArguments& args) {
  return ParseCommon007Options(args, "FPA tokens");
}

int BuildFpa(const CommonBuildOptions& common, const ParsedArguments& args, CommandIo& io) {
  return BuildAndPrint(common, args, io, [&](const AppCredentials& app, const Issuance& at) {
    return BuildFpaToken(app, at, common.compression);
  });
}

// ---------------------------------------------------------------------------
// build apaas

struct ApaasBuildOptions {
  CommonBuildOptions common;
  ApaasTokenParams params;
};

struct ApaasKindName {
  std::string_view name;
  ApaasTokenKind kind;
  std::vector<std::string_view> flags;  // required; the others must be absent
};

const std::vector<ApaasKindName>& ApaasKinds() {
  static const auto* kinds = new std::vector<ApaasKindName>{
      {"room-user", ApaasTokenKind::kRoomUser, {"room-uuid", "user-uuid", "role"}},
      {"user", ApaasTokenKind::kUser, {"user-uuid"}},
      {"app", ApaasTokenKind::kApp, {}},
  };
  return *kinds;
}

absl::StatusOr<ApaasBuildOptions> ParseApaasOptions(const ParsedArguments& args) {
  ApaasBuildOptions options;
  absl::StatusOr<CommonBuildOptions> common = ParseCommon007Options(args, "APaaS tokens");
  if (!common.ok()) return common.status();
  options.common = *std::move(common);
  absl::StatusOr<std::string> kind_name = RequiredValue(args, "kind");
  if (!kind_name.ok()) return kind_name.status();
  const ApaasKindName* kind = nullptr;
  for (const ApaasKindName& candidate : ApaasKinds()) {
    if (candidate.name == *kind_name) kind = &candidate;
  }
  if (kind == nullptr) return absl::InvalidArgumentError("--kind must be room-user, user or app");
  for (std::string_view flag : {"room-uuid", "user-uuid", "role"}) {
    const bool wanted =
        std::find(kind->flags.begin(), kind->flags.end(), flag) != kind->flags.end();
    if (wanted && !args.Has(flag)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--kind ", std::string(kind->name), " needs --", std::string(flag)));
    }
    if (!wanted && args.Has(flag)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", std::string(flag), " does not apply to --kind ", std::string(kind->name)));
    }
  }
  options.params.kind = kind->kind;
  options.params.room_uuid = args.Value("room-uuid").value_or("");
  options.params.user_uuid = args.Value("user-uuid").value_or("");
  absl::StatusOr<std::optional<int32_t>> role = args.Int32("role");
  if (!role.ok()) return role.status();
  options.params.role = role->value_or(-1);
  absl::StatusOr<uint32_t> expire = args.Uint32Or("expire", 0);
  if (!expire.ok()) return expire.status();
  options.params.token_expire = *expire;
  return options;
}

int BuildApaas(const ApaasBuildOptions& options, const ParsedArguments& args, CommandIo& io) {
  return BuildAndPrint(
      options.common, args, io, [&](const AppCredentials& app, const Issuance& at) {
        return BuildApaasToken(app, options.params, at, options.common.compression);
      });
}

// ---------------------------------------------------------------------------
// build convo-ai | stt: buildTokenWithRtm2's parameters plus the agent's
// service.

struct RtcWithRtmBuildOptions {
  CommonBuildOptions common;
  RtcWithRtmParams params;
};

std::vector<FlagSpec> RtcWithRtmFlags() {
  return WithCommonBuildFlags({{"channel"},
                               {"uid"},
                               {"account"},
                               {"role"},
                               {"token-expire"},
                               {kPerPrivilegeFlags[0]},
                               {kPerPrivilegeFlags[1]},
                               {kPerPrivilegeFlags[2]},
                               {kPerPrivilegeFlags[3]},
                               {"rtm-user-id"},
                               {"rtm-token-expire"}});
}

absl::StatusOr<RtcWithRtmBuildOptions> ParseRtcWithRtmOptions(const ParsedArguments& args,
                                                              std::string_view kind) {
  RtcWithRtmBuildOptions options;
  absl::StatusOr<CommonBuildOptions> common = ParseCommon007Options(args, kind);
  if (!common.ok()) return common.status();
  options.common = *std::move(common);
  absl::StatusOr<RtcSubject> subject = ParseRtcSubject(args);
  if (!subject.ok()) return subject.status();
  if (absl::Status status = Check007Role(subject->role, subject->role_name); !status.ok()) {
    return status;
  }
  RtcWithRtmParams& params = options.params;
  params.channel_name = subject->channel_name;
  params.user = subject->user;
  params.role = subject->role;
  absl::StatusOr<uint32_t> token_expire = args.Uint32Or("token-expire", 0);
  if (!token_expire.ok()) return token_expire.status();
  params.token_expire = *token_expire;
  absl::StatusOr<RtcPrivilegeExpires> expires = ReadPrivilegeExpires(args);
  if (!expires.ok()) return expires.status();
  params.privilege_expires = *expires;
  absl::StatusOr<std::string> rtm_user_id = RequiredValue(args, "rtm-user-id");
  if (!rtm_user_id.ok()) return rtm_user_id.status();
  params.rtm_user_id = *std::move(rtm_user_id);
  absl::StatusOr<uint32_t> rtm_token_expire = args.Uint32Or("rtm-token-expire", 0);
  if (!rtm_token_expire.ok()) return rtm_token_expire.status();
  params.rtm_token_expire = *rtm_token_expire;
  return options;
}

absl::StatusOr<RtcWithRtmBuildOptions> ParseConvoAiOptions(const ParsedArguments& args) {
  return ParseRtcWithRtmOptions(args, "ConvoAI tokens");
}

absl::StatusOr<RtcWithRtmBuildOptions> ParseSttOptions(const ParsedArguments& args) {
  return ParseRtcWithRtmOptions(args, "STT tokens");
}

int BuildConvoAi(const RtcWithRtmBuildOptions& options, const ParsedArguments& args,
                 CommandIo& io) {
  return BuildAndPrint(
      options.common, args, io, [&](const AppCredentials& app, const Issuance& at) {
        return BuildConvoAiToken(app, options.params, at, options.common.compression);
      });
}

int BuildStt(const RtcWithRtmBuildOptions& options, const ParsedArguments& args, CommandIo& io) {
  return BuildAndPrint(options.common, args, io,
                       [&](const AppCredentials& app, const Issuance& at) {
                         return BuildSttToken(app, options.params, at, options.common.compression);
                       });
}

}  // namespace

int RunBuildFpa(const std::vector<std::string>& args, CommandIo& io) {
  return RunBuildKind<CommonBuildOptions>(args, io, UsageTopic::kBuildFpa, WithCommonBuildFlags({}),
                                          ParseFpaOptions, BuildFpa);
}

int RunBuildApaas(const std::vector<std::string>& args, CommandIo& io) {
  return RunBuildKind<ApaasBuildOptions>(
      args, io, UsageTopic::kBuildApaas,
      WithCommonBuildFlags({{"kind"}, {"room-uuid"}, {"user-uuid"}, {"role"}, {"expire"}}),
      ParseApaasOptions, BuildApaas);
}

int RunBuildConvoAi(const std::vector<std::string>& args, CommandIo& io) {
  return RunBuildKind<RtcWithRtmBuildOptions>(args, io, UsageTopic::kBuildConvoAiStt,
                                              RtcWithRtmFlags(), ParseConvoAiOptions, BuildConvoAi);
}

int RunBuildStt(const std::vector<std::string>& args, CommandIo& io) {
  return RunBuildKind<RtcWithRtmBuildOptions>(args, io, UsageTopic::kBuildConvoAiStt,
                                              RtcWithRtmFlags(), ParseSttOptions, BuildStt);
}

#ifndef AGORA_TOKEN_CLI_WITH_PROTO
int RunBuildAccessToken(const std::vector<std::string>& /*args*/, CommandIo& io) {
  return ReportUsageError(io, UsageTopic::kBuildAccessToken,
                          "build access-token reads agora.token.v1.ServiceGrant JSON and needs "
                          "a build with the gRPC API (-DAGORA_TOKEN_BUILD_SERVER=ON)");
}
#endif

}  // namespace agora_token::cli
