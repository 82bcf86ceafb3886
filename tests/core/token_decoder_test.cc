// DecodeToken against hostile input (every malformed shape fails with
// kInvalidArgument and a message that says what is wrong, and never echoes
// the token), every truncation of real tokens, unknown service types, and
// VerifySignature's contract.
#include <functional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "core/input_rules.h"
#include "core/token.h"
#include "gtest/gtest.h"
#include "tests/core/test_support.h"
#include "zlib.h"

namespace agora_token {
namespace {

using agora_token_test::kAppCertificate;
using agora_token_test::kAppId;
using agora_token_test::kOtherCertificate;
using agora_token_test::Make006Token;
using agora_token_test::Make007Token;
using agora_token_test::Make007TokenFromStream;
using agora_token_test::Payload007;
using agora_token_test::Str;
using agora_token_test::TestApp;
using agora_token_test::U16;
using agora_token_test::U32;
using agora_token_test::Unbase64;
using agora_token_test::Unhex;
using agora_token_test::ZlibCompress;

using agora_token_test::kAt;
using agora_token_test::kIssueTs;
constexpr char kChannel[] = "decoder";
constexpr uint32_t kUid = 1234;

// Byte offsets inside the payload of an RTM 007 token (docs/token-format.md).
constexpr size_t kAppIdLengthAt = 34;   // after str(signature)
constexpr size_t kServiceCountAt = 80;  // after app id, issue_ts, expire, salt
constexpr size_t kServiceTypeAt = 82;
constexpr size_t kPrivilegeCountAt = 84;
constexpr size_t kUserIdLengthAt = 92;

BuiltToken MustBuild(const absl::StatusOr<BuiltToken>& built) {
  if (!built.ok()) {
    ADD_FAILURE() << built.status();
    return {};
  }
  return *built;
}

std::string Rtc006Token() {
  Rtc006Params params;
  params.channel_name = kChannel;
  params.user = kUid;
  return MustBuild(BuildRtcToken006(TestApp(), params, kAt)).token;
}

std::string Rtm007Token(Compression compression = Compression::kCompatible) {
  return MustBuild(BuildRtmToken007(TestApp(), "user", 600, kAt, compression)).token;
}

std::string RtcWithRtm007Token() {
  Rtc007Params params;
  params.channel_name = kChannel;
  params.user = kUid;
  params.with_rtm = true;
  return MustBuild(BuildRtcToken007(TestApp(), params, kAt, Compression::kCompatible)).token;
}

std::string PayloadOf(const std::string& token007) {
  absl::StatusOr<DecodedToken> decoded = DecodeToken(token007);
  if (!decoded.ok()) {
    ADD_FAILURE() << decoded.status();
    return "";
  }
  return Payload007(*decoded);
}

std::string Patch(std::string bytes, size_t at, std::string_view with) {
  bytes.replace(at, with.size(), with);
  return bytes;
}

std::string WithChar(std::string token, size_t at, char c) {
  token[at] = c;
  return token;
}

// A 006 content around an arbitrary signature and message.
std::string Content006(std::string_view signature, std::string_view message) {
  return Str(signature) + U32(0x11111111) + U32(0x22222222) + Str(message);
}

const std::string kSignature(32, 'S');
const std::string kMessage = U32(1) + U32(kIssueTs) + U16(1) + U16(k006JoinChannel) + U32(0);

// A 006 token whose content (with one trailing byte 'x') ends in "AA==": its
// last 'A' holds 4 padding bits.
std::string PaddedToken006() {
  return Make006Token(kAppId, Content006(kSignature, kMessage) + "x");
}

// A zlib stream of `payload` whose last deflate byte has padding bits after
// the final block, with one of those bits set: the system zlib still inflates
// it to `payload`, so only a canonical-padding check can tell. "" if the
// final block happens to end on a byte boundary.
std::string StreamWithNonZeroFinalPadding(const std::string& payload) {
  const std::string stream = ZlibCompress(payload);
  const size_t last_deflate_byte = stream.size() - 5;  // before the 4-byte Adler-32
  for (int bit = 7; bit >= 0; --bit) {
    std::string changed = stream;
    changed[last_deflate_byte] = static_cast<char>(changed[last_deflate_byte] ^ (1 << bit));
    std::string out(payload.size() + 16, '\0');
    uLongf size = out.size();
    if (uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                   reinterpret_cast<const Bytef*>(changed.data()), changed.size()) == Z_OK &&
        out.substr(0, size) == payload) {
      return changed;
    }
  }
  return "";
}

// The first valid RTM token payload whose stream has final padding bits,
// with one of them set.
std::string NonZeroFinalPaddingStream() {
  for (int i = 0; i < 64; ++i) {
    const std::string token = MustBuild(BuildRtmToken007(TestApp(), "user" + std::to_string(i), 600,
                                                         kAt, Compression::kCompatible))
                                  .token;
    const std::string stream = StreamWithNonZeroFinalPadding(PayloadOf(token));
    if (!stream.empty()) return stream;
  }
  return "";
}

// ---------------------------------------------------------------------------

struct MalformedCase {
  std::string name;
  std::string token;
  std::string message_part;  // a substring the error message must contain
};

std::vector<MalformedCase> MalformedCases() {
  const std::string t006 = Rtc006Token();
  const std::string t007 = Rtm007Token();
  const std::string payload = PayloadOf(t007);
  const std::string stream = Unbase64(t007.substr(3));
  const std::string fast_stream = Unbase64(Rtm007Token(Compression::kFast).substr(3));
  const size_t content_at = 3 + 32;  // "006" + app id
  const std::string padded = PaddedToken006();

  std::vector<MalformedCase> cases = {
      {"Empty", "", "empty"},
      {"TooLong", "007" + std::string(kMaxTokenLength - 2, 'A'), "longer than 8192"},
      {"ShorterThanTheVersion", "00", "version"},
      {"Version005", "005" + t006.substr(3), "version"},
      {"Version008", "008" + t007.substr(3), "version"},
      {"VersionOnly", "007", "truncated"},
      {"OtherPrefix", "abc" + t007.substr(3), "version"},

      // Base64.
      {"NonBase64Char006", WithChar(t006, content_at + 5, '*'), "base64"},
      {"NonBase64Char007", WithChar(t007, 10, '!'), "base64"},
      {"UrlSafeAlphabet", WithChar(t007, 10, '-'), "base64"},
      {"UrlSafeAlphabetUnderscore", WithChar(t007, 10, '_'), "base64"},
      {"SpaceInside", WithChar(t007, 10, ' '), "base64"},
      {"NewlineInside", WithChar(t007, 10, '\n'), "base64"},
      {"NulInside", WithChar(t007, 10, '\0'), "base64"},
      {"HighByteInside", WithChar(t007, 10, '\xC3'), "base64"},
      {"LengthNotMultipleOf4", t007.substr(0, t007.size() - 1), "base64"},
      {"MissingPadding", padded.substr(0, padded.size() - 2), "base64"},
      {"NonZeroPaddingBits", WithChar(padded, padded.size() - 3, 'B'), "base64"},
      {"PaddingInTheMiddle", WithChar(t007, 7, '='), "base64"},
      {"ExtraPaddingBlock", t006 + "====", "base64"},
      {"TriplePadding", t006.substr(0, t006.size() - 4) + "A===", "base64"},

      // 006 layout.
      {"AppIdCut", t006.substr(0, 20), "app id"},
      {"AppIdNotHex", WithChar(t006, 10, 'g'), "app id"},
      {"Signature31Bytes006", Make006Token(kAppId, Content006(std::string(31, 'S'), kMessage)),
       "signature"},
      {"SignatureLengthBeyondContent006",
       Make006Token(kAppId, Patch(Content006(kSignature, kMessage), 0, U16(0xffff))),
       "truncated or inconsistent"},
      {"MessageLengthBeyondContent006",
       Make006Token(kAppId,
                    Str(kSignature) + U32(1) + U32(2) + U16(kMessage.size() + 1) + kMessage),
       "truncated or inconsistent"},
      {"PrivilegeCountBeyondMessage006",
       Make006Token(kAppId,
                    Content006(kSignature, U32(1) + U32(kIssueTs) + U16(50) + U16(1) + U32(0))),
       "truncated or inconsistent"},
      {"TrailingAfterTheMessage006",
       Make006Token(kAppId, Content006(kSignature, kMessage) + "\x01"),
       "trailing bytes after the 006 message"},
      {"TrailingInsideTheMessage006",
       Make006Token(kAppId, Content006(kSignature, kMessage + "\x01")),
       "trailing bytes inside the 006 message"},
      {"EmptyContent006", std::string("006") + kAppId, "truncated"},

      // 007 zlib stream.
      {"NotZlib", Make007TokenFromStream("xyz: not a zlib stream"), "corrupt compressed"},
      {"StreamWithoutChecksum", Make007TokenFromStream(stream.substr(0, stream.size() - 4)),
       "truncated compressed"},
      {"ChecksumMismatch",
       Make007TokenFromStream(
           Patch(stream, stream.size() - 1, std::string(1, static_cast<char>(stream.back() ^ 1)))),
       "corrupt compressed"},
      {"TrailingAfterTheStream", Make007TokenFromStream(stream + std::string(1, '\0')),
       "trailing bytes after the compressed payload"},
      {"SecondStreamAfterTheStream", Make007TokenFromStream(stream + stream),
       "trailing bytes after the compressed payload"},
      {"NonZeroStoredBlockPadding",
       Make007TokenFromStream(
           Patch(fast_stream, 2, std::string(1, static_cast<char>(fast_stream[2] | 0x08)))),
       "non-canonical compressed payload"},
      {"NonZeroFinalPadding", Make007TokenFromStream(NonZeroFinalPaddingStream()),
       "non-canonical compressed payload"},
      {"DecompressionBomb", Make007Token(std::string(1 << 20, '\0')), "beyond the size limit"},
      {"OneByteOverTheInflateLimit", Make007Token(std::string(kMaxInflatedPayload + 1, 'x')),
       "beyond the size limit"},

      // 007 payload.
      {"EmptyPayload", Make007Token(""), "truncated"},
      {"Signature31Bytes007", Make007Token(Str(std::string(31, 'S')) + payload.substr(34)),
       "signature"},
      {"SignatureLengthBeyondPayload", Make007Token(Patch(payload, 0, U16(0xffff))), "truncated"},
      {"AppIdLengthBeyondPayload", Make007Token(Patch(payload, kAppIdLengthAt, U16(0x1000))),
       "truncated or inconsistent"},
      {"AppIdNotHex007", Make007Token(Patch(payload, kAppIdLengthAt + 2, "g")), "app id"},
      {"HeaderCut", Make007Token(payload.substr(0, kServiceCountAt + 1)),
       "truncated or inconsistent"},
      {"ServiceCountOneMoreThanPresent", Make007Token(Patch(payload, kServiceCountAt, U16(2))),
       "truncated or inconsistent"},
      {"ServiceCountHuge", Make007Token(Patch(payload, kServiceCountAt, U16(0xffff))),
       "truncated or inconsistent"},
      {"ServiceCountZeroButServicePresent", Make007Token(Patch(payload, kServiceCountAt, U16(0))),
       "trailing bytes after the last service"},
      {"PrivilegeCountBeyondService", Make007Token(Patch(payload, kPrivilegeCountAt, U16(100))),
       "truncated or inconsistent"},
      {"UserIdLengthBeyondPayload",
       Make007Token(Patch(payload, kUserIdLengthAt, U16(payload.size() - kUserIdLengthAt))),
       "truncated or inconsistent"},
      {"TrailingAfterTheSigningInfo", Make007Token(payload + "\x01"),
       "trailing bytes after the last service"},
  };
  return cases;
}

class MalformedTokenTest : public ::testing::TestWithParam<MalformedCase> {};

// Names the case instead of dumping its bytes.
void PrintTo(const MalformedCase& c, std::ostream* os) { *os << c.name; }

TEST_P(MalformedTokenTest, FailsWithASpecificMessage) {
  const MalformedCase& c = GetParam();
  absl::StatusOr<DecodedToken> decoded = DecodeToken(c.token);
  ASSERT_FALSE(decoded.ok()) << "decoded although malformed: " << decoded->services.size()
                             << " services, unknown_service_type "
                             << (decoded->unknown_service_type
                                     ? std::to_string(*decoded->unknown_service_type)
                                     : std::string("unset"));
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(decoded.status().message());
  EXPECT_NE(message.find(c.message_part), std::string::npos)
      << "message \"" << message << "\" lacks \"" << c.message_part << "\"";
  // Errors are logged: they must not echo the token (a bearer secret).
  if (c.token.size() > 19) {
    EXPECT_EQ(message.find(c.token.substr(3, 16)), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedTokenTest, ::testing::ValuesIn(MalformedCases()),
                         [](const auto& info) { return info.param.name; });

TEST(TokenDecoderTest, HandMadeFixturesAreWhatTheyClaim) {
  // Guards the table above: its payload-level cases start from real tokens.
  const std::string payload = PayloadOf(Rtm007Token());
  ASSERT_EQ(payload.substr(kAppIdLengthAt, 2), U16(32));
  ASSERT_EQ(payload.substr(kServiceCountAt, 2), U16(1));
  ASSERT_EQ(payload.substr(kServiceTypeAt, 2), U16(kServiceRtm));
  ASSERT_EQ(payload.substr(kPrivilegeCountAt, 2), U16(1));
  ASSERT_EQ(payload.substr(kUserIdLengthAt), Str("user"));
  // A re-compressed, unmodified payload decodes: the cases fail for their
  // change alone.
  EXPECT_TRUE(DecodeToken(Make007Token(payload)).ok());
  EXPECT_TRUE(DecodeToken(Make006Token(kAppId, Content006(kSignature, kMessage))).ok());
  EXPECT_NE(NonZeroFinalPaddingStream(), "") << "no payload with final padding bits";
  const std::string padded = PaddedToken006();
  EXPECT_EQ(padded.substr(padded.size() - 3), "A==");
  // The decompression bomb is small on the wire.
  EXPECT_LT(Make007Token(std::string(1 << 20, '\0')).size(), kMaxTokenLength);
}

TEST(TokenDecoderTest, ExactlyMaxLengthIsNotRejectedForItsLength) {
  absl::StatusOr<DecodedToken> decoded = DecodeToken("007" + std::string(kMaxTokenLength - 3, 'A'));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(std::string(decoded.status().message()).find("longer than"), std::string::npos)
      << decoded.status();
}

// Every prefix of a real token is malformed and fails cleanly.
class TruncationTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TruncationTest, EveryPrefixFails) {
  const std::string token = GetParam() == "006"        ? Rtc006Token()
                            : GetParam() == "007"      ? Rtm007Token()
                            : GetParam() == "007_fast" ? Rtm007Token(Compression::kFast)
                                                       : RtcWithRtm007Token();
  ASSERT_TRUE(DecodeToken(token).ok());
  for (size_t length = 0; length < token.size(); ++length) {
    absl::StatusOr<DecodedToken> decoded = DecodeToken(std::string_view(token).substr(0, length));
    ASSERT_FALSE(decoded.ok()) << "prefix of length " << length << " decoded";
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument) << length;
    EXPECT_FALSE(decoded.status().message().empty()) << length;
  }
}

INSTANTIATE_TEST_SUITE_P(Tokens, TruncationTest,
                         ::testing::Values("006", "007", "007_fast", "007_with_rtm"));

// A reference token holding all ten service types: every prefix of its
// payload (re-compressed, so the parser sees it) and the payload with a byte
// added fail cleanly, so each type's layout is bounds-checked.
TEST(TokenDecoderTest, EveryServiceLayoutRejectsTruncationAndTrailingBytes) {
  const std::vector<agora_token_test::Vector> vectors =
      agora_token_test::LoadVectors("extra.json", "access_token2_007");
  const auto all = std::find_if(vectors.begin(), vectors.end(),
                                [](const auto& v) { return v.id() == "access_token2_all_types"; });
  ASSERT_NE(all, vectors.end());
  const std::string payload = Unhex(all->fields.at("payload_hex").get<std::string>());
  absl::StatusOr<DecodedToken> whole = DecodeToken(Make007Token(payload));
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_EQ(whole->services.size(), 10u);
  for (size_t length = 0; length < payload.size(); ++length) {
    absl::StatusOr<DecodedToken> decoded = DecodeToken(Make007Token(payload.substr(0, length)));
    ASSERT_FALSE(decoded.ok()) << "payload prefix of length " << length << " decoded";
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument) << length;
  }
  absl::StatusOr<DecodedToken> longer = DecodeToken(Make007Token(payload + std::string(1, '\0')));
  ASSERT_FALSE(longer.ok());
  EXPECT_NE(std::string(longer.status().message()).find("trailing"), std::string::npos)
      << longer.status();
}

