// libFuzzer target for the core's token decoder: the input is a token string
// as any caller of DecodeToken (the DecodeToken RPC, the CLI) could send it.
// The same bytes also go in as the binary inside a token: deflated and
// base64-encoded behind "007", and base64-encoded behind "006" and an app id,
// because mutated token text almost never keeps a valid zlib stream, so the
// 007 service layout would otherwise stay out of reach.
// The bytes also go in as a hostile deflate body behind a zlib header, where
// the own inflater (core/compression.cc) must give zlib's verdict and bytes.
// Whatever decodes then goes through VerifySignature and CheckExpiry. Beyond
// "no crash, undefined behaviour, leak or hang" (the sanitizers and
// libFuzzer's -timeout catch those), it checks what core/token.h promises and
// the server relies on, and aborts when a promise breaks:
// - a failure is kInvalidArgument starting "token: ", too short to echo a
//   token;
// - the version matches the token's prefix; signature and app id have their
//   sizes;
// - VerifySignature answers OK, kPermissionDenied or kInvalidArgument only;
// - CheckExpiry lists exactly one effective expiry per privilege in the
//   token (token_handlers.cc indexes them in that order), none later than the
//   token's, and its state agrees with the expiries.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "core/compression.h"
#include "core/token.h"

namespace {

// The official vectors' app and certificate (Agora's public sample app), so
// the seed tokens from tests/vectors reach the successful-verification path.
constexpr std::string_view kSampleAppId = "970CA35de60c44645bbae8a215061b33";
constexpr std::string_view kSampleCertificate = "5CFd2fd1755d40ecb72977518be15d3b";

// The check below is a contract, not a test assertion: report and abort, so
// libFuzzer saves the input as a crash.
void Require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "token_decoder_fuzz: broken promise: %s\n", what);
  std::abort();
}

bool IsVerifyOutcome(const absl::Status& status) {
  return status.ok() || status.code() == absl::StatusCode::kPermissionDenied ||
         status.code() == absl::StatusCode::kInvalidArgument;
}

size_t PrivilegeCount(const agora_token::DecodedToken& token) {
  if (token.version == agora_token::TokenVersion::k006) return token.privileges_006.size();
  size_t count = 0;
  for (const agora_token::DecodedService& service : token.services) {
    count += service.privileges.size();
  }
  return count;
}

void CheckExpiryAt(const agora_token::DecodedToken& token, uint32_t now) {
  using State = agora_token::ExpiryReport::State;
  const agora_token::ExpiryReport report = agora_token::CheckExpiry(token, now);
  Require(report.privileges.size() == PrivilegeCount(token),
          "CheckExpiry lists one effective expiry per privilege");
  size_t expired = 0;
  for (const agora_token::PrivilegeExpiry& p : report.privileges) {
    Require(p.expire_ts <= report.token_expire_ts, "no privilege outlives its token");
    if (now > p.expire_ts) ++expired;
  }
  if (now > report.token_expire_ts) {
    Require(report.state == State::kTokenExpired, "a token past its expiry is kTokenExpired");
  } else {
    Require(report.expired_privileges.size() == expired,
            "expired_privileges holds exactly the privileges past their expiry");
    Require(report.state == (expired == 0 ? State::kValid : State::kPrivilegeExpired),
            "the state agrees with the expired privileges");
  }
  Require(!agora_token::ExpiryStateName(report.state).empty(), "every state has a name");
}

// A zlib stream of `bytes` at the default level, as the 007 builders write.
std::string Deflate(std::string_view bytes) {
  uLongf size = compressBound(static_cast<uLong>(bytes.size()));
  std::string out(size, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                           reinterpret_cast<const Bytef*>(bytes.data()),
                           static_cast<uLong>(bytes.size()), Z_DEFAULT_COMPRESSION);
  Require(rc == Z_OK, "zlib compresses the input");
  out.resize(size);
  return out;
}

