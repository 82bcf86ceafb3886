#include "cli/command_io.h"

namespace agora_token::cli {

int ReportUsageError(CommandIo& io, UsageTopic topic, std::string_view message) {
  io.err << "agora-token: " << message << "\n\n" << UsageText(topic);
  return kExitUsage;
}

int ReportUsageError(CommandIo& io, UsageTopic topic, const absl::Status& status) {
  return ReportUsageError(io, topic,
                          std::string_view(status.message().data(), status.message().size()));
}

int ReportError(CommandIo& io, std::string_view message) {
  io.err << "error: " << message << "\n";
  return kExitError;
}

int ReportError(CommandIo& io, const absl::Status& status) {
  // The core's messages name the field and never carry secrets.
  return ReportError(io, std::string_view(status.message().data(), status.message().size()));
}

int PrintHelp(CommandIo& io, UsageTopic topic) {
  io.out << UsageText(topic);
  return kExitOk;
}

}  // namespace agora_token::cli