// Random damage inside the payload (re-compressed, so it reaches the parser
// rather than stopping at zlib's checksum) never crashes, and whatever still
// decodes can be verified and checked for expiry.
TEST(TokenDecoderTest, RandomPayloadDamageNeverCrashes) {
  std::mt19937 random(20240601);
  const std::string payload007 = PayloadOf(RtcWithRtm007Token());
  const std::string content006 = Unbase64(Rtc006Token().substr(35));
  ASSERT_FALSE(payload007.empty());
  ASSERT_FALSE(content006.empty());
  const auto damage = [&random](std::string bytes) {
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      const size_t at = random() % bytes.size();
      switch (random() % 4) {
        case 0:
          bytes[at] = static_cast<char>(random());
          break;
        case 1:
          bytes.resize(at);
          break;
        case 2:
          bytes.insert(at, std::string(1 + random() % 8, static_cast<char>(random())));
          break;
        default:
          bytes.erase(at, 1 + random() % 8);
          break;
      }
    }
    return bytes;
  };
  int decoded_007 = 0;
  int decoded_006 = 0;
  for (int i = 0; i < 20000; ++i) {
    const bool is_007 = i % 2 == 0;
    const std::string token =
        is_007 ? Make007Token(damage(payload007)) : Make006Token(kAppId, damage(content006));
    absl::StatusOr<DecodedToken> decoded = DecodeToken(token);
    if (!decoded.ok()) {
      ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument) << decoded.status();
      continue;
    }
    (is_007 ? decoded_007 : decoded_006) += 1;
    const Token006Subject subject = Token006Subject::ForRtc(kChannel, kUid);
    // Damage may leave a token that still parses; it must not verify unless
    // the bytes the signature covers survived intact.
    if (VerifySignature(*decoded, kAppCertificate, &subject).ok()) {
      EXPECT_EQ(decoded->signed_bytes,
                is_007 ? payload007.substr(34) : DecodeToken(Rtc006Token())->signed_bytes);
    }
    CheckExpiry(*decoded, kIssueTs);
  }
  // Some damage (e.g. to a privilege value) leaves a parsable token.
  EXPECT_GT(decoded_007, 0);
  EXPECT_GT(decoded_006, 0);
}

