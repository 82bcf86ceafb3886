#include "cli/usage.h"

#include "absl/strings/str_cat.h"

namespace agora_token::cli {
namespace {

constexpr char kOverview[] =
    R"(agora-token: build, decode and verify Agora access tokens (006 and 007) offline.

Usage:
  agora-token build rtc  [flags]      build an RTC token (006 or 007), optionally with RTM
  agora-token build rtm  [flags]      build an RTM token (006 or 007), or RTM2 with permissions
  agora-token build chat [flags]      build a Chat user or app token (007 only)
  agora-token build fpa  [flags]      build an FPA token (007 only)
  agora-token build apaas [flags]     build a Flexible Classroom (APaaS) token (007 only)
  agora-token build convo-ai [flags]  build a Conversational AI agent token (007 only)
  agora-token build stt [flags]       build a speech-to-text token (007 only)
  agora-token build access-token [flags]
                                      build a token holding any services (007 only)
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
  --rtm-user-id U              also grant RTM login to RTM user U, who need not be the
                               RTC user (the reference's buildTokenWithRtm2); 1 to 64
                               bytes. Takes --role with either form of expiries (the
                               role-based --privilege-expire sets all four)
  --rtm-token-expire S         with --rtm-user-id: seconds the RTM login is valid
                               (0: with the token)
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
  --rtm2                       build the RTM 2.x service (type 8) instead of RTM, as the
                               reference's buildTokenWithPermissions; user id 1 to 64 bytes
  --permission TYPE:PERMISSION:NAME
                               RTM2 (implies --rtm2): grant PERMISSION (read or write) on
                               the resource NAME of TYPE: message-channels, stream-channels,
                               group-channels, server-groups or users. Repeat it, one name
                               each (NAME is everything after the second ':'); at most 64.
                               Errors name the element as the API does, with one
                               rtm2_resources entry per TYPE and one permissions entry per
                               PERMISSION, in the order first given
  e.g. --permission message-channels:read:lobby --permission users:write:bob
)";

constexpr char kBuildChat[] =
    R"(Usage: agora-token build chat --app-id ID (--user-id U | --app-token) [flags]
  --version 007                chat tokens exist only in the 007 format
  --app-id ID                  the app's ID: 32 hexadecimal characters
  --user-id U                  build a Chat user token for this user, 1 to 255 bytes
  --app-token                  build a Chat app token instead
  --token-expire S             seconds the token is valid (0 or over 86400: 86400)
)";

constexpr char kBuildFpa[] =
    R"(Usage: agora-token build fpa --app-id ID [flags]
  FpaTokenBuilder.buildToken: FPA login for 24 hours. Takes only the flags below.
)";

constexpr char kBuildApaas[] =
    R"(Usage: agora-token build apaas --app-id ID --kind KIND [flags]
  ApaasTokenBuilder (and EducationTokenBuilder):
  --kind room-user             buildRoomUserToken: APaaS room user, plus RTM login for
                               the user and Chat for the md5 hex of the user uuid; needs
                               --room-uuid, --user-uuid and --role
  --kind user                  buildUserToken; needs --user-uuid
  --kind app                   buildAppToken, for the app's own servers
  --room-uuid R                the room: 1 to 64 bytes (the channel-name characters)
  --user-uuid U                the user: 1 to 255 bytes of UTF-8, no NUL
  --role N                     the user's role in the room, -1 (none) to 32767 (Flexible
                               Classroom: 1 teacher, 2 student, 3 assistant)
  --expire S                   seconds the token and its privileges are valid (0 or over
                               86400: 86400)
)";

constexpr char kBuildConvoAiStt[] =
    R"(Usage: agora-token build convo-ai|stt --app-id ID --channel NAME (--uid N | --account S)
                                    --rtm-user-id U [flags]
  ConvoAITokenBuilder.buildToken and SttTokenBuilder.buildToken: RTC for the user,
  RTM login for U (who need not be the RTC user) and the agent's service.
  --channel NAME               channel name as for build rtc, or "*" with a named user
  --uid N | --account S        the RTC user, as for build rtc
  --role ROLE                  publisher (default) or subscriber (join only)
  --token-expire S             seconds the token is valid (0 or over 86400: 86400)
  --join-expire S --publish-audio-expire S --publish-video-expire S --publish-data-expire S
                               seconds each RTC privilege is valid; each defaults to 0
                               (with the token); a subscriber uses --join-expire only
  --rtm-user-id U              the RTM user id, 1 to 64 bytes (required)
  --rtm-token-expire S         seconds the RTM login is valid (0: with the token)
)";

