// core/crypto.h: HMAC-SHA256 against RFC 4231, SHA-256 against FIPS 180
// examples, MD5 against the RFC 1321 test suite, the pre-hashed key against the one-shot form,
// constant-time comparison and the CSPRNG.
#include "core/crypto.h"

#include <algorithm>
#include <string>

#include "gtest/gtest.h"
#include "tests/core/test_support.h"

#ifdef AGORA_TOKEN_TEST_LIBCRYPTO
#include <openssl/evp.h>
#endif

namespace agora_token {
namespace {

using agora_token_test::Hex;

std::string HexOf(const Sha256Digest& digest) { return Hex(AsStringView(digest)); }

struct HmacVector {
  std::string key;
  std::string data;
  std::string hex;
};

std::vector<HmacVector> Rfc4231() {
  std::string key4;
  for (char c = 1; c <= 25; ++c) key4.push_back(c);
  return {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {key4, std::string(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {std::string(131, '\xaa'),
       "This is a test using a larger than block-size key and a larger than block-size data. "
       "The key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
}

TEST(HmacSha256Test, Rfc4231OneShot) {
  for (const HmacVector& v : Rfc4231()) {
    EXPECT_EQ(HexOf(HmacSha256(v.key, {v.data})), v.hex);
  }
}

TEST(HmacSha256Test, Rfc4231PreHashedKeyAnySplitOfTheMessage) {
  for (const HmacVector& v : Rfc4231()) {
    const HmacSha256Key key(v.key);
    EXPECT_EQ(HexOf(key.Sign({v.data})), v.hex);
    for (size_t cut = 0; cut <= v.data.size(); cut += 7) {
      const std::string_view data = v.data;
      EXPECT_EQ(HexOf(key.Sign({data.substr(0, cut), "", data.substr(cut)})), v.hex) << cut;
    }
    // Signing is const and repeatable; copies sign alike.
    const HmacSha256Key copy = key;
    EXPECT_EQ(HexOf(copy.Sign({v.data})), v.hex);
    HmacSha256Key assigned("other");
    assigned = key;
    EXPECT_EQ(HexOf(assigned.Sign({v.data})), v.hex);
  }
}

// HMAC by its definition (RFC 2104) over the one-shot SHA-256, which the
// library pads itself: the block-level HMAC must agree for every key and
// message length around the block boundaries and for any split.
std::string ReferenceHmac(std::string key, std::string_view message) {
  if (key.size() > 64) key = std::string(AsStringView(Sha256(key)));
  key.resize(64, '\0');
  std::string inner = key;
  std::string outer = key;
  for (char& c : inner) c = static_cast<char>(c ^ 0x36);
  for (char& c : outer) c = static_cast<char>(c ^ 0x5c);
  inner.append(message);
  outer.append(AsStringView(Sha256(inner)));
  return HexOf(Sha256(outer));
}

TEST(HmacSha256Test, AgreesWithTheDefinitionForEveryLengthAndSplit) {
  std::string bytes;
  for (int i = 0; i < 400; ++i) bytes.push_back(static_cast<char>(i * 131 + 7));
  for (size_t key_size : {0, 1, 4, 31, 32, 33, 63, 64, 65, 131}) {
    const std::string key = bytes.substr(200, key_size);
    const HmacSha256Key prepared(key);
    for (size_t size = 0; size <= 260; ++size) {
      const std::string_view message = std::string_view(bytes).substr(0, size);
      const std::string expected = ReferenceHmac(key, message);
      ASSERT_EQ(HexOf(HmacSha256(key, {message})), expected) << key_size << " " << size;
      const size_t cut = size / 3;
      ASSERT_EQ(HexOf(prepared.Sign({message.substr(0, cut), message.substr(cut, 64),
                                     message.substr(std::min(size, cut + 64))})),
                expected)
          << key_size << " " << size;
    }
  }
}

TEST(HmacSha256Test, NestedEqualsTwoHmacsForEverySize) {
  std::string bytes;
  for (int i = 0; i < 200; ++i) bytes.push_back(static_cast<char>(i * 97 + 3));
  // Around the one-block limits (keys of 64, data of 55 bytes) and beyond.
  for (size_t outer_size : {0, 4, 32, 64, 65, 100}) {
    for (size_t inner_size : {0, 4, 32, 64, 65}) {
      for (size_t data_size : {0, 1, 32, 55, 56, 64, 120}) {
        const std::string_view outer_key = std::string_view(bytes).substr(0, outer_size);
        const std::string_view inner_key = std::string_view(bytes).substr(50, inner_size);
        const std::string_view data = std::string_view(bytes).substr(70, data_size);
        const Sha256Digest inner = HmacSha256(inner_key, {data});
        Sha256Digest inner_out{};
        EXPECT_EQ(HexOf(HmacSha256Nested(outer_key, inner_key, data, &inner_out)),
                  HexOf(HmacSha256(outer_key, {AsStringView(inner)})))
            << outer_size << " " << inner_size << " " << data_size;
        EXPECT_EQ(HexOf(inner_out), HexOf(inner));
        EXPECT_EQ(HexOf(HmacSha256Nested(outer_key, inner_key, data)),
                  HexOf(HmacSha256(outer_key, {AsStringView(inner)})));
      }
    }
  }
}

TEST(Sha256Test, Fips180Examples) {
  EXPECT_EQ(HexOf(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexOf(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // 56 bytes: the padding needs a second block.
  EXPECT_EQ(HexOf(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(HexOf(Sha256("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                         "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(HexOf(Sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

#ifdef AGORA_TOKEN_TEST_LIBCRYPTO
// The block-level SHA-256 against the library's own one-shot digest at
// every length across the first blocks' padding boundaries.
TEST(Sha256Test, AgreesWithTheLibraryAtEveryLength) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) bytes.push_back(static_cast<char>(i * 97 + 3));
  for (size_t size = 0; size <= bytes.size(); ++size) {
    unsigned char expected[kSha256Size];
    unsigned int expected_size = 0;
    ASSERT_EQ(EVP_Digest(bytes.data(), size, expected, &expected_size, EVP_sha256(), nullptr), 1);
    ASSERT_EQ(HexOf(Sha256(std::string_view(bytes).substr(0, size))),
              Hex(std::string_view(reinterpret_cast<const char*>(expected), expected_size)))
        << size;
  }
}
#endif

TEST(ConstantTimeEqualsTest, ComparesContentAndSize) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", ""));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

TEST(SecureRandomBytesTest, DrawsDiffer) {
  unsigned char a[32] = {};
  unsigned char b[32] = {};
  SecureRandomBytes(a, sizeof(a));
  SecureRandomBytes(b, sizeof(b));
  EXPECT_NE(std::string(reinterpret_cast<char*>(a), 32),
            std::string(reinterpret_cast<char*>(b), 32));
  EXPECT_NE(std::string(reinterpret_cast<char*>(a), 32), std::string(32, '\0'));
}

TEST(SecureWipeTest, ZeroesTheBuffer) {
  char secret[16] = "0123456789abcde";
  SecureWipe(secret, sizeof(secret));
  EXPECT_EQ(std::string(secret, sizeof(secret)), std::string(16, '\0'));
}

TEST(Md5Test, Rfc1321TestSuite) {
  const std::vector<std::pair<std::string, std::string>> suite = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
       "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"1234567890123456789012345678901234567890123456789012345678901234567890123456789"
       "0",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  for (const auto& [input, hex] : suite) {
    const Md5Digest digest = Md5(input);
    EXPECT_EQ(Hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size())),
              hex)
        << input;
  }
}

}  // namespace
}  // namespace agora_token
