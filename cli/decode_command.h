// `agora-token decode TOKEN`: prints every field of a 006 or 007 token as
// JSON with its expiry state and, given the app certificate, whether the
// signature is valid (exit 3 if not). A 006 token carries only CRCs of its
// channel and user, so checking it also needs those from the command line.
#ifndef AGORA_TOKEN_CLI_DECODE_COMMAND_H_
#define AGORA_TOKEN_CLI_DECODE_COMMAND_H_

#include <string>
#include <vector>

#include "cli/command_io.h"

namespace agora_token::cli {

// `args` are the arguments after "decode".
int RunDecodeCommand(const std::vector<std::string>& args, CommandIo& io);

}  // namespace agora_token::cli

#endif  // AGORA_TOKEN_CLI_DECODE_COMMAND_H_
