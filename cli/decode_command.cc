#include "cli/decode_command.h"

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cli/arguments.h"
#include "cli/certificate_source.h"
#include "cli/token_json.h"
#include "core/token.h"

namespace agora_token::cli {
namespace {

struct DecodeOptions {
  std::string token;
  std::optional<uint32_t> now;
  // What a 006 token was built for, if the command line says.
  std::optional<Token006Subject> subject;
};

std::vector<FlagSpec> DecodeFlags() {
  return {{"channel"},
          {"uid"},
          {"account"},
          {"rtm-user"},
          {"now"},
          {kAppCertificateFlag},
          {kAppCertificateFileFlag}};
}

absl::StatusOr<DecodeOptions> ParseDecodeOptions(const ParsedArguments& args) {
  DecodeOptions options;
  if (args.positionals().empty()) return absl::InvalidArgumentError("decode needs a TOKEN");
  options.token = args.positionals().front();
  if (absl::Status status = CheckCertificateFlags(args); !status.ok()) return status;
  absl::StatusOr<std::optional<uint32_t>> now = args.Uint32("now");
  if (!now.ok()) return now.status();
  options.now = *now;

  if (absl::Status status = AtMostOneOf(args, {"uid", "account"}); !status.ok()) return status;
  if (std::optional<std::string> rtm_user = args.Value("rtm-user")) {
    std::vector<std::string> rtc_flags = args.GivenAmong({"channel", "uid", "account"});
    if (!rtc_flags.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--rtm-user is for RTM tokens and cannot be used with ", rtc_flags.front()));
    }
    options.subject = Token006Subject::ForRtm(*std::move(rtm_user));
    return options;
  }
  std::optional<std::string> channel = args.Value("channel");
  bool has_user = args.Has("uid") || args.Has("account");
  if (channel.has_value() != has_user) {
    return absl::InvalidArgumentError(
        "--channel goes with --uid or --account: a 006 token is bound to both");
  }
  if (!channel.has_value()) return options;
  RtcUser user = uint32_t{0};
  if (std::optional<std::string> account = args.Value("account")) {
    user = *std::move(account);
  } else {
    absl::StatusOr<std::optional<uint32_t>> uid = args.Uint32("uid");
    if (!uid.ok()) return uid.status();
    user = **uid;
  }
  options.subject = Token006Subject::ForRtc(*std::move(channel), user);
  return options;
}

int Decode(const DecodeOptions& options, const ParsedArguments& args, CommandIo& io) {
  absl::StatusOr<std::optional<std::string>> certificate = LoadAppCertificate(args, io.env, io.err);
  if (!certificate.ok()) return ReportError(io, certificate.status());
  absl::StatusOr<DecodedToken> token = DecodeToken(options.token);
  if (!token.ok()) return ReportError(io, token.status());

  uint32_t now = options.now.has_value() ? *options.now : SystemClock().NowUnixSeconds();
  Json json = DecodedTokenJson(*token, CheckExpiry(*token, now), now);

  bool signature_invalid = false;
  if (!certificate->has_value()) {
    json["signature"] = "not_checked";
    json["signature_not_checked_because"] = "no app certificate was given";
  } else if (token->version == TokenVersion::k006 && !options.subject.has_value()) {
    json["signature"] = "not_checked";
    json["signature_not_checked_because"] =
        "a 006 token carries only CRCs of its channel and user: pass --channel with --uid or "
        "--account, or --rtm-user";
  } else {
    if (token->version == TokenVersion::k007 && options.subject.has_value()) {
      io.err << "note: --channel, --uid, --account and --rtm-user are for 006 tokens; a 007 "
                "token carries its channel and user, shown in the output\n";
    }
    const Token006Subject* subject =
        token->version == TokenVersion::k006 ? &*options.subject : nullptr;
    absl::Status verified = VerifySignature(*token, **certificate, subject);
    if (verified.ok()) {
      json["signature"] = "valid";
    } else if (verified.code() == absl::StatusCode::kPermissionDenied) {
      json["signature"] = "invalid";
      signature_invalid = true;
    } else {
      // An unusable certificate: the message names the field, not the value.
      return ReportError(io, verified);
    }
  }
  io.out << DumpJson(json) << "\n";
  return signature_invalid ? kExitInvalidSignature : kExitOk;
}

}  // namespace

int RunDecodeCommand(const std::vector<std::string>& args, CommandIo& io) {
  absl::StatusOr<ParsedArguments> parsed = ParsedArguments::Parse(args, DecodeFlags(), 1);
  if (!parsed.ok()) return ReportUsageError(io, UsageTopic::kDecode, parsed.status());
  if (parsed->help_requested()) return PrintHelp(io, UsageTopic::kDecode);
  absl::StatusOr<DecodeOptions> options = ParseDecodeOptions(*parsed);
  if (!options.ok()) {
    return ReportUsageError(io, UsageTopic::kDecode, options.status());
  }
  return Decode(*options, *parsed, io);
}

}  // namespace agora_token::cli
