// core/compression.h: CRC-32, the two deflate modes (compatible output equals
// the system zlib's default level byte for byte; fast output is a stored
// block any zlib inflates), and the bounded, strict inflater.
#include "core/compression.h"

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

}  // namespace
}  // namespace agora_token
