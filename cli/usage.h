// The usage text of the agora-token CLI, one section per command, so that a
// usage error can show the section of the command that was misused and
// `help` can show all of them. The exit codes are documented here too.
#ifndef AGORA_TOKEN_CLI_USAGE_H_
#define AGORA_TOKEN_CLI_USAGE_H_

#include <string>

namespace agora_token::cli {

enum class UsageTopic {
  kAll,
  kOverview,  // the command list and exit codes, for a missing or unknown command
  kBuild,     // every build command
  kBuildRtc,
  kBuildRtm,
  kBuildChat,
  kBuildFpa,
  kBuildApaas,
  kBuildConvoAiStt,  // convo-ai and stt take the same flags
  kBuildAccessToken,
  kDecode,
  kCall,
};

// The text for `topic`; every topic but kAll ends by pointing at `help`.
std::string UsageText(UsageTopic topic);

}  // namespace agora_token::cli

#endif  // AGORA_TOKEN_CLI_USAGE_H_
