// libFuzzer target for the server's request handling, without gRPC: the
// bytes a client could put in any TokenService request go through the same
// handlers the service layer calls, against an in-memory ServingState and a
// fixed clock. The first input byte chooses the RPC (low 3 bits: the six
// first RPCs, BuildAccessToken, BuildConvoAiToken; the other new kinds come
// through BuildTokens items), the
// handler options (0x08: 006 is the default version, 0x10: fast
// compression) and the caller (0x40: development mode with an audit log,
// 0x80: a restricted caller policy with an audit log, neither: development
// mode without one); the rest is parsed as that RPC's request message. Any status is a fine answer;
// a crash, undefined behaviour, leak or hang is not (the sanitizers and -timeout catch those), and
// neither is a broken promise, checked here:
// - an OK build carries a non-empty token that the core decodes, of the
//   requested app, signed with its primary certificate, issued now and valid
//   now, whose response fields are what the core reads from the token;
// - a batch answers every item, and every token in it keeps the above;
// - an OK DecodeToken answer never says UNSPECIFIED;
// - under the restricted policy, nothing it forbids is ever issued;
// - every audit record is one line of valid JSON (UTF-8) that holds no token
//   the call issued;
// - no error, audit line or DecodeToken answer carries a keyring certificate
//   the request did not itself contain.
// tests/fuzz/make_corpus.py writes the seeds; its app ids are the ones below.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "agora/token/v1/keyring.pb.h"
#include "agora/token/v1/server_config.pb.h"
#include "agora/token/v1/token_service.pb.h"
#include "core/token.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/audit_log.h"
#include "server/build_handlers.h"
#include "server/callers.h"
#include "server/decode_handler.h"
#include "server/grpc_status.h"
#include "server/keyring.h"
#include "server/metrics.h"
#include "server/service_layer.h"
#include "server/serving_state.h"

namespace {

namespace v1 = agora::token::v1;

// The server's "now" (2023-11-14T22:13:20Z), as in tests/server.
constexpr uint32_t kNow = 1700000000;

// Agora's public sample app, the official vectors' app: the seed tokens of
// tests/vectors decode against it.
constexpr char kSampleAppId[] = "970CA35de60c44645bbae8a215061b33";
constexpr char kSampleCertificate[] = "5CFd2fd1755d40ecb72977518be15d3b";
// An app in certificate rotation: builds sign with the primary, decoding
// also accepts the secondary.
constexpr char kRotatingAppId[] = "fedcba9876543210fedcba9876543210";
constexpr char kRotatingPrimary[] = "5f4e3d2c1b0a99887766554433221100";
constexpr char kRotatingSecondary[] = "00112233445566778899aabbccddeeff";

constexpr const char* kAllCertificates[] = {kSampleCertificate, kRotatingPrimary,
                                            kRotatingSecondary};

// The restricted caller: the sample app only, RTC 007 and RTM only, channels
// starting "room", tokens living at most an hour, no decoding.
constexpr char kRestrictedChannelPrefix[] = "room";
constexpr uint32_t kRestrictedMaxLifetime = 3600;

void Require(bool condition, const char* what) {
  if (condition) return;
  // Says which promise broke, never the token or a certificate.
  std::fprintf(stderr, "request_validation_fuzz: broken promise: %s\n", what);
  std::abort();
}

std::shared_ptr<const agora_token::Keyring> NewKeyring() {
  v1::Keyring proto;
  v1::AppKey* sample = proto.add_apps();
  sample->set_app_id(kSampleAppId);
  sample->mutable_primary_certificate()->set_value(kSampleCertificate);
  v1::AppKey* rotating = proto.add_apps();
  rotating->set_app_id(kRotatingAppId);
  rotating->mutable_primary_certificate()->set_value(kRotatingPrimary);
  rotating->mutable_secondary_certificate()->set_value(kRotatingSecondary);
  absl::StatusOr<std::shared_ptr<const agora_token::Keyring>> keyring =
      agora_token::Keyring::FromProto(proto, "/nonexistent");
  Require(keyring.ok(), "the fuzzer's keyring loads");
  return *keyring;
}

// The restricted caller's API key: SHA-256 in the directory, the key in the
// call's credentials.
constexpr char kRestrictedKey[] = "fuzz-restricted-key-0123456789abcdef";

std::shared_ptr<const agora_token::CallerDirectory> NewRestrictedDirectory() {
  v1::ServerConfig config;
  v1::Caller* caller = config.add_callers();
  caller->set_name("fuzz-restricted");
  const agora_token::Sha256Digest digest = agora_token::Sha256(kRestrictedKey);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 15]);
  }
  caller->add_api_key_sha256(hex);
  v1::CallerPolicy* proto = caller->mutable_policy();
  proto->add_app_ids(kSampleAppId);
  proto->add_token_kinds(v1::TOKEN_KIND_RTC_007);
  proto->add_token_kinds(v1::TOKEN_KIND_RTM);
  proto->set_max_token_lifetime_seconds(kRestrictedMaxLifetime);
  proto->add_channel_name_prefixes(kRestrictedChannelPrefix);
  absl::StatusOr<std::shared_ptr<const agora_token::CallerDirectory>> directory =
      agora_token::CallerDirectory::FromProto(config, /*mtls=*/false);
  Require(directory.ok(), "the fuzzer's caller directory loads");
  return *directory;
}

