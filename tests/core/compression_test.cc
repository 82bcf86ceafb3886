// core/compression.h: CRC-32, the two deflate modes (compatible output equals
// the system zlib's default level byte for byte; fast output is a stored
// block any zlib inflates), and the bounded, strict inflater.
#include "core/compression.h"

#include <algorithm>
#include <array>
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

}  // namespace
}  // namespace agora_token