// ---------------------------------------------------------------------------
// Unknown service types: parsing stops, the signature still verifies.

TEST(TokenDecoderTest, ReferenceTokenWithAnUnknownServiceDecodesAndVerifies) {
  const std::vector<agora_token_test::Vector> vectors =
      agora_token_test::LoadVectors("extra.json", "unknown_service007");
  ASSERT_EQ(vectors.size(), 1u);
  const nlohmann::json& v = vectors[0].fields;
  absl::StatusOr<DecodedToken> decoded = DecodeToken(v.at("token").get<std::string>());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->unknown_service_type, v.at("unknown_service_type").get<uint16_t>());
  ASSERT_EQ(decoded->services.size(), 1u);  // the RTC service before it was parsed
  EXPECT_EQ(decoded->services[0].type, kServiceRtc);
  EXPECT_EQ(decoded->services[0].channel_name, v.at("channel_name").get<std::string>());
  EXPECT_EQ(decoded->services[0].account, std::to_string(v.at("uid").get<uint32_t>()));
  EXPECT_EQ(
      decoded->services[0].privileges,
      (std::vector<PrivilegeValue>{{kRtcJoinChannel, v.at("privilege_expire").get<uint32_t>()}}));
  EXPECT_EQ(agora_token_test::Hex(Payload007(*decoded)), v.at("payload_hex").get<std::string>());
  EXPECT_TRUE(VerifySignature(*decoded, v.at("app_certificate").get<std::string>()).ok());
  EXPECT_FALSE(VerifySignature(*decoded, kOtherCertificate).ok());
}