// The audit log writes into a pipe whose read end the fuzzer drains after
// every input, so each record can be checked.
struct AuditPipe {
  int read_fd = -1;
  int write_fd = -1;
};

AuditPipe NewAuditPipe() {
  int fds[2];
  Require(pipe2(fds, O_CLOEXEC) == 0, "a pipe for the audit log");
  Require(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0, "a non-blocking audit pipe");
  // Room for a whole batch's records (a few KiB each at most).
  fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
  return AuditPipe{fds[0], fds[1]};
}

// Built once: the handlers are const; Metrics only counts and the audit log
// is drained after every input.
struct Fixture {
  std::shared_ptr<const agora_token::Keyring> keyring = NewKeyring();
  agora_token::FixedClock clock{kNow};
  agora_token::Metrics metrics;
  std::shared_ptr<const agora_token::CallerDirectory> open = agora_token::CallerDirectory::Open();
  std::shared_ptr<const agora_token::CallerDirectory> restricted = NewRestrictedDirectory();
  AuditPipe audit_pipe = NewAuditPipe();
  std::shared_ptr<agora_token::AuditLog> audit =
      std::make_shared<agora_token::AuditLog>(audit_pipe.write_fd, &metrics);
  std::shared_ptr<agora_token::AuditLog> no_audit = agora_token::AuditLog::Disabled();
};

Fixture& TheFixture() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

std::string PrimaryCertificateOf(const std::string& app_id) {
  if (app_id == kSampleAppId) return kSampleCertificate;
  if (app_id == kRotatingAppId) return kRotatingPrimary;
  return "";
}

// True when `text` holds a keyring certificate that `input` does not (the
// fuzzer may put one in a field, and an error may fairly quote a field).
bool LeaksCertificate(std::string_view text, const std::string& lower_input) {
  const std::string lower_text = absl::AsciiStrToLower(absl::string_view(text.data(), text.size()));
  for (const char* certificate : kAllCertificates) {
    const std::string lower_certificate = absl::AsciiStrToLower(certificate);
    if (lower_text.find(lower_certificate) != std::string::npos &&
        lower_input.find(lower_certificate) == std::string::npos) {
      return true;
    }
  }
  return false;
}

// Every string a google.rpc.Status carries, unescaped: its message and its
// BadRequest details (any other detail as raw bytes). Escaped text would not
// do: "\x15" or "\u0015" before "cfd2..." spells "5cfd2...".
std::vector<std::string> StringsOf(const google::rpc::Status& status) {
  std::vector<std::string> strings = {status.message()};
  for (const google::protobuf::Any& detail : status.details()) {
    google::rpc::BadRequest bad_request;
    if (!detail.UnpackTo(&bad_request)) {
      strings.push_back(detail.value());
      continue;
    }
    for (const google::rpc::BadRequest::FieldViolation& violation :
         bad_request.field_violations()) {
      strings.push_back(violation.field());
      strings.push_back(violation.description());
    }
  }
  return strings;
}

