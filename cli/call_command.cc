#include "cli/call_command.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "cli/arguments.h"
#include "clients/cpp/token_client.h"

namespace agora_token::cli {
namespace {

namespace v1 = agora::token::v1;

// Parses the request text into the RPC's request type, calls it, and
// returns the response as JSON (or the error).
using RpcCaller =
    std::function<absl::StatusOr<std::string>(const TokenClient&, const std::string& request_text)>;

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) return absl::InternalError("cannot print the response as JSON");
  return json;
}

template <typename Request, typename Response>
RpcCaller Caller(absl::StatusOr<Response> (TokenClient::*method)(const Request&) const) {
  return
      [method](const TokenClient& client, const std::string& text) -> absl::StatusOr<std::string> {
        Request request;
        if (!google::protobuf::TextFormat::ParseFromString(text, &request)) {
          return absl::InvalidArgumentError(
              absl::StrCat("the request is not valid protobuf text format for ",
                           Request::descriptor()->full_name()));
        }
        absl::StatusOr<Response> response = (client.*method)(request);
        if (!response.ok()) return response.status();
        return ToJson(*response);
      };
}

const std::map<std::string, RpcCaller>& Rpcs() {
  static const auto* rpcs = new std::map<std::string, RpcCaller>{
      {"BuildRtcTokenWithUid", Caller(&TokenClient::BuildRtcTokenWithUid)},
      {"BuildRtcTokenWithAccount", Caller(&TokenClient::BuildRtcTokenWithAccount)},
      {"BuildRtmToken", Caller(&TokenClient::BuildRtmToken)},
      {"BuildChatToken", Caller(&TokenClient::BuildChatToken)},
      {"BuildAccessToken", Caller(&TokenClient::BuildAccessToken)},
      {"BuildFpaToken", Caller(&TokenClient::BuildFpaToken)},
      {"BuildApaasToken", Caller(&TokenClient::BuildApaasToken)},
      {"BuildConvoAiToken", Caller(&TokenClient::BuildConvoAiToken)},
      {"BuildSttToken", Caller(&TokenClient::BuildSttToken)},
      {"BuildTokens", Caller(&TokenClient::BuildTokens)},
      {"DecodeToken", Caller(&TokenClient::DecodeToken)},
  };
  return *rpcs;
}

// The status, and each field violation on its own line.
int ReportRpcError(CommandIo& io, const absl::Status& status) {
  io.err << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message()
         << "\n";
  for (const FieldViolation& violation : FieldViolations(status)) {
    io.err << "  field " << violation.field << ": " << violation.description << "\n";
  }
  return kExitError;
}

}  // namespace

int RunCallCommand(const std::vector<std::string>& args, CommandIo& io) {
  absl::StatusOr<ParsedArguments> parsed =
      ParsedArguments::Parse(args, {{"target"}, {"deadline-ms"}}, 2);
  if (!parsed.ok()) return ReportUsageError(io, UsageTopic::kCall, parsed.status());
  if (parsed->help_requested()) return PrintHelp(io, UsageTopic::kCall);
  const std::vector<std::string>& positionals = parsed->positionals();
  if (positionals.empty()) return ReportUsageError(io, UsageTopic::kCall, "name the RPC to call");
  const auto rpc = Rpcs().find(positionals[0]);
  if (rpc == Rpcs().end()) {
    return ReportUsageError(io, UsageTopic::kCall, "unknown RPC; see the list of RPCs");
  }
  absl::StatusOr<std::optional<uint32_t>> deadline_ms = parsed->Uint32("deadline-ms");
  if (!deadline_ms.ok()) return ReportUsageError(io, UsageTopic::kCall, deadline_ms.status());
  if (deadline_ms->has_value() && **deadline_ms == 0) {
    return ReportUsageError(io, UsageTopic::kCall, "--deadline-ms must be positive");
  }

  TokenClientOptions options;
  options.deadline = std::chrono::milliseconds(deadline_ms->value_or(5000));
  const TokenClient client(parsed->Value("target").value_or("127.0.0.1:50051"), options);
  absl::StatusOr<std::string> json =
      rpc->second(client, positionals.size() > 1 ? positionals[1] : std::string());
  if (!json.ok()) return ReportRpcError(io, json.status());
  io.out << *json;  // MessageToJsonString ends with a newline
  return kExitOk;
}

}  // namespace agora_token::cli
