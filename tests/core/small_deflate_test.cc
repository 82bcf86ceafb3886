// core/small_deflate.h against the system zlib, byte for byte: SmallDeflate
// must equal compress2 at the default level (6) and StoredDeflate the level-0,
// windowBits-9 stream fast mode used to get from zlib, on every input they
// accept. The differential tests draw over a million payloads of every kind a
// token can carry (signing-info layouts with channel and user text, random
// bytes, repetitive bytes) at every size up to kSmallDeflateMaxInput.
// AGORA_TOKEN_DEFLATE_DIFFERENTIAL_DIVISOR divides the counts in sanitizer
// builds, because ASan slows zlib and the parser tenfold, and in the
// BoringSSL build, which repeats what the OpenSSL build proved.
#include "core/small_deflate.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/compression.h"
#include "gtest/gtest.h"
#include "tests/core/test_support.h"
#include "tests/core/zlib_reference.h"

#ifndef AGORA_TOKEN_DEFLATE_DIFFERENTIAL_DIVISOR
#define AGORA_TOKEN_DEFLATE_DIFFERENTIAL_DIVISOR 1
#endif

namespace agora_token {
namespace {

// Payloads per differential test; the four tests below draw 1,024,579 in all.
constexpr int Count(int full) { return full / AGORA_TOKEN_DEFLATE_DIFFERENTIAL_DIVISOR; }

// The reference stream is reused across calls, as core/compression.cc used
// to; ReferenceMatchesCompress2 checks that reuse changes nothing.
using agora_token_test::ZlibReference;

ZlibReference& DefaultLevel() {
  static ZlibReference* const reference = new ZlibReference(Z_DEFAULT_COMPRESSION, 15, 8);
  return *reference;
}

std::string Small(std::string_view input) {
  std::string out;
  if (!SmallDeflate(input, &out)) return "<refused>";
  return out;
}

// Payload generators. Each draws its size first, so every size is reached.
class Payloads {
 public:
  explicit Payloads(uint64_t seed) : state_(seed) {}

  // Sizes up to the limit, most of them token-sized: a quarter anywhere in
  // [0, limit], the rest in [0, 1024].
  size_t Size() { return Uniform(4) == 0 ? Uniform(kSmallDeflateMaxInput + 1) : Uniform(1025); }

  std::string RandomBytes(size_t size) {
    std::string out(size, '\0');
    for (size_t i = 0; i < size; i += 8) {
      const uint64_t word = Next();
      std::memcpy(&out[i], &word, std::min<size_t>(8, size - i));
    }
    return out;
  }

  // A few distinct bytes, in runs and repeated short patterns: long matches,
  // length-limited Huffman trees, and runs in the code lengths.
  std::string Repetitive(size_t size) {
    const int alphabet = 1 + static_cast<int>(Uniform(4));
    const char base = static_cast<char>(Next());
    std::string out;
    while (out.size() < size) {
      const size_t run = 1 + Uniform(Uniform(3) == 0 ? 300 : 12);
      if (Uniform(3) == 0 && out.size() > 8) {
        // Copy an earlier stretch: distant and overlapping matches.
        const size_t from = Uniform(out.size());
        for (size_t i = 0; i < run && out.size() < size; ++i) out.push_back(out[from + i]);
      } else {
        out.append(std::min(run, size - out.size()),
                   static_cast<char>(base + static_cast<char>(Uniform(alphabet))));
      }
    }
    return out;
  }