TEST(TokenDecoderTest, UnknownServiceTypeStopsParsing) {
  // RTC (type 1) then RTM (type 2); retype the RTM service as 11, a type no
  // reference defines.
  const std::string payload = PayloadOf(RtcWithRtm007Token());
  const std::string rtm_service = U16(kServiceRtm) + U16(1) + U16(kRtmLogin);
  const size_t rtm_at = payload.find(rtm_service);
  ASSERT_NE(rtm_at, std::string::npos);
  absl::StatusOr<DecodedToken> decoded = DecodeToken(Make007Token(Patch(payload, rtm_at, U16(11))));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->unknown_service_type, 11);
  ASSERT_EQ(decoded->services.size(), 1u);
  EXPECT_EQ(decoded->services[0].type, kServiceRtc);
  EXPECT_EQ(decoded->services[0].channel_name, kChannel);
  EXPECT_EQ(decoded->services[0].account, std::to_string(kUid));
  // The signature covered the original type, so this token no longer verifies.
  EXPECT_EQ(VerifySignature(*decoded, kAppCertificate).code(), absl::StatusCode::kPermissionDenied);
}

TEST(TokenDecoderTest, UnknownFirstServiceLeavesNoServices) {
  const std::string payload = PayloadOf(Rtm007Token());
  for (const uint16_t type : {uint16_t{0}, uint16_t{11}, uint16_t{0x7fff}, uint16_t{0xffff}}) {
    absl::StatusOr<DecodedToken> decoded =
        DecodeToken(Make007Token(Patch(payload, kServiceTypeAt, U16(type))));
    ASSERT_TRUE(decoded.ok()) << type << ": " << decoded.status();
    EXPECT_EQ(decoded->unknown_service_type, type);
    EXPECT_TRUE(decoded->services.empty());
  }
}