void CheckError(const absl::Status& status, const std::string& lower_input) {
  if (status.ok()) return;
  // The one error boundary must accept whatever a handler returns.
  const google::rpc::Status rpc = agora_token::ToRpcStatus(status);
  Require(rpc.code() == static_cast<int>(status.code()), "ToRpcStatus keeps the code");
  Require(rpc.message() == status.message(), "ToRpcStatus keeps the message");
  for (const std::string& text : StringsOf(rpc)) {
    Require(!LeaksCertificate(text, lower_input), "an error carries no certificate");
  }
  Require(static_cast<int>(agora_token::ToGrpcStatus(status).error_code()) ==
              static_cast<int>(status.code()),
          "ToGrpcStatus keeps the code");
}

// What one input's calls issued, for the checks that span a whole input.
struct Issued {
  std::vector<std::string> tokens;
};

// What the restricted caller may be given, for one issued token.
struct Requested {
  std::string app_id;
  bool rtc = false;
  bool chat = false;
  std::string channel_name;  // RTC only
  bool any_user = false;     // RTC for uid 0 or an empty account
};

void CheckRestricted(const v1::IssuedToken& issued, const agora_token::DecodedToken& decoded,
                     const Requested& requested) {
  const bool is_006 = decoded.version == agora_token::TokenVersion::k006;
  Require(requested.app_id == kSampleAppId, "the restricted caller gets only its app");
  // Whatever the RPC, the token itself holds only what the policy grants:
  // RTC for a named user in its channels, and RTM.
  for (const agora_token::DecodedService& service : decoded.services) {
    Require(service.type == agora_token::kServiceRtc || service.type == agora_token::kServiceRtm,
            "the restricted caller's tokens hold RTC and RTM only");
    if (service.type != agora_token::kServiceRtc) continue;
    Require(absl::StartsWith(service.channel_name, kRestrictedChannelPrefix),
            "the restricted caller's RTC services name only its channels");
    Require(!service.account.empty(), "the restricted caller's RTC services name their user");
  }
  Require(!requested.chat, "the restricted caller gets no Chat token");
  if (requested.rtc) {
    Require(!is_006, "the restricted caller gets no 006 RTC token");
    Require(absl::StartsWith(requested.channel_name, kRestrictedChannelPrefix),
            "the restricted caller gets only its channels");
    Require(!requested.any_user, "the restricted caller gets no token for any user");
  }
  // The token's own expiry counts too (it is never 006 here).
  uint32_t last = issued.expire_ts();
  for (const v1::PrivilegeExpiry& p : issued.privilege_expiries())
    last = std::max(last, p.expire_ts());
  Require(last - kNow <= kRestrictedMaxLifetime,
          "the restricted caller's tokens live an hour at most");
}

// What an OK build returned, checked against the core's reading of its token.
void CheckIssued(const v1::IssuedToken& issued, const Requested& requested,
                 const agora_token::Token006Subject& subject_if_006, bool restricted, Issued& all) {
  Require(!issued.token().empty(), "an OK build carries a token");
  all.tokens.push_back(issued.token());
  const absl::StatusOr<agora_token::DecodedToken> decoded =
      agora_token::DecodeToken(issued.token());
  Require(decoded.ok(), "the core decodes every token the server builds");
  Require(decoded->app_id == requested.app_id, "the token names the requested app");
  const bool is_006 = decoded->version == agora_token::TokenVersion::k006;
  Require(issued.token_version() == (is_006 ? v1::TOKEN_VERSION_006 : v1::TOKEN_VERSION_007),
          "token_version is the built format");
  Require(agora_token::VerifySignature(*decoded, PrimaryCertificateOf(requested.app_id),
                                       is_006 ? &subject_if_006 : nullptr)
              .ok(),
          "the token verifies with the app's primary certificate (and 006 subject)");
  Require(issued.salt() == decoded->salt && issued.salt() >= 1 && issued.salt() <= 99999999,
          "salt is the token's, in [1, 99999999]");
  Require(issued.issue_ts() == kNow && (is_006 || decoded->issue_ts == kNow),
          "the token was issued now");
  const agora_token::ExpiryReport report = agora_token::CheckExpiry(*decoded, kNow);
  Require(report.state == agora_token::ExpiryReport::State::kValid,
          "a fresh token is valid at its issue time");
  Require(issued.expire_ts() == report.token_expire_ts, "expire_ts is the token's");
  Require(report.token_expire_ts - kNow <= agora_token::kMaxTokenLifetimeSeconds,
          "no token lives longer than 24 hours");
  Require(static_cast<size_t>(issued.privilege_expiries_size()) == report.privileges.size(),
          "privilege_expiries lists every privilege of the token");
  for (size_t i = 0; i < report.privileges.size(); ++i) {
    const v1::PrivilegeExpiry& got = issued.privilege_expiries(static_cast<int>(i));
    const agora_token::PrivilegeExpiry& want = report.privileges[i];
    Require(static_cast<uint32_t>(got.service()) == want.service_type &&
                got.privilege() == want.privilege && got.expire_ts() == want.expire_ts,
            "privilege_expiries are the token's, in its order");
  }
  if (restricted) CheckRestricted(issued, *decoded, requested);
}