  // str(signature) + signing_info as the 007 builders lay it out: binary
  // header fields, services with privilege maps, and channel and user text,
  // often the same user twice (RTC with RTM); one in eight also carries
  // RTM2-like permission lists naming channels. 60 to about 1500 bytes.
  std::string Token007Payload() {
    std::string out = agora_token_test::Str(RandomBytes(32));
    out += agora_token_test::Str(Hex(16));
    out += agora_token_test::U32(1700000000 + static_cast<uint32_t>(Uniform(1u << 30)));
    out += agora_token_test::U32(static_cast<uint32_t>(Uniform(86401)));
    out += agora_token_test::U32(1 + static_cast<uint32_t>(Uniform(99999999)));
    channel_ = Text(1 + Uniform(64));
    const std::string user =
        Uniform(2) == 0 ? std::to_string(Next() & 0xffffffffu) : Text(1 + Uniform(255));
    const uint32_t expire = static_cast<uint32_t>(Uniform(86401));
    const uint16_t services = static_cast<uint16_t>(1 + Uniform(3));
    out += agora_token_test::U16(services);
    for (uint16_t s = 1; s <= services; ++s) {
      out += agora_token_test::U16(s);
      const uint16_t privileges = static_cast<uint16_t>(1 + Uniform(4));
      out += agora_token_test::U16(privileges);
      for (uint16_t p = 1; p <= privileges; ++p) {
        out += agora_token_test::U16(p) + agora_token_test::U32(Uniform(2) ? expire : 0);
      }
      if (s != 2) out += agora_token_test::Str(channel_);
      out += agora_token_test::Str(user);
    }
    if (Uniform(8) == 0) {
      for (size_t n = 1 + Uniform(24); n > 0; --n) AppendPermission(out);
    }
    return out;
  }

  // Token007Payload cut or padded with permission lists to `size` bytes.
  std::string SigningInfo(size_t size) {
    std::string out = Token007Payload();
    while (out.size() < size) AppendPermission(out);
    out.resize(size);
    return out;
  }

  // Kind 0 signing info, 1 random bytes, 2 repetitive bytes.
  std::string OfKind(size_t kind, size_t size) {
    switch (kind % 3) {
      case 0:
        return SigningInfo(size);
      case 1:
        return RandomBytes(size);
      default:
        return Repetitive(size);
    }
  }

  std::string AnyKind(size_t size) { return OfKind(Uniform(3), size); }

  size_t Uniform(size_t n) { return static_cast<size_t>(Next() % n); }

 private:
  // RTM2 permissions: u16 resource type, then a channel name, often the
  // token's own.
  void AppendPermission(std::string& out) {
    out += agora_token_test::U16(static_cast<uint16_t>(Uniform(5)));
    out += agora_token_test::Str(Uniform(2) ? channel_ : Text(1 + Uniform(64)));
  }

  // Characters of the seed document's channel and account rule.
  std::string Text(size_t size) {
    static constexpr std::string_view kChars =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
        "!#$%&()+-:;<=.>?@[]^_{}|~,";
    std::string out;
    // Real names reuse pieces ("room-1", "room-2"): draw from a small
    // vocabulary half the time.
    const bool wordy = Uniform(2) == 0;
    while (out.size() < size) {
      if (wordy) {
        static constexpr std::string_view kWords[] = {"room", "-", "user", "_", "2024", "live"};
        out += kWords[Uniform(6)];
      } else {
        out.push_back(kChars[Uniform(kChars.size())]);
      }
    }
    out.resize(size);
    return out;
  }

  std::string Hex(size_t bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < 2 * bytes; ++i) out.push_back(kDigits[Uniform(16)]);
    return out;
  }

  // splitmix64: cheap, and a fixed sequence on every platform.
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }

  uint64_t state_;
  std::string channel_;  // of the last Token007Payload
};

// Compares SmallDeflate with zlib on `count` payloads from `make`; reports
// the first few differences with the payload in hex.
template <typename Make>
void ExpectIdentical(int count, Make make) {
  int failures = 0;
  for (int i = 0; i < count && failures < 5; ++i) {
    const std::string payload = make(i);
    const std::string expected = DefaultLevel().Compress(payload);
    const std::string actual = Small(payload);
    if (actual != expected) {
      ++failures;
      ADD_FAILURE() << "payload " << i << " of " << payload.size()
                    << " bytes: " << agora_token_test::Hex(payload)
                    << "\nzlib:  " << agora_token_test::Hex(expected)
                    << "\nsmall: " << agora_token_test::Hex(actual);
    }
  }
}