constexpr char kBuildAccessToken[] =
    R"(Usage: agora-token build access-token --app-id ID (--service JSON ... | --services JSON)
  The AccessToken2 layer under every builder, and the only way to Streaming (3) and
  FCDN (6) tokens. Each service is an agora.token.v1.ServiceGrant in proto3 JSON, as
  the BuildAccessToken RPC takes it (proto/agora/token/v1/token_service.proto: which
  fields and privilege ids each type takes); field and enum names as in the .proto or
  in lowerCamelCase, enums by name or number. Unknown fields are usage errors; a field
  a type does not take fails naming it, e.g. services[1].room_uuid.
  --service JSON               one service; repeat it, 1 to 16 in all
  --services JSON              all services as one JSON array instead
  --token-expire S             seconds the token is valid (0 or over 86400: 86400)
  e.g. --service '{"type": "SERVICE_TYPE_FCDN", "channel_name": "live", "privileges":
         [{"privilege": 2, "expire_seconds": 3600}]}' --service '{"type": 4,
         "privileges": [{"privilege": 1}]}'
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
  BuildChatToken, BuildAccessToken, BuildFpaToken, BuildApaasToken, BuildConvoAiToken,
  BuildSttToken, BuildTokens, DecodeToken. REQUEST is the request message in
  protobuf text format (see proto/agora/token/v1/token_service.proto), e.g.
    agora-token call BuildRtcTokenWithUid \
      'app_id: "970CA35de60c44645bbae8a215061b33" channel_name: "demo" uid: 42'
  --target HOST:PORT           the server (default 127.0.0.1:50051)
  --deadline-ms N              deadline of the call, retries included (default 5000)
  A failed call prints the status and each invalid field, and exits 1.
)";

constexpr char kSeeHelp[] = "Run 'agora-token help' for all commands and the exit codes.\n";

std::string BuildSections() {
  return absl::StrCat(kBuildRtc, "\n", kBuildRtm, "\n", kBuildChat, "\n", kBuildFpa, "\n",
                      kBuildApaas, "\n", kBuildConvoAiStt, "\n", kBuildAccessToken, "\n");
}

// One build kind's section with what every build command takes.
std::string BuildKindText(const char* kind) {
  return absl::StrCat(kind, kBuildCommon, "\n", kCertificate, "\n", kSeeHelp);
}

}  // namespace

std::string UsageText(UsageTopic topic) {
  switch (topic) {
    case UsageTopic::kAll:
      return absl::StrCat(kOverview, "\n", BuildSections(), kBuildCommon, "\n", kDecode, "\n",
                          kCall, "\n", kCertificate, "\n", kExitCodes);
    case UsageTopic::kOverview:
      return absl::StrCat(kOverview, "\n", kExitCodes, "\n", kSeeHelp);
    case UsageTopic::kBuild:
      return absl::StrCat(BuildSections(), kBuildCommon, "\n", kCertificate, "\n", kSeeHelp);
    case UsageTopic::kBuildRtc:
      return BuildKindText(kBuildRtc);
    case UsageTopic::kBuildRtm:
      return BuildKindText(kBuildRtm);
    case UsageTopic::kBuildChat:
      return BuildKindText(kBuildChat);
    case UsageTopic::kBuildFpa:
      return BuildKindText(kBuildFpa);
    case UsageTopic::kBuildApaas:
      return BuildKindText(kBuildApaas);
    case UsageTopic::kBuildConvoAiStt:
      return BuildKindText(kBuildConvoAiStt);
    case UsageTopic::kBuildAccessToken:
      return BuildKindText(kBuildAccessToken);
    case UsageTopic::kDecode:
      return absl::StrCat(kDecode, "\n", kCertificate, "\n", kSeeHelp);
    case UsageTopic::kCall:
      return absl::StrCat(kCall, "\n", kSeeHelp);
  }
  return kOverview;
}

}  // namespace agora_token::cli