std::string Base64(std::string_view bytes) {
  return absl::Base64Escape(absl::string_view(bytes.data(), bytes.size()));
}

void CheckToken(std::string_view input) {
  const absl::StatusOr<agora_token::DecodedToken> decoded = agora_token::DecodeToken(input);
  if (!decoded.ok()) {
    Require(decoded.status().code() == absl::StatusCode::kInvalidArgument,
            "a token that does not decode is kInvalidArgument");
    const absl::string_view status_message = decoded.status().message();
    const std::string_view message(status_message.data(), status_message.size());
    Require(message.substr(0, 7) == "token: ", "decoder errors start with \"token: \"");
    // The shortest real token is over 100 characters, so a message this short
    // cannot carry one. (Searching the message for the input would not do:
    // libFuzzer learns from that comparison and feeds the message back.)
    Require(message.size() <= 96, "an error message is too short to carry a token");
    return;
  }

  const agora_token::DecodedToken& token = *decoded;
  const bool is_006 = token.version == agora_token::TokenVersion::k006;
  Require(input.substr(0, 3) == (is_006 ? "006" : "007"), "the version matches the prefix");
  Require(token.signature.size() == 32, "a decoded signature is 32 bytes");
  Require(token.app_id.size() == 32, "a decoded app id is 32 characters");

  const agora_token::Token006Subject rtc_subject = agora_token::Token006Subject::ForRtc(
      "7d72365eb983485397e3e3f9d460bdda", uint32_t{2882341273});
  const agora_token::Token006Subject rtm_subject =
      agora_token::Token006Subject::ForRtm("test_user");
  Require(IsVerifyOutcome(agora_token::VerifySignature(token, kSampleCertificate, &rtc_subject)),
          "VerifySignature answers OK, kPermissionDenied or kInvalidArgument");
  Require(IsVerifyOutcome(agora_token::VerifySignature(token, kSampleCertificate, &rtm_subject)),
          "VerifySignature answers OK, kPermissionDenied or kInvalidArgument");
  const absl::Status without_subject = agora_token::VerifySignature(token, kSampleCertificate);
  Require(IsVerifyOutcome(without_subject),
          "VerifySignature answers OK, kPermissionDenied or kInvalidArgument");
  if (is_006) {
    Require(without_subject.code() == absl::StatusCode::kInvalidArgument,
            "a 006 token cannot be verified without its subject");
  }
  Require(agora_token::VerifySignature(token, "not a certificate", &rtc_subject).code() ==
              absl::StatusCode::kInvalidArgument,
          "an unusable certificate is kInvalidArgument");

  for (const agora_token::DecodedService& service : token.services) {
    Require(!agora_token::ServiceTypeName(service.type).empty(), "every service type has a name");
  }
  CheckExpiryAt(token, 0);
  CheckExpiryAt(token, 1700000000);
  CheckExpiryAt(token, is_006 ? token.ts : token.issue_ts);
  CheckExpiryAt(token, UINT32_MAX);
}

// ZlibDecompress tries its own inflater before zlib; on any stream it must
// answer exactly as zlib alone does.
void CheckInflate(std::string_view stream) {
  constexpr size_t kLimit = 64 * 1024;
  std::string ours;
  std::string reference;
  const absl::Status a = agora_token::ZlibDecompress(stream, kLimit, &ours);
  const absl::Status b = agora_token::ZlibDecompressReference(stream, kLimit, &reference);
  Require(a == b, "the own inflater gives zlib's verdict");
  Require(!a.ok() || ours == reference, "the own inflater gives zlib's bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckToken(input);
  // The payload and content limits keep these cheap: the decoder refuses
  // more than 8192 characters before it decodes anything.
  CheckToken("007" + Base64(Deflate(input)));
  CheckToken(std::string("006") + std::string(kSampleAppId) + Base64(input));
  const std::string stream = "\x78\x9c" + std::string(input);
  CheckInflate(stream);
  CheckToken("007" + Base64(stream));
  return 0;
}
