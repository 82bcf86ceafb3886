// Tamper evidence: flipping any single bit of any character of a token makes
// it fail to decode or fail verification. The core is built for this (strict
// canonical base64, canonical deflate padding, signature over every field),
// and this test checks it exhaustively for every token form.
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/token.h"
#include "gtest/gtest.h"
#include "tests/core/test_support.h"

namespace agora_token {
namespace {

using agora_token_test::kAppCertificate;
using agora_token_test::TestApp;

using agora_token_test::kAt;

struct TamperCase {
  std::string name;
  std::function<absl::StatusOr<BuiltToken>()> build;
  std::optional<Token006Subject> subject;  // 006 only
};

Rtc007Params RtcParams() {
  Rtc007Params p;
  p.channel_name = "tamper-evident";
  p.user = std::string("mallory");
  p.token_expire = 3600;
  p.privilege_expire = 600;
  p.with_rtm = true;
  return p;
}

std::vector<TamperCase> TamperCases() {
  Rtc006Params rtc006;
  rtc006.channel_name = "tamper-evident";
  rtc006.user = uint32_t{2882341273};
  rtc006.privilege_expired_ts = kAt.issue_ts + 600;
  Rtc006Params rtc006_account = rtc006;
  rtc006_account.user = std::string("mallory");
  rtc006_account.role = RtcRole::kSubscriber;
  return {
      {"Rtc006", [rtc006] { return BuildRtcToken006(TestApp(), rtc006, kAt); },
       Token006Subject::ForRtc(rtc006.channel_name, rtc006.user)},
      {"Rtc006Account",
       [rtc006_account] { return BuildRtcToken006(TestApp(), rtc006_account, kAt); },
       Token006Subject::ForRtc(rtc006_account.channel_name, rtc006_account.user)},
      {"Rtm006", [] { return BuildRtmToken006(TestApp(), "mallory", 0, kAt); },
       Token006Subject::ForRtm("mallory")},
      {"Rtc007Compatible",
       [] { return BuildRtcToken007(TestApp(), RtcParams(), kAt, Compression::kCompatible); },
       std::nullopt},
      {"Rtc007Fast",
       [] { return BuildRtcToken007(TestApp(), RtcParams(), kAt, Compression::kFast); },
       std::nullopt},
      {"Rtm007Compatible",
       [] { return BuildRtmToken007(TestApp(), "mallory", 600, kAt, Compression::kCompatible); },
       std::nullopt},
      {"Chat007Fast",
       [] { return BuildChatToken007(TestApp(), "mallory", 600, kAt, Compression::kFast); },
       std::nullopt},
      {"ChatApp007Compatible",
       [] { return BuildChatToken007(TestApp(), "", 600, kAt, Compression::kCompatible); },
       std::nullopt},
  };
}

void PrintTo(const TamperCase& c, std::ostream* os) { *os << c.name; }

class TamperTest : public ::testing::TestWithParam<TamperCase> {};

TEST_P(TamperTest, EverySingleBitFlipIsDetected) {
  absl::StatusOr<BuiltToken> built = GetParam().build();
  ASSERT_TRUE(built.ok()) << built.status();
  const std::string& token = built->token;
  const Token006Subject* subject = GetParam().subject ? &*GetParam().subject : nullptr;

  // The untouched token verifies, so each failure below is the flip's doing.
  absl::StatusOr<DecodedToken> original = DecodeToken(token);
  ASSERT_TRUE(original.ok()) << original.status();
  ASSERT_TRUE(VerifySignature(*original, kAppCertificate, subject).ok());

  int undetected = 0;
  for (size_t i = 0; i < token.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = token;
      tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
      absl::StatusOr<DecodedToken> decoded = DecodeToken(tampered);
      if (!decoded.ok()) {
        EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
        continue;
      }
      const absl::Status verified = VerifySignature(*decoded, kAppCertificate, subject);
      if (verified.ok()) {
        // Report a few positions, not thousands of lines.
        if (++undetected <= 5) {
          ADD_FAILURE() << "flipping bit " << bit << " of character " << i << " ('" << token[i]
                        << "' -> '" << tampered[i] << "') still verifies";
        }
      } else {
        EXPECT_EQ(verified.code(), absl::StatusCode::kPermissionDenied) << verified;
      }
    }
  }
  EXPECT_EQ(undetected, 0) << "of " << token.size() * 8 << " single-bit flips";
}

INSTANTIATE_TEST_SUITE_P(EveryForm, TamperTest, ::testing::ValuesIn(TamperCases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace agora_token
