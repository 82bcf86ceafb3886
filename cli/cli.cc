#include "cli/cli.h"

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cli/build_command.h"
#ifdef AGORA_TOKEN_CLI_WITH_CALL
#include "cli/call_command.h"
#endif
#include "cli/command_io.h"
#include "cli/decode_command.h"
#include "cli/usage.h"

namespace agora_token::cli {
namespace {

int RunHelpCommand(const std::vector<std::string>& /*args*/, CommandIo& io) {
  return PrintHelp(io, UsageTopic::kAll);
}

struct Command {
  std::string_view name;
  CommandFunction run;
};

// Every subcommand; a new one (e.g. `call`) is one function and one entry.
constexpr Command kCommands[] = {
    {"build", RunBuildCommand},
#ifdef AGORA_TOKEN_CLI_WITH_CALL
    {"call", RunCallCommand},
#endif
    {"decode", RunDecodeCommand},
    {"help", RunHelpCommand},
};

}  // namespace

Environment ReadProcessEnvironment() {
  Environment env;
  if (const char* certificate = std::getenv(kAppCertificateEnv)) {
    env.emplace(kAppCertificateEnv, certificate);
  }
  return env;
}

int Run(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
        const Environment& env) {
  CommandIo io{out, err, env};
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  if (args.empty()) return ReportUsageError(io, UsageTopic::kOverview, "no command given");
  if (args[0] == "--help" || args[0] == "-h") return PrintHelp(io, UsageTopic::kAll);
  for (const Command& command : kCommands) {
    if (args[0] == command.name) {
      return command.run(std::vector<std::string>(args.begin() + 1, args.end()), io);
    }
  }
  // The word is not echoed: it may be a secret typed in the wrong place.
  return ReportUsageError(io, UsageTopic::kOverview, "unknown command; try build, decode or help");
}

}  // namespace agora_token::cli