// Every build response has IssuedToken's fields and numbers.
template <typename Response>
v1::IssuedToken AsIssued(const Response& response) {
  v1::IssuedToken issued;
  Require(issued.ParseFromString(response.SerializeAsString()), "a response reparses");
  return issued;
}

agora_token::RtcUser UserOf(const v1::BuildRtcTokenWithUidRequest& request) {
  return request.uid();
}
agora_token::RtcUser UserOf(const v1::BuildRtcTokenWithAccountRequest& request) {
  return request.account();
}

template <typename Request>
Requested RtcRequested(const Request& request) {
  return Requested{request.app_id(), true, false, request.channel_name(),
                   agora_token::UserAccountString(UserOf(request)).empty()};
}
Requested RtmRequested(const std::string& app_id) { return Requested{app_id, false, false, ""}; }
Requested ChatRequested(const std::string& app_id) { return Requested{app_id, false, true, ""}; }
// The newer kinds: CheckRestricted reads what they grant from the token.
Requested ServicesRequested(const std::string& app_id) {
  return Requested{app_id, false, false, "", false};
}

// Checks an OK build of one batch item.
void CheckBatchItem(const v1::BuildTokensRequestItem& item, const v1::IssuedToken& issued,
                    bool restricted, Issued& all) {
  switch (item.request_case()) {
    case v1::BuildTokensRequestItem::kRtcWithUid: {
      const v1::BuildRtcTokenWithUidRequest& r = item.rtc_with_uid();
      CheckIssued(issued, RtcRequested(r),
                  agora_token::Token006Subject::ForRtc(r.channel_name(), r.uid()), restricted, all);
      return;
    }
    case v1::BuildTokensRequestItem::kRtcWithAccount: {
      const v1::BuildRtcTokenWithAccountRequest& r = item.rtc_with_account();
      CheckIssued(issued, RtcRequested(r),
                  agora_token::Token006Subject::ForRtc(r.channel_name(), r.account()), restricted,
                  all);
      return;
    }
    case v1::BuildTokensRequestItem::kRtm:
      CheckIssued(issued, RtmRequested(item.rtm().app_id()),
                  agora_token::Token006Subject::ForRtm(item.rtm().user_id()), restricted, all);
      return;
    case v1::BuildTokensRequestItem::kChat:
      CheckIssued(issued, ChatRequested(item.chat().app_id()), agora_token::Token006Subject{},
                  restricted, all);
      return;
    // The newer kinds are 007 only; the token's own services are checked.
    case v1::BuildTokensRequestItem::kAccessToken:
      CheckIssued(issued, ServicesRequested(item.access_token().app_id()), {}, restricted, all);
      return;
    case v1::BuildTokensRequestItem::kFpa:
      CheckIssued(issued, ServicesRequested(item.fpa().app_id()), {}, restricted, all);
      return;
    case v1::BuildTokensRequestItem::kApaas:
      CheckIssued(issued, ServicesRequested(item.apaas().app_id()), {}, restricted, all);
      return;
    case v1::BuildTokensRequestItem::kConvoAi:
      CheckIssued(issued, ServicesRequested(item.convo_ai().app_id()), {}, restricted, all);
      return;
    case v1::BuildTokensRequestItem::kStt:
      CheckIssued(issued, ServicesRequested(item.stt().app_id()), {}, restricted, all);
      return;
    case v1::BuildTokensRequestItem::REQUEST_NOT_SET:
      break;
  }
  Require(false, "an item without a request builds nothing");
}

