// core/compression.h: CRC-32, the two deflate modes (compatible output equals
// the system zlib's default level byte for byte; fast output is a stored
// block any zlib inflates), and the bounded, strict inflater.
#include "core/compression.h"

#include <algorithm>
#include <array>
#include <functional>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "tests/core/test_support.h"
#include "zlib.h"

namespace agora_token {
namespace {

std::string Compress(std::string_view payload, Compression mode) {
  std::string out;
  ZlibCompress(payload, mode, &out);
  return out;
}

std::string SystemInflate(const std::string& stream, size_t max_size) {
  std::string out(max_size, '\0');
  uLongf size = out.size();
  if (uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                 reinterpret_cast<const Bytef*>(stream.data()), stream.size()) != Z_OK) {
    return "<inflate failed>";
  }
  out.resize(size);
  return out;
}

std::vector<std::string> Payloads() {
  std::string binary;
  for (int i = 0; i < 300; ++i) binary.push_back(static_cast<char>((i * 7919) & 0xff));
  return {"",
          "a",
          "hello hello hello hello",
          binary,
          std::string(5000, 'z'),
          agora_token_test::Str(std::string(32, '\x01')) + "970CA35de60c44645bbae8a215061b33"};
}

TEST(Crc32Test, KnownValues) {
  EXPECT_EQ(Crc32(""), 0u);
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32("7d72365eb983485397e3e3f9d460bdda"),
            agora_token_test::Crc32("7d72365eb983485397e3e3f9d460bdda"));
}

TEST(Crc32Test, EqualsZlibAtEveryLengthAndAlignment) {
  std::mt19937 rng(32);
  std::string bytes(300, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  for (size_t start = 0; start < 8; ++start) {
    for (size_t size = 0; start + size <= bytes.size(); ++size) {
      const std::string_view s = std::string_view(bytes).substr(start, size);
      ASSERT_EQ(Crc32(s),
                crc32(0L, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())))
          << start << " " << size;
    }
  }
}

TEST(Adler32Test, EqualsZlibAtEveryLengthAndAcrossTheReductionRuns) {
  std::mt19937 rng(1950);
  // 0xff bytes push the sums hardest; past 5552 bytes the sums are reduced
  // between runs.
  std::string bytes(12000, '\xff');
  for (size_t i = 6000; i < bytes.size(); ++i) bytes[i] = static_cast<char>(rng());
  const auto zlib_adler = [](std::string_view s) {
    return adler32(1L, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size()));
  };
  for (size_t size = 0; size <= 300; ++size) {
    const std::string_view s = std::string_view(bytes).substr(6000 - size / 2, size);
    ASSERT_EQ(Adler32(s), zlib_adler(s)) << size;
  }
  for (size_t size : {5551, 5552, 5553, 5560, 11104, 11105, 12000}) {
    const std::string_view all_ff = std::string_view(bytes).substr(0, std::min<size_t>(size, 6000));
    ASSERT_EQ(Adler32(all_ff), zlib_adler(all_ff)) << size;
    const std::string_view s = std::string_view(bytes).substr(0, size);
    ASSERT_EQ(Adler32(s), zlib_adler(s)) << size;
  }
}

TEST(ZlibCompressTest, CompatibleEqualsSystemZlibDefaultLevel) {
  for (const std::string& payload : Payloads()) {
    EXPECT_EQ(Compress(payload, Compression::kCompatible), agora_token_test::ZlibCompress(payload))
        << payload.size();
  }
}

TEST(ZlibCompressTest, FastIsAStoredStreamThatSystemZlibInflates) {
  for (const std::string& payload : Payloads()) {
    const std::string stream = Compress(payload, Compression::kFast);
    ASSERT_GT(stream.size(), 2u);
    EXPECT_EQ(static_cast<uint8_t>(stream[2]) & 0x06, 0) << "not a stored block";
    EXPECT_EQ(SystemInflate(stream, payload.size() + 1), payload) << payload.size();
  }
}

