// core/base64.h: RFC 4648 encoding, and strict decoding that accepts exactly
// the canonical encodings (so no two token strings decode to the same bytes).
#include "core/base64.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "tests/core/test_support.h"

namespace agora_token {
namespace {

std::string Encode(std::string_view in) {
  std::string out;
  Base64Append(in, &out);
  return out;
}

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Encode(plain), encoded);
    std::string decoded = "stale";
    EXPECT_TRUE(Base64DecodeStrict(encoded, &decoded)) << encoded;
    EXPECT_EQ(decoded, plain);
  }
}

TEST(Base64Test, AppendKeepsWhatIsThere) {
  std::string out = "006";
  Base64Append("foo", &out);
  EXPECT_EQ(out, "006Zm9v");
}

TEST(Base64Test, MatchesAbseilForEveryByteAndLength) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (size_t length = 0; length <= all.size(); ++length) {
    const std::string in = all.substr(all.size() - length);
    const std::string encoded = Encode(in);
    EXPECT_EQ(encoded, agora_token_test::Base64(in)) << length;
    std::string decoded;
    ASSERT_TRUE(Base64DecodeStrict(encoded, &decoded)) << length;
    EXPECT_EQ(decoded, in);
  }
}

// Long inputs take the vector path in 12-byte steps with a scalar tail:
// every length up to a token's, from every start offset of a buffer.
TEST(Base64Test, MatchesAbseilForLongInputsAtEveryOffset) {
  std::string bytes;
  for (int i = 0; i < 1200; ++i) bytes.push_back(static_cast<char>(i * 167 + 13));
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t length = 0; length + offset <= bytes.size(); length += 1 + length / 64) {
      const std::string_view in = std::string_view(bytes).substr(offset, length);
      ASSERT_EQ(Encode(in), agora_token_test::Base64(in)) << offset << " " << length;
    }
  }
}

// Long encodings are decoded sixteen characters a step: every byte value
// at every position of the body must be accepted exactly when it is in the
// alphabet, and decode to what the table gives.
TEST(Base64Test, DecodesEveryByteAtEveryPositionOfALongEncoding) {
  std::string bytes;
  for (int i = 0; i < 60; ++i) bytes.push_back(static_cast<char>(i * 89 + 3));
  const std::string encoded = Encode(bytes);  // 80 characters, no padding
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t position = 0; position < encoded.size(); ++position) {
    for (int byte = 0; byte < 256; ++byte) {
      std::string text = encoded;
      text[position] = static_cast<char>(byte);
      std::string decoded;
      const bool in_alphabet = alphabet.find(static_cast<char>(byte)) != std::string::npos;
      ASSERT_EQ(Base64DecodeStrict(text, &decoded), in_alphabet) << position << " " << byte;
      if (in_alphabet) {
        std::string expected;
        ASSERT_TRUE(absl::Base64Unescape(text, &expected));
        ASSERT_EQ(decoded, expected) << position << " " << byte;
      } else {
        EXPECT_TRUE(decoded.empty());
      }
    }
  }
}

TEST(Base64Test, RejectsNonCanonicalInput) {
  const std::string bad[] = {
      "Zg",        // no padding
      "Zg=",       // short padding
      "Zm9vY",     // length 5
      "Zh==",      // padding bits set
      "Zm9=",      // padding bits set
      "Zg==Zg==",  // padding in the middle
      "Z===",      // three padding characters
      "====",      // padding only
      "=Zm9",      // padding first
      "Zm9v====",  // a padding-only group
      "Zm-v",      // URL-safe alphabet
      "Zm_v",      // URL-safe alphabet
      "Zm9 ",      // space
      "Zm9\n",     // newline
      std::string("Zm9\0", 4),
      "Zm9\xC3",  // non-ASCII
  };
  for (const std::string& in : bad) {
    std::string out;
    EXPECT_FALSE(Base64DecodeStrict(in, &out)) << testing::PrintToString(in);
  }
}

// Exhaustive over every final group with padding: it decodes exactly when it
// is the encoding of what it decodes to.
TEST(Base64Test, PaddedGroupsDecodeOnlyWhenCanonical) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  int accepted = 0;
  for (const char a : alphabet) {
    for (const char b : alphabet) {
      const std::string two = std::string{a, b} + "==";
      std::string out;
      if (Base64DecodeStrict(two, &out)) {
        ++accepted;
        EXPECT_EQ(Encode(out), two);
      }
      for (const char c : alphabet) {
        const std::string three = std::string{a, b, c} + "=";
        if (Base64DecodeStrict(three, &out)) {
          ++accepted;
          EXPECT_EQ(Encode(out), three);
        }
      }
    }
  }
  EXPECT_EQ(accepted, 256 + 65536);  // one group per 1- and 2-byte value
}

}  // namespace
}  // namespace agora_token
