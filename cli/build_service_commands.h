// `agora-token build fpa|apaas|convo-ai|stt|access-token`: the 007 kinds of
// core/service_builders.h and core/access_token2.h, each run as the kinds in
// build_command.cc are (build_support.h). `access-token` reads proto3 JSON,
// so it needs the gRPC build's protobuf library; without it, it is a usage
// error that says so.
#ifndef AGORA_TOKEN_CLI_BUILD_SERVICE_COMMANDS_H_
#define AGORA_TOKEN_CLI_BUILD_SERVICE_COMMANDS_H_

#include <string>
#include <vector>

#include "cli/command_io.h"

namespace agora_token::cli {

// Each takes the arguments after the kind's name.
int RunBuildFpa(const std::vector<std::string>& args, CommandIo& io);
int RunBuildApaas(const std::vector<std::string>& args, CommandIo& io);
int RunBuildConvoAi(const std::vector<std::string>& args, CommandIo& io);
int RunBuildStt(const std::vector<std::string>& args, CommandIo& io);
int RunBuildAccessToken(const std::vector<std::string>& args, CommandIo& io);

}  // namespace agora_token::cli

#endif  // AGORA_TOKEN_CLI_BUILD_SERVICE_COMMANDS_H_