TEST(ZlibCompressTest, AppendsAndIsRepeatable) {
  // The deflate streams are reused per thread: alternate modes and payloads.
  std::string out = "prefix";
  ZlibCompress("abc", Compression::kCompatible, &out);
  EXPECT_EQ(out, "prefix" + agora_token_test::ZlibCompress("abc"));
  for (int round = 0; round < 3; ++round) {
    for (const std::string& payload : Payloads()) {
      EXPECT_EQ(Compress(payload, Compression::kCompatible),
                agora_token_test::ZlibCompress(payload));
      EXPECT_EQ(SystemInflate(Compress(payload, Compression::kFast), payload.size() + 1), payload);
    }
  }
}

TEST(ZlibDecompressTest, RoundTripsBothModesAndOtherLevels) {
  for (const std::string& payload : Payloads()) {
    for (const std::string& stream :
         {Compress(payload, Compression::kCompatible), Compress(payload, Compression::kFast),
          agora_token_test::ZlibCompress(payload, 1), agora_token_test::ZlibCompress(payload, 9)}) {
      std::string out = "stale";
      const absl::Status status = ZlibDecompress(stream, 64 * 1024, &out);
      ASSERT_TRUE(status.ok()) << status;
      EXPECT_EQ(out, payload);
    }
  }
}

// The builders' streams (one fixed-code or stored block) never go to zlib.
TEST(ZlibDecompressTest, OwnInflaterTakesTheBuildersStreams) {
  std::mt19937 rng(7);
  std::vector<std::string> payloads = Payloads();
  for (int round = 0; round < 500; ++round) {
    std::string payload(rng() % 300, '\0');
    const int alphabet = 1 + static_cast<int>(rng() % 256);
    for (char& c : payload) c = static_cast<char>(rng() % alphabet);
    payloads.push_back(payload);
  }
  for (const std::string& payload : payloads) {
    for (Compression mode : {Compression::kCompatible, Compression::kFast}) {
      const std::string stream = Compress(payload, mode);
      if (mode == Compression::kCompatible && ((stream[2] >> 1) & 3) == 2) continue;  // dynamic
      std::string out;
      ASSERT_TRUE(InflateSimpleStream(stream, 64 * 1024, &out)) << agora_token_test::Hex(stream);
      EXPECT_EQ(out, payload);
    }
  }
}

TEST(ZlibDecompressTest, LimitIsInclusive) {
  const std::string payload(1000, 'q');
  const std::string stream = Compress(payload, Compression::kCompatible);
  std::string out;
  EXPECT_TRUE(ZlibDecompress(stream, 1000, &out).ok());
  EXPECT_EQ(out, payload);
  const absl::Status over = ZlibDecompress(stream, 999, &out);
  EXPECT_EQ(over.code(), absl::StatusCode::kInvalidArgument);
}

TEST(ZlibDecompressTest, RejectsBrokenStreams) {
  const std::string stream = Compress("some payload to compress", Compression::kCompatible);
  std::string out;
  const std::string broken[] = {
      "",
      stream.substr(0, stream.size() - 1),
      stream + "x",
      stream + stream,
      "xx" + stream.substr(2),
      std::string("\x78\x9c", 2),
  };
  for (const std::string& s : broken) {
    EXPECT_EQ(ZlibDecompress(s, 1024, &out).code(), absl::StatusCode::kInvalidArgument)
        << agora_token_test::Hex(s);
  }
  // Still usable afterwards (its per-thread stream was reset).
  EXPECT_TRUE(ZlibDecompress(stream, 1024, &out).ok());
  EXPECT_EQ(out, "some payload to compress");
}