// ---------------------------------------------------------------------------
// VerifySignature.

absl::Status VerifyMutated(const std::string& token,
                           const std::function<void(DecodedToken&)>& mutate,
                           std::string_view certificate = kAppCertificate,
                           const Token006Subject* subject = nullptr) {
  absl::StatusOr<DecodedToken> decoded = DecodeToken(token);
  if (!decoded.ok()) return decoded.status();
  mutate(*decoded);
  return VerifySignature(*decoded, certificate, subject);
}

TEST(VerifySignatureTest, WrongCertificateFailsLikeACorruptedSignature007) {
  const std::string token = Rtm007Token();
  const absl::Status wrong_key = VerifyMutated(
      token, [](DecodedToken&) {}, kOtherCertificate);
  const absl::Status corrupted = VerifyMutated(
      token, [](DecodedToken& d) { d.signature[0] = static_cast<char>(d.signature[0] ^ 1); });
  const absl::Status other_bytes =
      VerifyMutated(token, [](DecodedToken& d) { d.signed_bytes.back() ^= 1; });
  const absl::Status other_issue_ts =
      VerifyMutated(token, [](DecodedToken& d) { d.issue_ts += 1; });
  const absl::Status other_salt = VerifyMutated(token, [](DecodedToken& d) { d.salt += 1; });
  const absl::Status short_signature =
      VerifyMutated(token, [](DecodedToken& d) { d.signature.pop_back(); });
  for (const absl::Status& s :
       {wrong_key, corrupted, other_bytes, other_issue_ts, other_salt, short_signature}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
    EXPECT_EQ(s.message(), wrong_key.message());
  }
  EXPECT_TRUE(VerifyMutated(token, [](DecodedToken&) {}).ok());
}