// Reads every audit line written so far and checks each.
void CheckAuditLines(Fixture& fixture, const Issued& issued, const std::string& lower_input) {
  fixture.audit->Flush();
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t n = read(fixture.audit_pipe.read_fd, buffer, sizeof(buffer));
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  Require(fixture.audit->dropped() == 0, "the audit log drops nothing at this rate");
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    Require(end != std::string::npos, "every audit record ends with a newline");
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    // Strict UTF-8 as well as JSON syntax: log shippers reject anything else.
    const nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    Require(!record.is_discarded() && record.is_object(),
            "an audit record is one line of valid JSON (and UTF-8)");
    Require(record.contains("code") && record.contains("rpc"), "an audit record has code and rpc");
    for (const std::string& token : issued.tokens) {
      Require(line.find(token) == std::string_view::npos, "an audit record holds no token");
    }
    // The values as written, unescaped (see StringsOf).
    for (const auto& field : record.items()) {
      if (!field.value().is_string()) continue;
      Require(!LeaksCertificate(field.value().get<std::string>(), lower_input),
              "an audit record carries no certificate");
    }
  }
}

agora_token::RpcMethod MethodOf(int rpc) {
  switch (rpc) {
    case 0:
      return agora_token::RpcMethod::kBuildRtcTokenWithUid;
    case 1:
      return agora_token::RpcMethod::kBuildRtcTokenWithAccount;
    case 2:
      return agora_token::RpcMethod::kBuildRtmToken;
    case 3:
      return agora_token::RpcMethod::kBuildChatToken;
    case 4:
      return agora_token::RpcMethod::kBuildTokens;
    case 5:
      return agora_token::RpcMethod::kDecodeToken;
    case 6:
      return agora_token::RpcMethod::kBuildAccessToken;
    default:
      return agora_token::RpcMethod::kBuildConvoAiToken;
  }
}