TEST(SmallDeflateTest, KnownStreams) {
  // zlib's well-known outputs: the empty input is one fixed-code block.
  EXPECT_EQ(agora_token_test::Hex(Small("")), "789c030000000001");
  EXPECT_EQ(agora_token_test::Hex(Small("a")), "789c4b040000620062");
  EXPECT_EQ(Small(std::string(300, 'z')), agora_token_test::ZlibCompress(std::string(300, 'z')));
}

TEST(SmallDeflateTest, RefusesAboveTheLimit) {
  const std::string over(kSmallDeflateMaxInput + 1, 'x');
  std::string out = "kept";
  EXPECT_FALSE(SmallDeflate(over, &out));
  EXPECT_EQ(out, "kept");
  // The limit itself is handled, and appended after what was there.
  const std::string at(kSmallDeflateMaxInput, 'x');
  ASSERT_TRUE(SmallDeflate(at, &out));
  EXPECT_EQ(out, "kept" + agora_token_test::ZlibCompress(at));
}

TEST(SmallDeflateTest, ReferenceMatchesCompress2) {
  // The reused reference stream against a fresh compress2 per payload.
  Payloads payloads(7);
  for (int i = 0; i < Count(2000); ++i) {
    const std::string payload = payloads.AnyKind(payloads.Size());
    ASSERT_EQ(DefaultLevel().Compress(payload), agora_token_test::ZlibCompress(payload)) << i;
  }
}

TEST(SmallDeflateTest, CompressionUsesItAndFallsBackToZlib) {
  // Beyond the limit ZlibCompress still equals zlib (through zlib itself).
  Payloads payloads(8);
  for (size_t size : {kSmallDeflateMaxInput, kSmallDeflateMaxInput + 1, size_t{20000}}) {
    const std::string payload = payloads.SigningInfo(size);
    std::string out;
    ZlibCompress(payload, Compression::kCompatible, &out);
    EXPECT_EQ(out, agora_token_test::ZlibCompress(payload)) << size;
  }
}

TEST(SmallDeflateTest, ChainsThroughSharedHashBuckets) {
  // SmallDeflate's chain heads use only the hash's low bits (10 of 15 for
  // token-sized inputs): positions whose second and third bytes agree share
  // a bucket whatever their first byte (whose low 5 bits are the hash's
  // top ones), and each chain must skip the other hashes in its bucket.
  // Triples "xYZ", x mostly 0 (one long chain) and in bursts one of up to
  // 31 others, some long unseen, at sizes around every change of the
  // bucket count.
  Payloads payloads(9);
  ExpectIdentical(Count(4000), [&](int i) {
    const int distinct = 1 + static_cast<int>(payloads.Uniform(31));
    const size_t size = std::min(kSmallDeflateMaxInput,
                                 (size_t{16} << payloads.Uniform(10)) + payloads.Uniform(9) - 4);
    std::string out;
    while (out.size() < size) {
      // Mostly one first byte (a long chain), then a burst of the others.
      const bool burst = payloads.Uniform(8) == 0;
      out.push_back(static_cast<char>(burst ? 1 + payloads.Uniform(distinct) : 0));
      out += i % 2 == 0 ? "YZ" : "\x01\xff";
    }
    out.resize(size);
    return out;
  });
}

TEST(SmallDeflateTest, FirstChainAtEveryOffset) {
  // The parser skips positions without a chain eight at a time: distinct
  // bytes (no chains) with one repeated triple whose second copy starts at
  // every offset in and around those groups of eight, the input ending
  // right after it, a few bytes later, or at and past a multiple of eight.
  for (int offset = 4; offset <= 40; ++offset) {
    for (int tail = 0; tail <= 9; ++tail) {
      std::string input;
      for (int i = 0; i < offset; ++i) input.push_back(static_cast<char>(0x40 + i));
      // The only chain, at `offset` (one to position 0 would be zlib's NIL).
      input += input.substr(1, 3);
      for (int i = 0; i < tail; ++i) input.push_back(static_cast<char>(0xa0 + i));
      EXPECT_EQ(Small(input), DefaultLevel().Compress(input)) << agora_token_test::Hex(input);
    }
  }
}

