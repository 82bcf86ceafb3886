// What every CLI command gets to work with (output streams, environment) and
// the two ways a command fails: a usage error (exit 2, with the command's
// usage text) or an error from the input or the core (exit 1). Keeping both
// here gives every command the same messages and exit codes.
#ifndef AGORA_TOKEN_CLI_COMMAND_IO_H_
#define AGORA_TOKEN_CLI_COMMAND_IO_H_

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cli/cli.h"
#include "cli/usage.h"

namespace agora_token::cli {

struct CommandIo {
  std::ostream& out;
  std::ostream& err;
  const Environment& env;
};

// A command: its arguments are those after the command's name.
using CommandFunction = int (*)(const std::vector<std::string>& args, CommandIo& io);

// Prints "agora-token: <message>" and the usage of `topic` to stderr; returns
// kExitUsage.
int ReportUsageError(CommandIo& io, UsageTopic topic, std::string_view message);
int ReportUsageError(CommandIo& io, UsageTopic topic, const absl::Status& status);

// Prints "error: <message>" to stderr; returns kExitError.
int ReportError(CommandIo& io, std::string_view message);
int ReportError(CommandIo& io, const absl::Status& status);

// Prints the usage of `topic` to stdout, as asked for; returns kExitOk.
int PrintHelp(CommandIo& io, UsageTopic topic);

}  // namespace agora_token::cli

#endif  // AGORA_TOKEN_CLI_COMMAND_IO_H_