// Parses `bytes` as Request; false (skip the input) when it is no such message.
template <typename Request>
bool Parse(std::string_view bytes, Request* request) {
  return request->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::string_view message(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string lower_input =
      absl::AsciiStrToLower(absl::string_view(message.data(), message.size()));
  const int rpc = selector & 0x07;

  Fixture& fixture = TheFixture();
  auto state = std::make_shared<agora_token::ServingState>();
  agora_token::HandlerOptions& options = state->options;
  options.default_version =
      (selector & 0x08) != 0 ? agora_token::TokenVersion::k006 : agora_token::TokenVersion::k007;
  options.compression = (selector & 0x10) != 0 ? agora_token::Compression::kFast
                                               : agora_token::Compression::kCompatible;
  // Small enough that the fuzzer reaches the limit with short inputs.
  options.max_batch_items = 16;
  const bool restricted = (selector & 0x80) != 0;
  const bool audited = (selector & 0xC0) != 0;
  state->keyring = fixture.keyring;
  state->config.callers = restricted ? fixture.restricted : fixture.open;
  state->audit = audited ? fixture.audit : fixture.no_audit;
  agora_token::CallCredentials credentials;
  const std::string authorization = std::string("Bearer ") + kRestrictedKey;
  if (restricted) credentials.authorization = authorization;
  absl::StatusOr<std::shared_ptr<const agora_token::Caller>> caller =
      state->callers().Authenticate(credentials, nullptr, 0);
  Require(caller.ok(), "the fuzzer's caller authenticates");
  // 0x20: a call cancelled at the first poll (BuildTokens).
  const bool cancel = (selector & 0x20) != 0;
  const std::function<bool()> cancelled = [cancel] { return cancel; };
  const agora_token::Call call{
      *state,        **caller,        credentials, MethodOf(rpc), std::chrono::steady_clock::now(),
      fixture.clock, fixture.metrics, cancelled};
  Issued issued;

  switch (rpc) {
    case 0: {
      v1::BuildRtcTokenWithUidRequest request;
      if (!Parse(message, &request)) return 0;
      v1::BuildRtcTokenWithUidResponse response;
      const absl::Status status = agora_token::BuildRtcTokenWithUid(call, request, &response);
      CheckError(status, lower_input);
      if (status.ok()) {
        CheckIssued(AsIssued(response), RtcRequested(request),
                    agora_token::Token006Subject::ForRtc(request.channel_name(), request.uid()),
                    restricted, issued);
      }
      break;
    }
    case 1: {
      v1::BuildRtcTokenWithAccountRequest request;
      if (!Parse(message, &request)) return 0;
      v1::BuildRtcTokenWithAccountResponse response;
      const absl::Status status = agora_token::BuildRtcTokenWithAccount(call, request, &response);
      CheckError(status, lower_input);
      if (status.ok()) {
        CheckIssued(AsIssued(response), RtcRequested(request),
                    agora_token::Token006Subject::ForRtc(request.channel_name(), request.account()),
                    restricted, issued);
      }
      break;
    }
    case 2: {
      v1::BuildRtmTokenRequest request;
      if (!Parse(message, &request)) return 0;
      v1::BuildRtmTokenResponse response;
      const absl::Status status = agora_token::BuildRtmToken(call, request, &response);
      CheckError(status, lower_input);
      if (status.ok()) {
        CheckIssued(AsIssued(response), RtmRequested(request.app_id()),
                    agora_token::Token006Subject::ForRtm(request.user_id()), restricted, issued);
      }
      break;
    }
    case 3: {
      v1::BuildChatTokenRequest request;
      if (!Parse(message, &request)) return 0;
      v1::BuildChatTokenResponse response;
      const absl::Status status = agora_token::BuildChatToken(call, request, &response);
      CheckError(status, lower_input);
      if (status.ok()) {
        CheckIssued(AsIssued(response), ChatRequested(request.app_id()),
                    agora_token::Token006Subject{}, restricted, issued);
      }
      break;
    }
    case 4: {
      v1::BuildTokensRequest request;
      if (!Parse(message, &request)) return 0;
      v1::BuildTokensResponse response;
      const absl::Status status = agora_token::BuildTokens(call, request, &response);
      CheckError(status, lower_input);
      if (!status.ok()) break;
      Require(response.results_size() == request.items_size(), "a batch answers every item");
      for (int i = 0; i < request.items_size(); ++i) {
        const v1::BuildTokensResult& result = response.results(i);
        if (result.has_token()) {
          CheckBatchItem(request.items(i), result.token(), restricted, issued);
        } else {
          Require(result.has_error() && result.error().code() != 0,
                  "a batch item has a token or an error");
          for (const std::string& text : StringsOf(result.error())) {
            Require(!LeaksCertificate(text, lower_input),
                    "a batch item's error carries no certificate");
          }
        }
      }
      break;
    }
    case 5: {
      v1::DecodeTokenRequest request;
      if (!Parse(message, &request)) return 0;
      v1::DecodeTokenResponse response;
      const absl::Status status = agora_token::DecodeToken(call, request, &response);
      CheckError(status, lower_input);
      if (!status.ok()) break;
      Require(!restricted, "the restricted caller may not decode");
      Require(response.token_version() != v1::TOKEN_VERSION_UNSPECIFIED &&
                  response.signature() != v1::SIGNATURE_STATE_UNSPECIFIED &&
                  response.expiry() != v1::EXPIRY_STATE_UNSPECIFIED,
              "a DecodeToken answer never says UNSPECIFIED");
      // The strings read from the token itself are the caller's own (and could
      // be anything, a certificate included); everything else is the server's.
      v1::DecodeTokenResponse server_fields = response;
      server_fields.clear_app_id();
      if (server_fields.has_token007()) {
        for (v1::DecodedService& service : *server_fields.mutable_token007()->mutable_services()) {
          service.clear_channel_name();
          service.clear_account();
          service.clear_user_id();
          service.clear_room_uuid();
          service.clear_user_uuid();
          service.clear_rtm2_resources();
        }
      }
      Require(!LeaksCertificate(server_fields.SerializeAsString(), lower_input),
              "a DecodeToken answer carries no certificate");
      break;
    }
    case 6: {
      v1::BuildAccessTokenRequest request;
      if (!Parse(message, &request)) return 0;
      v1::BuildAccessTokenResponse response;
      const absl::Status status = agora_token::BuildAccessToken(call, request, &response);
      CheckError(status, lower_input);
      if (status.ok()) {
        CheckIssued(AsIssued(response), ServicesRequested(request.app_id()), {}, restricted, issued);
      }
      break;
    }
    case 7: {
      v1::BuildConvoAiTokenRequest request;
      if (!Parse(message, &request)) return 0;
      v1::BuildConvoAiTokenResponse response;
      const absl::Status status = agora_token::BuildConvoAiToken(call, request, &response);
      CheckError(status, lower_input);
      if (status.ok()) {
        CheckIssued(AsIssued(response), ServicesRequested(request.app_id()), {}, restricted, issued);
      }
      break;
    }
  }
  if (audited) CheckAuditLines(fixture, issued, lower_input);
  return 0;
}