TEST(VerifySignatureTest, WrongCertificateFailsLikeACorruptedSignature006) {
  const std::string token = Rtc006Token();
  const Token006Subject subject = Token006Subject::ForRtc(kChannel, kUid);
  const absl::Status wrong_key = VerifyMutated(
      token, [](DecodedToken&) {}, kOtherCertificate, &subject);
  const absl::Status corrupted = VerifyMutated(
      token, [](DecodedToken& d) { d.signature[31] = static_cast<char>(d.signature[31] ^ 0x80); },
      kAppCertificate, &subject);
  const absl::Status other_message = VerifyMutated(
      token, [](DecodedToken& d) { d.signed_bytes[0] ^= 1; }, kAppCertificate, &subject);
  const absl::Status other_app = VerifyMutated(
      token, [](DecodedToken& d) { d.app_id[0] = d.app_id[0] == '9' ? '8' : '9'; }, kAppCertificate,
      &subject);
  for (const absl::Status& s : {wrong_key, corrupted, other_message, other_app}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
    EXPECT_EQ(s.message(), wrong_key.message());
  }
  EXPECT_TRUE(VerifyMutated(
                  token, [](DecodedToken&) {}, kAppCertificate, &subject)
                  .ok());
}

TEST(VerifySignatureTest, Token006NeedsItsSubject) {
  absl::StatusOr<DecodedToken> decoded = DecodeToken(Rtc006Token());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const absl::Status status = VerifySignature(*decoded, kAppCertificate);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
}

