// `agora-token build access-token`: a token holding any list of services,
// given as the gRPC API gives them (agora.token.v1.ServiceGrant in proto3
// JSON), so a grant written for BuildAccessToken works here unchanged and
// fails naming the same field ("services[1].room_uuid").
#include <google/protobuf/util/json_util.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "agora/token/v1/token_service.pb.h"
#include "cli/arguments.h"
#include "cli/build_service_commands.h"
#include "cli/build_support.h"
#include "core/access_token2.h"
#include "core/input_rules.h"
#include "server/service_grants.h"
#include "nlohmann/json.hpp"

namespace agora_token::cli {
namespace {

namespace v1 = agora::token::v1;

struct AccessTokenBuildOptions {
  CommonBuildOptions common;
  uint32_t token_expire = 0;
  std::vector<v1::ServiceGrant> services;
};

// Unknown fields are errors, so a misspelt field is not silently dropped.
absl::StatusOr<v1::ServiceGrant> ParseGrant(const std::string& json, size_t index) {
  v1::ServiceGrant grant;
  const auto status = google::protobuf::util::JsonStringToMessage(
      json, &grant, google::protobuf::util::JsonParseOptions());
  if (status.ok()) return grant;
  return absl::InvalidArgumentError(
      absl::StrCat("services[", index, "] is not an agora.token.v1.ServiceGrant in proto3 JSON: ",
                   std::string(status.message().data(), status.message().size())));
}

// --service (repeatable, one grant each) or --services (a JSON array).
absl::StatusOr<std::vector<v1::ServiceGrant>> ParseGrants(const ParsedArguments& args) {
  if (absl::Status status = AtMostOneOf(args, {"service", "services"}); !status.ok()) {
    return status;
  }
  std::vector<std::string> texts = args.Values("service");
  if (std::optional<std::string> array = args.Value("services")) {
    const nlohmann::json parsed =
        nlohmann::json::parse(*array, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_array()) {
      return absl::InvalidArgumentError("--services must be a JSON array of ServiceGrant objects");
    }
    for (const nlohmann::json& element : parsed) texts.push_back(element.dump());
  } else if (texts.empty()) {
    return absl::InvalidArgumentError("--service (once per service) or --services is required");
  }
  std::vector<v1::ServiceGrant> grants;
  for (size_t i = 0; i < texts.size(); ++i) {
    absl::StatusOr<v1::ServiceGrant> grant = ParseGrant(texts[i], i);
    if (!grant.ok()) return grant.status();
    grants.push_back(*std::move(grant));
  }
  return grants;
}

absl::StatusOr<AccessTokenBuildOptions> ParseAccessTokenOptions(const ParsedArguments& args) {
  AccessTokenBuildOptions options;
  absl::StatusOr<CommonBuildOptions> common = ParseCommon007Options(args, "access tokens");
  if (!common.ok()) return common.status();
  options.common = *std::move(common);
  absl::StatusOr<uint32_t> token_expire = args.Uint32Or("token-expire", 0);
  if (!token_expire.ok()) return token_expire.status();
  options.token_expire = *token_expire;
  absl::StatusOr<std::vector<v1::ServiceGrant>> services = ParseGrants(args);
  if (!services.ok()) return services.status();
  options.services = *std::move(services);
  return options;
}

absl::StatusOr<BuiltToken> BuildFromGrants(const AccessTokenBuildOptions& options,
                                           const AppCredentials& app, const Issuance& at) {
  AccessToken2Params params;
  params.token_expire = options.token_expire;
  for (size_t i = 0; i < options.services.size(); ++i) {
    absl::StatusOr<ServiceGrant> grant =
        ServiceGrantOf(options.services[i], absl::StrCat("services[", i, "]"));
    if (!grant.ok()) return grant.status();
    params.services.push_back(*std::move(grant));
  }
  return BuildAccessToken2(app, params, at, options.common.compression);
}

int BuildAccessToken(const AccessTokenBuildOptions& options, const ParsedArguments& args,
                     CommandIo& io) {
  return BuildAndPrint(options.common, args, io,
                       [&](const AppCredentials& app, const Issuance& at) {
                         return BuildFromGrants(options, app, at);
                       });
}

}  // namespace

int RunBuildAccessToken(const std::vector<std::string>& args, CommandIo& io) {
  return RunBuildKind<AccessTokenBuildOptions>(
      args, io, UsageTopic::kBuildAccessToken,
      WithCommonBuildFlags(
          {{"token-expire"}, {"service", true, /*repeatable=*/true}, {"services"}}),
      ParseAccessTokenOptions, BuildAccessToken);
}

}  // namespace agora_token::cli
