#include "cli/usage.h"

#include "absl/strings/str_cat.h"

namespace agora_token::cli {
namespace {

constexpr char kOverview[] =
    R"(agora-token: build, decode and verify Agora access tokens (006 and 007) offline.

Usage:
  agora-token build rtc  [flags]      build an RTC token (006 or 007)
  agora-token build rtm  [flags]      build an RTM token (006 or 007)
  agora-token build chat [flags]      build a Chat user or app token (007 only)
  agora-token decode TOKEN [flags]    show every field of a token and check it
  agora-token call RPC [REQUEST]      call a running token server (gRPC builds only)
  agora-token help                    show this text (also --help, -h, or after a command)

Flags are written --name value or --name=value. In the first form a value
that starts with "--" is taken as a missing value; write --name=--value.
)";

constexpr char kBuildRtc[] =
    R"(Usage: agora-token build rtc --app-id ID --channel NAME (--uid N | --account S) [flags]
  --version 006|007            token format (default 007)
  --app-id ID                  the app's ID: 32 hexadecimal characters
  --channel NAME               channel name: 1 to 64 bytes of a-z A-Z 0-9 space and
                               ! # $ % & ( ) + - : ; < = . > ? @ [ ] ^ _ { } | ~ ,
  --uid N                      integer user id, 0 to 4294967295 (0: any user)
  --account S                  string user account, 1 to 255 bytes (same characters)
  --role ROLE                  publisher (default) or subscriber; 006 also takes the
                               deprecated attendee and admin (same as publisher)
  --privilege-expired-ts T     unix time when the privileges expire (0: with the token);
                               with 007 it must be later than the issue time, is stored
                               as seconds after it, and without --token-expire the
                               token expires then too (as the server does)
 007 only:
  --token-expire S             seconds the token is valid (0 or over 86400: 86400)
  --privilege-expire S         seconds the role's privileges are valid (0: with the token)
  --join-expire S --publish-audio-expire S --publish-video-expire S --publish-data-expire S
                               per-privilege form, all four together, seconds each
                               (0: with the token); replaces --role and --privilege-expire
  --with-rtm                   also grant RTM login to the same user in the same token
)";

constexpr char kBuildRtm[] =
    R"(Usage: agora-token build rtm --app-id ID --user-id U [flags]
  --version 006|007            token format (default 007)
  --app-id ID                  the app's ID: 32 hexadecimal characters
  --user-id U                  RTM user id, 1 to 255 bytes
  --privilege-expired-ts T     006 only: unix time when the login privilege expires (0:
                               with the token); a 007 RTM token takes --token-expire
 007 only:
  --token-expire S             seconds the token is valid (0 or over 86400: 86400)
)";

constexpr char kBuildChat[] =
    R"(Usage: agora-token build chat --app-id ID (--user-id U | --app-token) [flags]
  --version 007                chat tokens exist only in the 007 format
  --app-id ID                  the app's ID: 32 hexadecimal characters
  --user-id U                  build a Chat user token for this user, 1 to 255 bytes
  --app-token                  build a Chat app token instead
  --token-expire S             seconds the token is valid (0 or over 86400: 86400)
)";

constexpr char kBuildCommon[] =
    R"( Every build command:
  --salt N                     fixed salt, 0 to 4294967295 (default: random)
  --ts T                       006 only: the token's own timestamp, i.e. its expiry
                               (default: now + 86400); the issue time is T - 86400
  --issue-ts T                 007 only: the issue time (default: now)
  --fast                       007 only: store the payload uncompressed; much cheaper
                               to build, about 24 characters longer
  --json                       print a JSON object (token, version, issue_ts, salt,
                               expire_ts, privileges) instead of the bare token
  The app certificate is required (see "App certificate" below).
  Prints the token on one line.
)";

constexpr char kDecode[] =
    R"(Usage: agora-token decode TOKEN [flags]
  Prints every field of the token as JSON, the effective expiry of each privilege
  and the token's state at --now: "valid", "token_expired" or "privilege_expired"
  (with the expired privileges). With an app certificate it also checks the
  signature: "valid", "invalid" (exit code 3) or "not_checked".
  --now T                      unix time to check the expiry against (default: now)
  --channel C (--uid U | --account S)
                               006 RTC tokens carry only CRCs of their channel and
                               user, so their signature is checked against these
  --rtm-user U                 006 RTM tokens: the user id to check against
  A 007 token carries its channel and user, so these flags do not apply to it.
)";

constexpr char kCertificate[] =
    R"(App certificate (required by build, optional for decode), in this order:
  --app-certificate-file F     a file holding it (trailing whitespace is ignored)
  --app-certificate VALUE      discouraged: other users of the machine can read a
                               process's arguments; prints a warning
  AGORA_APP_CERTIFICATE        environment variable
  The certificate is never printed.
)";

constexpr char kExitCodes[] =
    R"(Exit codes:
  0  success; for decode: the token parsed and its signature, if checked, is valid
  1  error: input rejected (the message names the field), no app certificate,
     unreadable certificate file
  2  usage error: unknown command or flag, missing or malformed value, number
     out of range (no silent truncation), conflicting flags
  3  decode: the signature does not match the app certificate
)";

constexpr char kCall[] =
    R"(Usage: agora-token call [--target HOST:PORT] [--deadline-ms N] RPC [REQUEST]
  Sends one request to a running token server and prints the response as JSON.
  RPC is one of BuildRtcTokenWithUid, BuildRtcTokenWithAccount, BuildRtmToken,
  BuildChatToken, BuildTokens, DecodeToken. REQUEST is the request message in
  protobuf text format (see proto/agora/token/v1/token_service.proto), e.g.
    agora-token call BuildRtcTokenWithUid \
      'app_id: "970CA35de60c44645bbae8a215061b33" channel_name: "demo" uid: 42'
  --target HOST:PORT           the server (default 127.0.0.1:50051)
  --deadline-ms N              deadline of the call, retries included (default 5000)
  A failed call prints the status and each invalid field, and exits 1.
)";

constexpr char kSeeHelp[] = "Run 'agora-token help' for all commands and the exit codes.\n";

}  // namespace

std::string UsageText(UsageTopic topic) {
  switch (topic) {
    case UsageTopic::kAll:
      return absl::StrCat(kOverview, "\n", kBuildRtc, "\n", kBuildRtm, "\n", kBuildChat, "\n",
                          kBuildCommon, "\n", kDecode, "\n", kCall, "\n", kCertificate, "\n",
                          kExitCodes);
    case UsageTopic::kOverview:
      return absl::StrCat(kOverview, "\n", kExitCodes, "\n", kSeeHelp);
    case UsageTopic::kBuild:
      return absl::StrCat(kBuildRtc, "\n", kBuildRtm, "\n", kBuildChat, "\n", kBuildCommon, "\n",
                          kCertificate, "\n", kSeeHelp);
    case UsageTopic::kBuildRtc:
      return absl::StrCat(kBuildRtc, kBuildCommon, "\n", kCertificate, "\n", kSeeHelp);
    case UsageTopic::kBuildRtm:
      return absl::StrCat(kBuildRtm, kBuildCommon, "\n", kCertificate, "\n", kSeeHelp);
    case UsageTopic::kBuildChat:
      return absl::StrCat(kBuildChat, kBuildCommon, "\n", kCertificate, "\n", kSeeHelp);
    case UsageTopic::kDecode:
      return absl::StrCat(kDecode, "\n", kCertificate, "\n", kSeeHelp);
    case UsageTopic::kCall:
      return absl::StrCat(kCall, "\n", kSeeHelp);
  }
  return kOverview;
}

}  // namespace agora_token::cli