TEST(VerifySignatureTest, Token006WithAnotherChannelOrUidFailsTheCrcCheck) {
  absl::StatusOr<DecodedToken> decoded = DecodeToken(Rtc006Token());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const Token006Subject right = Token006Subject::ForRtc(kChannel, kUid);
  ASSERT_TRUE(VerifySignature(*decoded, kAppCertificate, &right).ok());
  const absl::Status reference =
      VerifySignature(*decoded, kOtherCertificate, &right);  // a plain mismatch
  const std::vector<Token006Subject> wrong = {
      Token006Subject::ForRtc("decoder2", kUid),
      Token006Subject::ForRtc("Decoder", kUid),
      Token006Subject::ForRtc(kChannel, uint32_t{kUid + 1}),
      Token006Subject::ForRtc(kChannel, uint32_t{0}),
      Token006Subject::ForRtc(kChannel, std::string("01234")),
      Token006Subject::ForRtm(kChannel),
  };
  for (const Token006Subject& subject : wrong) {
    const absl::Status status = VerifySignature(*decoded, kAppCertificate, &subject);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied)
        << subject.channel_name << "/" << subject.uid_str;
    EXPECT_EQ(status.message(), reference.message());
  }
  // A string account equal to the decimal uid is the same subject.
  const Token006Subject as_account = Token006Subject::ForRtc(kChannel, std::string("1234"));
  EXPECT_TRUE(VerifySignature(*decoded, kAppCertificate, &as_account).ok());
}

TEST(VerifySignatureTest, RtmSubjectVerifiesAn006RtmToken) {
  const BuiltToken built = MustBuild(BuildRtmToken006(TestApp(), "rtm_user", 0, kAt));
  absl::StatusOr<DecodedToken> decoded = DecodeToken(built.token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const Token006Subject rtm = Token006Subject::ForRtm("rtm_user");
  EXPECT_TRUE(VerifySignature(*decoded, kAppCertificate, &rtm).ok());
  const Token006Subject other = Token006Subject::ForRtm("rtm_user2");
  EXPECT_EQ(VerifySignature(*decoded, kAppCertificate, &other).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(VerifySignatureTest, UnusableCertificateIsAnInvalidArgumentThatHidesIt) {
  absl::StatusOr<DecodedToken> decoded = DecodeToken(Rtm007Token());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const std::string bad[] = {"", std::string(kAppCertificate).substr(0, 31),
                             std::string(kAppCertificate) + "0",
                             "5CFd2fd1755d40ecb72977518be15d3g"};
  for (const std::string& certificate : bad) {
    const absl::Status status = VerifySignature(*decoded, certificate);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << certificate;
    EXPECT_EQ(InvalidFieldName(status), "app_certificate");
    if (!certificate.empty()) {
      EXPECT_EQ(std::string(status.message()).find(certificate), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace agora_token