// ZlibDecompress inflates one-block stored and fixed-code streams itself;
// it must give zlib's verdict, message and bytes for every input. Streams
// from zlib at several settings, then each one damaged: bit flips, cuts,
// extra bytes and overwritten bytes.
TEST(ZlibDecompressTest, OwnInflaterAgreesWithZlibOnEveryStream) {
  std::mt19937 rng(19);
  const auto zlib_deflate = [](const std::string& payload, int level, int window_bits,
                               int strategy) {
    z_stream zs{};
    EXPECT_EQ(deflateInit2(&zs, level, Z_DEFLATED, window_bits, 8, strategy), Z_OK);
    std::string out(2 * payload.size() + 128, '\0');  // above deflateBound for small windows too
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
    zs.avail_in = static_cast<uInt>(payload.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(::deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
  };
  const auto check = [](const std::string& stream, size_t limit) {
    std::string ours;
    std::string reference;
    const absl::Status a = ZlibDecompress(stream, limit, &ours);
    const absl::Status b = ZlibDecompressReference(stream, limit, &reference);
    ASSERT_EQ(a, b) << agora_token_test::Hex(stream);
    if (a.ok()) {
      ASSERT_EQ(ours, reference) << agora_token_test::Hex(stream);
    }
  };
  int streams = 0;
  for (int round = 0; round < 3000; ++round) {
    // Token-like payloads: random bytes, repeats and small alphabets.
    std::string payload(rng() % 400, '\0');
    const int alphabet = 1 + static_cast<int>(rng() % 256);
    for (char& c : payload) c = static_cast<char>(rng() % alphabet);
    if (!payload.empty() && rng() % 2 == 0) payload += payload.substr(0, rng() % payload.size());
    const int level = std::array<int, 4>{0, 1, 6, 9}[rng() % 4];
    const int strategy = rng() % 2 == 0 ? Z_FIXED : Z_DEFAULT_STRATEGY;
    const int window_bits = 9 + static_cast<int>(rng() % 7);
    const std::string stream = zlib_deflate(payload, level, window_bits, strategy);
    check(stream, 64 * 1024);
    check(stream, payload.size());
    if (!payload.empty()) check(stream, payload.size() - 1);
    for (int k = 0; k < 20; ++k) {
      std::string damaged = stream;
      switch (rng() % 4) {
        case 0:
          damaged[rng() % damaged.size()] ^= static_cast<char>(1u << (rng() % 8));
          break;
        case 1:
          damaged.resize(rng() % damaged.size());
          break;
        case 2:
          damaged.push_back(static_cast<char>(rng()));
          break;
        default:
          damaged[rng() % damaged.size()] = static_cast<char>(rng());
          break;
      }
      check(damaged, 64 * 1024);
      ++streams;
    }
  }
  EXPECT_EQ(streams, 60000);
}

// Fixed-code streams written symbol by symbol, to reach what zlib never
// writes: invalid codes (286, 287, distances 30 and 31), distances one past
// the output, longest matches and limits hit inside the inflater's fast
// steps (eight or more input bytes left) and in its careful tail.
class FixedStreamWriter {
 public:
  void Literal(int byte) { Symbol(byte); }
  // Any length 3..258 and distance 1..32768; `distance_code` forces a code.
  void Match(int length, int distance, int distance_code = -1) {
    static constexpr int kLengthBase[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                            15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                            67, 83, 99, 115, 131, 163, 195, 227, 258};
    int l = 28;
    while (kLengthBase[l] > length) --l;
    Symbol(257 + l);
    const int length_extra = l < 8 || l == 28 ? 0 : (l - 4) / 4;
    Bits(static_cast<uint32_t>(length - kLengthBase[l]), length_extra);
    int d = 0;
    int base = 1;
    while (d < 29 && DistBase(d + 1) <= distance) ++d;
    base = DistBase(d);
    const int code = distance_code >= 0 ? distance_code : d;
    Reversed(static_cast<uint32_t>(code), 5);
    if (code < 30) Bits(static_cast<uint32_t>(distance - base), d < 4 ? 0 : d / 2 - 1);
  }
  void Symbol(int symbol) {
    if (symbol < 144) return Reversed(0x30 + symbol, 8);
    if (symbol < 256) return Reversed(0x190 + symbol - 144, 9);
    if (symbol < 280) return Reversed(symbol - 256, 7);
    Reversed(0xc0 + symbol - 280, 8);
  }
  // The zlib stream: header, one final fixed block ending in code 256 if
  // `end`, zero padding, then the Adler-32 of `expected`.
  std::string Finish(std::string_view expected, bool end = true) {
    if (end) Symbol(256);
    std::string out = "\x78\x9c";
    while (bit_count_ > 0) Bits(0, 1);
    out += bytes_;
    const uint32_t adler = Adler32(expected);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(adler >> shift));
    return out;
  }
  FixedStreamWriter() { Bits(1 | 1 << 1, 3); }  // final block, fixed codes

 private:
  static int DistBase(int d) { return d < 4 ? d + 1 : (((d & 1) + 2) << (d / 2 - 1)) + 1; }
  void Reversed(uint32_t code, int length) {
    for (int i = length - 1; i >= 0; --i) Bits((code >> i) & 1, 1);
  }
  void Bits(uint32_t value, int count) {
    for (int i = 0; i < count; ++i) {
      if (bit_count_ == 0) bytes_.push_back('\0');
      bytes_.back() = static_cast<char>(bytes_.back() | ((value >> i) & 1) << bit_count_);
      bit_count_ = (bit_count_ + 1) % 8;
    }
  }
  std::string bytes_;
  int bit_count_ = 0;
};

TEST(ZlibDecompressTest, HandWrittenFixedStreamsAgreeWithZlib) {
  const auto check = [](const std::string& stream, size_t limit, bool expect_ok,
                        const std::string& expected = "") {
    std::string ours;
    std::string reference;
    const absl::Status a = ZlibDecompress(stream, limit, &ours);
    const absl::Status b = ZlibDecompressReference(stream, limit, &reference);
    EXPECT_EQ(a, b) << agora_token_test::Hex(stream);
    EXPECT_EQ(a.ok(), expect_ok) << a;
    if (a.ok()) {
      EXPECT_EQ(ours, reference);
      EXPECT_EQ(ours, expected);
    }
  };
  // `lead` literals before the case under test keep it in the fast steps
  // (long lead, with a long tail after) or put it in the tail (short lead).
  for (int lead : {1, 2, 3, 9, 40}) {
    for (int trailing : {0, 1, 20}) {
      std::string text;
      FixedStreamWriter w;
      const auto literals = [&](int n) {
        for (int i = 0; i < n; ++i) {
          const int byte = (i * 37 + 11) & 0xff;  // both 8- and 9-bit codes
          w.Literal(byte);
          text.push_back(static_cast<char>(byte));
        }
      };
      literals(lead);
      // A match reaching back to the very first byte, and an overlapping
      // run, then the longest match, within and at the limit.
      w.Match(3, static_cast<int>(text.size()));
      for (int i = 0; i < 3; ++i) text.push_back(text[i]);  // overlaps when lead < 3
      w.Match(258, 1);
      text += std::string(258, text.back());
      literals(trailing);
      const std::string good = w.Finish(text);
      check(good, 64 * 1024, true, text);
      std::string own;
      EXPECT_TRUE(InflateSimpleStream(good, 64 * 1024, &own));
      check(good, text.size(), true, text);
      check(good, text.size() - 1, false);
      for (size_t cut = 0; cut < good.size(); ++cut) check(good.substr(0, cut), 1024, false);
      check(good.substr(0, good.size() - 4) + "\x01\x02\x03\x04", 1024, false);  // checksum

      // Invalid: a distance one past the output, distance codes 30 and 31,
      // length codes 286 and 287.
      const auto bad = [&](const std::function<void(FixedStreamWriter&)>& damage) {
        FixedStreamWriter b;
        for (int i = 0; i < lead; ++i) b.Literal('a' + i % 26);
        damage(b);
        for (int i = 0; i < trailing; ++i) b.Literal('z');
        check(b.Finish(""), 1024, false);
      };
      bad([&](FixedStreamWriter& b) { b.Match(3, lead + 1); });
      bad([](FixedStreamWriter& b) { b.Match(3, 1, 30); });
      bad([](FixedStreamWriter& b) { b.Match(3, 1, 31); });
      bad([](FixedStreamWriter& b) { b.Symbol(286); });
      bad([](FixedStreamWriter& b) { b.Symbol(287); });
    }
  }
  // No end-of-block code: runs out of input in the middle of the block.
  FixedStreamWriter w;
  for (int i = 0; i < 50; ++i) w.Literal(i);
  check(w.Finish("", /*end=*/false), 1024, false);
}

}  // namespace
}  // namespace agora_token