TEST(SmallDeflateTest, CodeLengthRunsAtTheirLimits) {
  // Dynamic blocks whose literal code lengths have zero gaps and runs of
  // equal lengths at the chunk limits of zlib's scan_tree (3, 4, 6, 7, 10,
  // 11, 138 and one past each): bytes `gap` apart, used equally often so
  // neighbours share a length, in runs of `run` consecutive byte values.
  std::vector<std::string> inputs;
  for (int gap : {0, 1, 2, 3, 9, 10, 11, 12, 137, 138, 139, 140}) {
    for (int run : {1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14, 20}) {
      std::string alphabet;
      for (int start = 0; start < 256 && alphabet.size() < 96; start += run + gap) {
        for (int b = start; b < start + run && b < 256; ++b)
          alphabet.push_back(static_cast<char>(b));
      }
      Payloads payloads(static_cast<uint64_t>(gap * 100 + run));
      std::string input;
      for (int i = 0; i < 3000; ++i) input.push_back(alphabet[payloads.Uniform(alphabet.size())]);
      inputs.push_back(input);
    }
  }
  int dynamic = 0;
  for (const std::string& input : inputs) {
    const std::string expected = DefaultLevel().Compress(input);
    EXPECT_EQ(Small(input), expected) << agora_token_test::Hex(input);
    dynamic += ((static_cast<uint8_t>(expected[2]) >> 1) & 3) == 2;
  }
  // Most of them must be dynamic blocks, or the test would test nothing.
  EXPECT_GT(dynamic, static_cast<int>(inputs.size()) / 2);
}

TEST(SmallDeflateDifferentialTest, Token007Payloads) {
  Payloads payloads(1);
  ExpectIdentical(Count(500000), [&](int) { return payloads.Token007Payload(); });
}

TEST(SmallDeflateDifferentialTest, RandomBytes) {
  Payloads payloads(2);
  ExpectIdentical(Count(200000), [&](int) { return payloads.RandomBytes(payloads.Size()); });
}

TEST(SmallDeflateDifferentialTest, RepetitiveBytes) {
  Payloads payloads(3);
  ExpectIdentical(Count(300000), [&](int) { return payloads.Repetitive(payloads.Size()); });
}

TEST(SmallDeflateDifferentialTest, EverySizeOfEveryKind) {
  // Each size 0..limit once as each kind (sanitizer builds: a sample).
  Payloads payloads(4);
  constexpr int kSizes = static_cast<int>(kSmallDeflateMaxInput) + 1;
  ExpectIdentical(Count(3 * kSizes), [&](int i) {
    const size_t size = static_cast<size_t>(i / 3) * AGORA_TOKEN_DEFLATE_DIFFERENTIAL_DIVISOR;
    return payloads.OfKind(static_cast<size_t>(i), size);
  });
}

TEST(StoredDeflateTest, EqualsZlibLevelZeroWindowNine) {
  // The zlib settings fast mode used: level 0, windowBits 9, memLevel 1.
  static ZlibReference* const reference = new ZlibReference(Z_NO_COMPRESSION, 9, 1);
  Payloads payloads(5);
  for (int i = 0; i < Count(20000); ++i) {
    const size_t size = i < 2 ? 65535 * static_cast<size_t>(i) : payloads.Size();
    const std::string payload = payloads.AnyKind(size);
    std::string out;
    ASSERT_TRUE(StoredDeflate(payload, &out));
    ASSERT_EQ(agora_token_test::Hex(out), agora_token_test::Hex(reference->Compress(payload)))
        << size;
  }
  std::string out;
  EXPECT_FALSE(StoredDeflate(std::string(65536, 'x'), &out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace agora_token
