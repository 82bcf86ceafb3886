// `agora-token call`: sends one request, written in protobuf text format, to
// a running token server and prints the response as JSON. Built only with
// the gRPC parts (AGORA_TOKEN_BUILD_SERVER), so the offline tool stays
// gRPC-free.
#ifndef AGORA_TOKEN_CLI_CALL_COMMAND_H_
#define AGORA_TOKEN_CLI_CALL_COMMAND_H_

#include <string>
#include <vector>

#include "cli/command_io.h"

namespace agora_token::cli {

int RunCallCommand(const std::vector<std::string>& args, CommandIo& io);

}  // namespace agora_token::cli

#endif  // AGORA_TOKEN_CLI_CALL_COMMAND_H_
