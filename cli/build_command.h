// `agora-token build rtc|rtm|chat`: turns flags into the core builders'
// parameters, builds the token and prints it (or a JSON view of it). The
// command line is checked completely (exit 2) before anything is built, and
// the core's own validation errors come out as "error: ..." (exit 1).
#ifndef AGORA_TOKEN_CLI_BUILD_COMMAND_H_
#define AGORA_TOKEN_CLI_BUILD_COMMAND_H_

#include <string>
#include <vector>

#include "cli/command_io.h"

namespace agora_token::cli {

// `args` are the arguments after "build": the token kind, then its flags.
int RunBuildCommand(const std::vector<std::string>& args, CommandIo& io);

}  // namespace agora_token::cli

#endif  // AGORA_TOKEN_CLI_BUILD_COMMAND_H_
